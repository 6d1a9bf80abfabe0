import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The operator UI in a real browser (issue 5; docs/ui.md): headless Chromium signs in and uses
/// playback (timeline click → frames at the camera's size, 2×, the range downloaded and read by
/// ffprobe), switches to Russian and Kazakh, opens the health page, opens one camera full size
/// from the wall and takes a snapshot, and tests a camera's connection
/// (`scripts/browser_ui.py`). Screenshots are kept in `artifacts/`.
@Suite struct BrowserUITests {
    @Test(.timeLimit(.minutes(5))) func playbackLanguagesHealthSnapshotAndCameraTestInChromium() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary), "build the aula product first")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "Debian's chromium is a test peer (scripts/setup.sh installs it)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/ffprobe"), "ffprobe is a test peer (scripts/setup.sh installs it)")
        let data = temporaryDirectory()
        let port = Int.random(in: 45_001...49_000)
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
        demo.arguments = ["demo", "--data", data, "--listen", "127.0.0.1:\(port)", "--rtsp-port", "0", "--cameras", "2",
                          "--size", "320x240", "--loop-seconds", "2", "--bitrate", "300000"]
        demo.standardOutput = FileHandle.nullDevice
        demo.standardError = FileHandle.nullDevice
        try demo.run()
        defer {
            demo.terminate()
            demo.waitUntilExit()
        }
        var ready = false
        for _ in 0..<120 where !ready {
            try await Task.sleep(for: .milliseconds(500))
            ready = await DemoCommandTests.signIn(port: port) != nil
        }
        try #require(ready, "the demo did not start")
        let artifacts = BrowserLiveTests.root.appendingPathComponent("artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let (status, output) = try RecordingTests.EvidenceTests.run("/usr/bin/python3", [BrowserLiveTests.root.appendingPathComponent("scripts/browser_ui.py").path,
                                                                  "http://127.0.0.1:\(port)", "demo", "aula-demo-login", "320", "240", artifacts.path])
        #expect(status == 0, "browser_ui.py: \(output.suffix(4000))")
        for shot in ["ui-playback.png", "ui-health.png", "ui-camera-snapshot.png", "ui-cameras.png"] {
            #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent(shot).path), "\(shot)")
        }
    }
}
