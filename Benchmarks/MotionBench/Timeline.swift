import Foundation
import Media
import Motion
import Simulator

/// One scene at default settings, as a timeline: objects of the ground truth, events, and when the
/// analyzer switched between key frames only and every frame. Shows where the decoded share goes.
struct Timeline {
    var spec: SceneSpec
    var cache: String
    var decoding = MotionSettings.Decoding.keyFramesWhenQuiet

    func run() throws {
        var configuration = try MotionEvaluationSetup.configuration()
        configuration.settings.decoding = decoding
        let camera = try SimulatedCamera(spec: spec, cache: cache)
        // MOTION_DUMP=file.h264 writes the scene's Annex B stream, for ffprobe (frame sizes).
        if let dump = ProcessInfo.processInfo.environment["MOTION_DUMP"] {
            FileManager.default.createFile(atPath: dump, contents: Data(camera.annexB))
        }
        let analyzer = MotionAnalyzer(configuration: configuration)
        try analyzer.streamStarted(parameters: VideoParameters(codec: camera.codec, parameterSets: camera.parameterSets))
        func seconds(_ t: Int64) -> String { String(format: "%7.2f s", Double(t) / 90_000) }
        var lines: [(Double, String)] = []
        for object in SceneRenderer(spec: spec).objects {
            lines.append((object.enter, String(format: "%7.2f s  object %d (%@) enters, leaves at %.2f s", object.enter, object.id, object.kind.rawValue, object.exit)))
        }
        var keyFramesOnly = false
        for unit in camera.units {
            let updates = try analyzer.accessUnit(unit)
            if analyzer.isDecodingKeyFramesOnly != keyFramesOnly {
                keyFramesOnly = analyzer.isDecodingKeyFramesOnly
                lines.append((Double(unit.timestamp) / 90_000, "\(seconds(unit.timestamp))  \(keyFramesOnly ? "quiet: key frames only" : "motion: every frame (catch-ups so far: \(analyzer.catchUps))")"))
            }
            for update in updates {
                switch update {
                case .started(let e): lines.append((Double(unit.timestamp) / 90_000, "\(seconds(unit.timestamp))  event \(e.sequence) in \(e.zone) started at \(seconds(e.start)), alert at \(seconds(e.confirmed))"))
                case .ended(let e): lines.append((Double(unit.timestamp) / 90_000, "\(seconds(unit.timestamp))  event \(e.sequence) in \(e.zone) ended at \(seconds(e.end ?? e.confirmed))"))
                }
            }
        }
        for (_, line) in lines.sorted(by: { $0.0 < $1.0 }) { print(line) }
        print(String(format: "decoded %.1f %% of %d access units; %d catch-ups", Double(camera.units.count - analyzer.skippedWhileQuiet) / Double(camera.units.count) * 100,
                     camera.units.count, analyzer.catchUps))
    }
}
