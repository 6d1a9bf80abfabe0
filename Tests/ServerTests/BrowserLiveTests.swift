import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The live wall in a real browser (issue 5): headless Chromium signs in through the form, opens a
/// wall of 4 tiles on the demo's simulated cameras, and every tile must decode frames at the
/// cameras' size (`scripts/browser_live.py`). The screenshot is kept in `artifacts/`.
@Suite struct BrowserLiveTests {
    @Test(.timeLimit(.minutes(4))) func everyTileOfTheWallDecodesFrames() async throws {
        try await BrowserTest.withDemo(["--size", "320x240", "--loop-seconds", "2", "--bitrate", "300000"]) { port in
            let shot = BrowserTest.artifacts.appendingPathComponent("live-wall.png").path
            let (status, output) = try await BrowserTest.script("browser_live.py", port: port, ["4", "320", "240", shot])
            #expect(status == 0, "browser_live.py: \(output.suffix(3000))")
            #expect(FileManager.default.fileExists(atPath: shot))
        }
    }
}
