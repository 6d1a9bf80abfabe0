import Foundation
import Motion
import Simulator

/// Scores motion events on 30 minutes of simulated courtyard video against the simulator's ground
/// truth: two codecs, day and night (dark, sensor noise, light rising and falling over the scene).
/// H.265 gets less time only because libx265 encodes the scenes about five times slower than libx264.
struct Evaluate {
    var scale: Double
    var cache: String

    static let thresholds = (precision: 0.95, recall: 0.95, medianDelay: 2.0)

    /// The scenes: 30 minutes in all at scale 1.
    static func scenes(scale: Double) -> [SceneSpec] {
        [(SimCodec.h264, false, 780, 101), (.h264, true, 780, 102), (.h265, false, 120, 103), (.h265, true, 120, 104)].map { codec, night, seconds, seed in
            scene(codec, night: night, seconds: seconds, seed: seed, scale: scale)
        }
    }

    /// Quiet courtyards, where the default decodes key frames only most of the time: an object
    /// every 30 s (60 s for H.265) instead of every 3 s. Scored apart from the 30 minutes above.
    static func courtyards(scale: Double) -> [SceneSpec] {
        [(SimCodec.h264, false, 600, 111, 30.0), (.h264, true, 600, 112, 30.0), (.h265, false, 120, 303, 60.0)].map { codec, night, seconds, seed, gap in
            scene(codec, night: night, seconds: seconds, seed: seed, gap: gap, scale: scale)
        }
    }

    /// A 720p scene of `seconds × scale` (at least 10 s, whole GOPs).
    static func scene(_ codec: SimCodec, night: Bool, seconds: Int, seed: Int, gap: Double = 3, scale: Double) -> SceneSpec {
        var spec = SceneSpec()
        spec.codec = codec
        spec.night = night
        spec.seed = UInt64(seed)
        spec.meanGap = gap
        spec.loopSeconds = max(10, Int((Double(seconds) * scale / 2).rounded()) * 2)
        return spec
    }

    func run() throws -> Bool {
        let busy = try evaluate(Self.scenes(scale: scale), title: "30 minutes of busy scenes (an object every 3 s)")
        let quiet = try evaluate(Self.courtyards(scale: scale), title: "quiet courtyards (an object every 30–60 s)")
        let t = Self.thresholds
        func verdict(_ e: MotionEvaluation) -> Bool { e.precision >= t.precision && e.recall >= t.recall && e.medianDelay < t.medianDelay }
        // The criterion is the 30 minutes; the courtyards are scored with the same
        // thresholds and reported, and do not decide the exit status (docs/performance.md).
        print("quiet courtyards: \(verdict(quiet) ? "pass" : "below") the thresholds")
        print(verdict(busy) ? "PASS (30 minutes: precision ≥ \(t.precision), recall ≥ \(t.recall), median delay < \(t.medianDelay) s)" : "FAIL")
        return verdict(busy)
    }

    func evaluate(_ scenes: [SceneSpec], title: String) throws -> MotionEvaluation {
        print("== \(title)")
        let configuration = try MotionEvaluationSetup.configuration()
        var parts: [MotionEvaluation] = []
        for spec in scenes {
            let started = Date()
            let camera = try SimulatedCamera(spec: spec, cache: cache)
            let encoded = Date()
            let (evaluation, _) = try MotionEvaluator.evaluate(
                codec: camera.codec, parameterSets: camera.parameterSets, units: camera.units, width: spec.width, height: spec.height,
                frameRate: spec.frameRate, objects: camera.objects, configuration: configuration)
            parts.append(evaluation)
            print(String(format: "%@ %@ seed %d: %@ (encode/load %.0f s, analyse %.0f s)", spec.codec.rawValue, spec.night ? "night" : "day  ",
                         Int(spec.seed), evaluation.description, encoded.timeIntervalSince(started), Date().timeIntervalSince(encoded)))
            fflush(nil)
            for zone in evaluation.zones {
                print(String(format: "    %-10@ events %4d correct %4d  episodes %4d found %4d  median delay %.2f s", zone.zone as NSString,
                             zone.events, zone.correctEvents, zone.episodes, zone.foundEpisodes, MotionEvaluation.quantile(zone.delays.sorted(), 0.5)))
                for m in zone.missed { print(String(format: "        missed episode %.2f–%.2f s", m[0], m[1])) }
                for w in zone.wrong {
                    print(String(format: "        event without motion %.2f–%.2f s", w[0], w[1]))
                    if ProcessInfo.processInfo.environment["MOTION_DEBUG"] != nil {
                        for o in camera.objects { if let b = o.box(w[0]) { print("          object \(o.id) at \(b)") } }
                    }
                }
            }
        }
        let all = MotionEvaluation.combined(parts)
        print("all: \(all)")
        return all
    }
}
