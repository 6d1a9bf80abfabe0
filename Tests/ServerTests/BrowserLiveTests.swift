import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The live wall in a real browser (issue 5): headless Chromium signs in through the form, opens a
/// wall of 4 tiles on the demo's simulated cameras, and every tile must decode frames at the
/// cameras' size (`scripts/browser_live.py`). The screenshot is kept in `artifacts/`.
@Suite struct BrowserLiveTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(.timeLimit(.minutes(4))) func everyTileOfTheWallDecodesFrames() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary), "build the aula product first")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "Debian's chromium is a test peer (scripts/setup.sh installs it)")
        let data = temporaryDirectory()
        let port = Int.random(in: 45_001...49_000)
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
        demo.arguments = ["demo", "--data", data, "--listen", "127.0.0.1:\(port)", "--rtsp-port", "0", "--size", "320x240", "--loop-seconds", "2", "--bitrate", "300000"]
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
        let artifacts = Self.root.appendingPathComponent("artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let (status, output) = try RecordingTests.EvidenceTests.run("/usr/bin/python3", [Self.root.appendingPathComponent("scripts/browser_live.py").path,
                                                                  "http://127.0.0.1:\(port)", "demo", "aula-demo-login", "4", "320", "240",
                                                                  artifacts.appendingPathComponent("live-wall.png").path])
        #expect(status == 0, "browser_live.py: \(output.suffix(3000))")
        #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent("live-wall.png").path))
    }
}
