import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The operator's alert page in a real browser: headless Chromium signs in through the form,
/// turns motion detection on for a demo camera, sees a motion alert arrive live, hears it (WebAudio
/// is asked to beep) and acknowledges it with the button (`scripts/browser_alerts.py`).
@Suite struct BrowserAlertsTests {
    @Test(.timeLimit(.minutes(4))) func anOperatorSeesAMotionAlertLiveAndAcknowledgesIt() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary), "build the aula product first")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "Debian's chromium is a test peer (scripts/setup.sh installs it)")
        let data = temporaryDirectory()
        let port = Int.random(in: 45_001...49_000)
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
        demo.arguments = ["demo", "--data", data, "--listen", "127.0.0.1:\(port)", "--rtsp-port", "0", "--cameras", "1", "--size", "320x240", "--loop-seconds", "20", "--bitrate", "300000"]
        demo.standardOutput = FileHandle.nullDevice
        demo.standardError = FileHandle.nullDevice
        try demo.run()
        defer {
            kill(demo.processIdentifier, SIGKILL)
            for _ in 0..<100 where demo.isRunning { usleep(50_000) }
        }
        var ready = false
        for _ in 0..<120 where !ready {
            try await Task.sleep(for: .milliseconds(500))
            ready = await DemoCommandTests.signIn(port: port) != nil
        }
        try #require(ready, "the demo did not start")
        let (status, output) = try RecordingTests.EvidenceTests.run("/usr/bin/python3", [BrowserLiveTests.root.appendingPathComponent("scripts/browser_alerts.py").path,
                                                                  "http://127.0.0.1:\(port)", "demo", "aula-demo-login", "1"])
        #expect(status == 0, "browser_alerts.py: \(output.suffix(3000))")
    }
}
