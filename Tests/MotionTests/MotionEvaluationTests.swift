import Motion
import Simulator
import Testing

/// A shorter run of the evaluation (docs/motion.md): real encoder → real decoder → detector,
/// scored against the simulator's ground truth with the same thresholds as the full evaluation.
/// The scenes are the 640 × 360 sub-stream size, to keep the test fast; the full evaluation
/// (`MotionBench evaluate`) runs 30 minutes of 720p.
@Suite struct MotionEvaluationTests {
    @Test func detectorMeetsTheThresholdsByDayAndNight() throws {
        let scenes = [
            scene(codec: .h264, night: false, seconds: 40, seed: 31, width: 640, height: 360),
            scene(codec: .h264, night: true, seconds: 40, seed: 32, width: 640, height: 360),
            scene(codec: .h265, night: true, seconds: 16, seed: 33, width: 640, height: 360),
        ]
        let configuration = try MotionEvaluationSetup.configuration()
        var parts: [MotionEvaluation] = []
        for spec in scenes {
            let camera = try EncodedScene(spec)
            let (evaluation, _) = try MotionEvaluator.evaluate(
                codec: camera.codec, parameterSets: camera.parameterSets, units: camera.units, width: spec.width, height: spec.height,
                frameRate: spec.frameRate, objects: camera.objects, configuration: configuration)
            parts.append(evaluation)
        }
        let all = MotionEvaluation.combined(parts)
        // Enough to judge: a detector that finds nothing, or everything, fails.
        #expect(all.episodes >= 15)
        #expect(all.precision >= 0.95, "\(all)")
        #expect(all.recall >= 0.95, "\(all)")
        #expect(all.medianDelay < 2, "\(all)")
    }

    @Test func scoringCountsMissesAndFalseAlarms() throws {
        // One object in the entrance zone from 10 s to 14 s of a 20 s, 1280 × 720 scene.
        let object = TruthObject(id: 1) { t in t >= 10 && t < 14 ? (x0: 1000, y0: 400, x1: 1040, y1: 520) : nil }
        let configuration = try MotionEvaluationSetup.configuration()
        func score(_ events: [MotionEvent]) -> MotionEvaluation {
            MotionEvaluator.score(events: events, objects: [object], width: 1280, height: 720, frameRate: 25, seconds: 20, configuration: configuration)
        }
        let right = MotionEvent(sequence: 1, zone: "entrance", start: 10 * 90_000, confirmed: 11 * 90_000, end: 14 * 90_000, peakScore: 0.1, peakBox: [])
        let wrongZone = MotionEvent(sequence: 2, zone: "playground", start: 10 * 90_000, confirmed: 11 * 90_000, end: 14 * 90_000, peakScore: 0.1, peakBox: [])
        let wrongTime = MotionEvent(sequence: 3, zone: "entrance", start: 3 * 90_000, confirmed: 4 * 90_000, end: 5 * 90_000, peakScore: 0.1, peakBox: [])
        let good = score([right])
        #expect(good.precision == 1 && good.recall == 1)
        #expect(abs(good.medianDelay - 1) < 0.05)
        let bad = score([wrongZone, wrongTime])
        #expect(bad.precision == 0 && bad.recall == 0)
        #expect(score([]).recall == 0)
    }
}
