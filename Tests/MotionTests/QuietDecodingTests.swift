import Foundation
import Media
import Motion
import Simulator
import Testing

/// Key frames only while a camera is quiet (`MotionSettings.decoding`, docs/motion.md): real
/// encoder → real decoder → detector, the default compared with decoding every frame.
@Suite struct QuietDecodingTests {
    /// A 640 × 360 scene with an object every `gap` seconds on average: quiet stretches between.
    func quietScene(codec: SimCodec, night: Bool, seconds: Int, seed: UInt64, gap: Double = 40, gopFrames: Int = 50) -> SceneSpec {
        var spec = scene(codec: codec, night: night, seconds: seconds, seed: seed, width: 640, height: 360)
        spec.meanGap = gap
        spec.gopFrames = gopFrames
        return spec
    }

    struct Run {
        var events: [MotionEvent]
        var skipped: Int
        var catchUps: Int
        var rejected: Int
        var units: Int
        /// Per access unit: whether the analyzer was decoding key frames only after it.
        var quietAfter: [Bool]
    }

    func run(_ camera: EncodedScene, _ decoding: MotionSettings.Decoding) throws -> Run {
        var settings = MotionSettings()
        settings.decoding = decoding
        let configuration = try MotionConfiguration(settings: settings, zones: try MotionEvaluationSetup.configuration().zones)
        let analyzer = MotionAnalyzer(configuration: configuration)
        try analyzer.streamStarted(parameters: VideoParameters(codec: camera.codec, parameterSets: camera.parameterSets))
        var events: [MotionEvent] = []
        var quietAfter: [Bool] = []
        for unit in camera.units {
            for update in try analyzer.accessUnit(unit) { if case .ended(let e) = update { events.append(e) } }
            quietAfter.append(analyzer.isDecodingKeyFramesOnly)
        }
        for update in analyzer.streamEnded() { if case .ended(let e) = update { events.append(e) } }
        return Run(events: events, skipped: analyzer.skippedWhileQuiet, catchUps: analyzer.catchUps, rejected: analyzer.rejectedUnits, units: camera.units.count, quietAfter: quietAfter)
    }

    /// Each event of decoding every frame has one in the same zone with the default, found in the
    /// GOP before the key frame that showed it: the same start (give or take two analysed
    /// pictures: the background learnt from key frames only is not quite the same), and an alert
    /// at most one GOP (2 s) later.
    func expectSameEvents(_ every: [MotionEvent], _ quiet: [MotionEvent], _ label: String) {
        #expect(every.count == quiet.count, "\(label): \(every.count) events decoding every frame, \(quiet.count) with key frames while quiet")
        for e in every {
            let match = quiet.first { $0.zone == e.zone && abs(Double($0.start - e.start) / 90_000) <= 0.4 }
            guard let q = match else {
                Issue.record("\(label): the event in \(e.zone) from \(Double(e.start) / 90_000) s has no counterpart: \(quiet.map { "\($0.zone) \(Double($0.start) / 90_000)" })")
                continue
            }
            let delay = Double(q.confirmed - e.confirmed) / 90_000
            #expect(delay >= -0.45 && delay <= 2.05, "\(label): \(e.zone) alert \(delay) s after decoding every frame (start \(Double(e.start) / 90_000) → \(Double(q.start) / 90_000), alert \(Double(e.confirmed) / 90_000) → \(Double(q.confirmed) / 90_000))")
            #expect(abs(Double((q.end ?? q.confirmed) - (e.end ?? e.confirmed)) / 90_000) <= 0.6, "\(label): ends differ")
        }
    }

    @Test(arguments: [(SimCodec.h264, false, UInt64(61)), (.h264, true, 62)])
    func quietStretchesDecodeOnlyKeyFramesAndFindTheSameEvents(codec: SimCodec, night: Bool, seed: UInt64) throws {
        let spec = quietScene(codec: codec, night: night, seconds: 80, seed: seed)
        let camera = try EncodedScene(spec)
        let every = try run(camera, .everyFrame)
        let quiet = try run(camera, .keyFramesWhenQuiet)
        let label = "\(codec) \(night ? "night" : "day")"
        #expect(every.skipped == 0 && every.catchUps == 0)
        #expect(quiet.rejected == 0 && every.rejected == 0)
        // Once nothing has been in view for 10 s (an event's 2 s end, a GOP to the next key
        // frame, and at night up to 4 s of lingering change where an object passed, 2 s to spare),
        // the analyzer must be decoding key frames only.
        let step = 1 / Double(spec.frameRate)
        let settled = camera.units.indices.filter { i in
            let t = Double(i) * step
            return t > 10 && !stride(from: t - 10, through: t, by: step).contains { s in camera.objects.contains { $0.box(s) != nil } }
        }
        let quietWhenSettled = settled.filter { quiet.quietAfter[$0] }.count
        #expect(settled.count > quiet.units / 5, "\(label): the scene has too few quiet stretches to judge")
        #expect(quietWhenSettled * 10 >= settled.count * 9, "\(label): \(quietWhenSettled) of \(settled.count) units in quiet stretches were taken key frames only")
        #expect(quiet.skipped >= quietWhenSettled - settled.count / 40, "\(label): \(quiet.skipped) skipped")
        #expect(quiet.catchUps >= 1)
        #expect(!every.events.isEmpty)
        expectSameEvents(every.events, quiet.events, label)
        // Against the ground truth, with the evaluation's thresholds.
        let score = MotionEvaluator.score(events: quiet.events, objects: camera.objects, width: spec.width, height: spec.height,
                                          frameRate: spec.frameRate, seconds: Double(camera.units.count) / Double(spec.frameRate),
                                          configuration: try MotionEvaluationSetup.configuration())
        #expect(score.precision >= 0.95 && score.recall >= 0.95 && score.medianDelay < 2, "\(label): \(score)")
    }

    /// H.265 key frames are decoded on their own after a flush, and the GOP again on a catch-up:
    /// the decoder must accept both, and the events must be those of decoding every frame.
    @Test func h265KeyFramesDecodeOnTheirOwnAndCatchUpsMatch() throws {
        let camera = try EncodedScene(quietScene(codec: .h265, night: true, seconds: 30, seed: 63, gap: 20))
        let every = try run(camera, .everyFrame)
        let quiet = try run(camera, .keyFramesWhenQuiet)
        #expect(quiet.rejected == 0 && every.rejected == 0)
        #expect(quiet.skipped > 0 && quiet.catchUps >= 1, "skipped \(quiet.skipped), catch-ups \(quiet.catchUps)")
        expectSameEvents(every.events, quiet.events, "h265 night")
    }

    /// Key frames 4 s apart would delay alerts by up to 4 s: such cameras are decoded in full.
    @Test func longGOPsAreDecodedInFull() throws {
        let camera = try EncodedScene(quietScene(codec: .h264, night: false, seconds: 40, seed: 64, gopFrames: 100))
        let quiet = try run(camera, .keyFramesWhenQuiet)
        #expect(quiet.skipped == 0 && quiet.catchUps == 0)
        #expect(!quiet.events.isEmpty)
    }

    /// Settings stored before `decoding` existed read as the default; a bad value names the field.
    @Test func decodingSettingDefaultsAndNamesItsField() throws {
        let old = #"{"settings": {"sensitivity": 60, "minimumObjectArea": 0.002, "minimumDuration": 0.8, "endAfter": 2, "analysisFPS": 5, "analysisWidth": 320, "backgroundAdaptation": 8}, "zones": []}"#
        let configuration = try JSONDecoder().decode(MotionConfiguration.self, from: Data(old.utf8))
        #expect(configuration.settings.decoding == .keyFramesWhenQuiet)
        let bad = old.replacingOccurrences(of: #""backgroundAdaptation": 8"#, with: #""backgroundAdaptation": 8, "decoding": "sometimes""#)
        do {
            _ = try JSONDecoder().decode(MotionConfiguration.self, from: Data(bad.utf8))
            Issue.record("an unknown decoding was accepted")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.map(\.stringValue) == ["settings", "decoding"])
            #expect(context.debugDescription.contains("everyFrame") && context.debugDescription.contains("sometimes"))
        }
        let encoded = String(decoding: try JSONEncoder().encode(MotionSettings()), as: UTF8.self)
        #expect(encoded.contains(#""decoding":"keyFramesWhenQuiet""#))
    }
}
