import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The live wall in a real browser (issues 5 and 19): headless Chromium signs in through the form,
/// opens a wall of tiles on the demo's simulated cameras, and every tile must decode frames at the
/// size of the stream it was given (`scripts/browser_live.py`): a wall shows the cameras' sub
/// streams (160×120 for 320×240 cameras), a single camera its main stream. Debian's Chromium has
/// no H.265 in Media Source Extensions, so H.265 cameras must come as their H.264 sub stream, or
/// without one as an H.264 conversion. The screenshots are kept in `artifacts/`.
@Suite(.serialized) struct BrowserLiveTests {
    static let small = ["--size", "320x240", "--loop-seconds", "2", "--bitrate", "300000"]

    @Test(.timeLimit(.minutes(4))) func everyTileOfTheWallDecodesItsSubStream() async throws {
        try await BrowserTest.withDemo(Self.small) { port in
            let shot = BrowserTest.artifacts.appendingPathComponent("live-wall.png").path
            let (status, output) = try await BrowserTest.script("browser_live.py", port: port, ["4", "160", "120", shot, "--source", "sub"])
            #expect(status == 0, "browser_live.py: \(output.suffix(3000))")
            #expect(FileManager.default.fileExists(atPath: shot))
            let (single, singleOutput) = try await BrowserTest.script("browser_live.py", port: port, ["camera=1", "320", "240", "--source", "main"])
            #expect(single == 0, "browser_live.py: \(singleOutput.suffix(3000))")
        }
    }

    @Test(.timeLimit(.minutes(5))) func h265CamerasAreWatchedThroughTheirH264SubStream() async throws {
        try await BrowserTest.withDemo(Self.small + ["--codec", "h265"]) { port in
            let shot = BrowserTest.artifacts.appendingPathComponent("live-wall-h265.png").path
            let (status, output) = try await BrowserTest.script("browser_live.py", port: port, ["4", "160", "120", shot, "--source", "sub"])
            #expect(status == 0, "browser_live.py: \(output.suffix(3000))")
            // Full size too: this browser cannot decode the H.265 main stream, so the sub stream.
            let (single, singleOutput) = try await BrowserTest.script("browser_live.py", port: port, ["camera=2", "160", "120", "--source", "sub"])
            #expect(single == 0, "browser_live.py: \(singleOutput.suffix(3000))")
        }
    }

    @Test(.timeLimit(.minutes(5))) func h265CamerasWithoutSubStreamAreConvertedToH264() async throws {
        try await BrowserTest.withDemo(Self.small + ["--codec", "h265", "--no-sub-streams"]) { port in
            let shot = BrowserTest.artifacts.appendingPathComponent("live-wall-transcoded.png").path
            // Two tiles: the server converts one camera per core at once.
            let (status, output) = try await BrowserTest.script("browser_live.py", port: port, ["2", "320", "240", shot, "--source", "transcoded"])
            #expect(status == 0, "browser_live.py: \(output.suffix(3000))")
        }
    }

    /// One tile more than the server converts at once (one per core by default): that tile says
    /// why in words (the conversion bound, no H.264 sub stream) and when it tries again, instead
    /// of "reconnecting" for ever; the others decode the conversion.
    @Test(.timeLimit(.minutes(5))) func aTileBeyondTheConversionBoundSaysWhy() async throws {
        let converted = max(1, ProcessInfo.processInfo.activeProcessorCount)
        try #require(converted + 1 <= 8, "the demo has 8 cameras; this machine converts \(converted) at once")
        try await BrowserTest.withDemo(Self.small + ["--codec", "h265", "--no-sub-streams"]) { port in
            let shot = BrowserTest.artifacts.appendingPathComponent("live-wall-refused.png").path
            let (status, output) = try await BrowserTest.script("browser_live.py", port: port,
                                                                ["\(converted + 1)", "320", "240", shot, "--source", "transcoded", "--refused", "1"])
            #expect(status == 0, "browser_live.py: \(output.suffix(3000))")
        }
    }
}
