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
        try await BrowserTest.withDemo(["--cameras", "1", "--size", "320x240", "--loop-seconds", "20", "--bitrate", "300000"]) { port in
            let (status, output) = try await BrowserTest.script("browser_alerts.py", port: port, ["1"])
            #expect(status == 0, "browser_alerts.py: \(output.suffix(3000))")
        }
    }
}
