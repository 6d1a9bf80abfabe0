import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The operator UI in a real browser (issue 5; docs/ui.md): headless Chromium signs in and uses
/// playback (timeline click → frames at the camera's size, 2×, the range downloaded and read by
/// ffprobe), switches to Russian and Kazakh, opens the health page, opens one camera full size
/// from the wall and takes a snapshot, tests a camera's connection, and sets a camera to record its
/// sub stream too, then plays that recording back at the sub stream's size
/// (`scripts/browser_ui.py`). Screenshots are kept in `artifacts/`.
@Suite struct BrowserUITests {
    @Test(.timeLimit(.minutes(5))) func playbackLanguagesHealthSnapshotAndCameraTestInChromium() async throws {
        try await BrowserTest.withDemo(["--cameras", "2", "--size", "320x240", "--loop-seconds", "2", "--bitrate", "300000"],
                                       peers: ["/usr/bin/ffprobe"]) { port in
            let artifacts = BrowserTest.artifacts
            let (status, output) = try await BrowserTest.script("browser_ui.py", port: port, ["320", "240", artifacts.path])
            #expect(status == 0, "browser_ui.py: \(output.suffix(4000))")
            for shot in ["ui-playback.png", "ui-health.png", "ui-camera-snapshot.png", "ui-cameras.png"] {
                #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent(shot).path), "\(shot)")
            }
        }
    }
}
