import Foundation
import Testing

/// Continuous playback in a real browser (issue 19, parts 4 and 6; docs/ui.md, "Playback"):
/// headless Chromium plays a courtyard camera of `aula demo` (a 20 s scene, so that someone crosses it) at 16× from its first run through a rotation,
/// from piece to piece and over the gap a reconnect left into the next run without stopping, with a
/// notice of the gap; scrubs the timeline with preview pictures; steps a frame forward and back;
/// jumps to the next motion event; and chooses a range to download by Shift-dragging
/// (`scripts/browser_playback.py`). Screenshots are kept in `artifacts/`.
@Suite struct PlaybackBrowserTests {
    @Test(.timeLimit(.minutes(8))) func playsOnAcrossARotationAndAGapScrubsStepsAndJumpsToEventsInChromium() async throws {
        try await BrowserTest.withDemo(["--cameras", "2", "--size", "320x240", "--loop-seconds", "20", "--bitrate", "300000"]) { port in
            let artifacts = BrowserTest.artifacts
            let (status, output) = try await BrowserTest.script("browser_playback.py", port: port, ["320", "240", artifacts.path])
            print(output)
            #expect(status == 0, "browser_playback.py: \(output.suffix(4000))")
            for shot in ["playback-continuous.png", "playback-scrub.png", "playback-range.png"] {
                #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent(shot).path), "\(shot)")
            }
        }
    }
}
