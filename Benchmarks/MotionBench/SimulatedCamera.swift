import Media
import Motion
import RTSP
import Simulator

/// A simulated scene, encoded by the real encoder, as access units with its ground truth.
struct SimulatedCamera {
    var spec: SceneSpec
    var units: [AccessUnit]
    var parameterSets: ParameterSets
    var objects: [TruthObject]
    var encoded: [EncodedFrame]

    init(spec: SceneSpec, cache: String?) throws {
        self.spec = spec
        let stream = try SimulatedStream(spec: spec, cacheDirectory: cache)
        encoded = stream.frames
        let tick = Int64(90_000 / spec.frameRate)
        units = stream.frames.enumerated().map { index, frame in
            let t = Int64(frame.presentationIndex ?? index) * tick
            return AccessUnit(timestamp: t, rtpTimestamp: UInt32(truncatingIfNeeded: t), isKeyFrame: frame.isKeyFrame, nalUnits: frame.nalUnits)
        }
        var sets = ParameterSets()
        for nal in stream.frames.first?.nalUnits ?? [] {
            switch spec.codec {
            case .h264:
                switch NALUnit.h264Type(nal) {
                case 7: sets.sps = nal
                case 8: sets.pps = nal
                default: break
                }
            case .h265:
                switch NALUnit.h265Type(nal) {
                case 32: sets.vps = nal
                case 33: sets.sps = nal
                case 34: sets.pps = nal
                default: break
                }
            }
        }
        parameterSets = sets
        objects = stream.objects.map { object in TruthObject(id: object.id) { t in object.box(at: t) } }
    }

    var codec: VideoCodec { spec.codec == .h264 ? .h264 : .h265 }

    /// The Annex B byte stream, as `ffmpeg -f h264/hevc` reads it.
    var annexB: [UInt8] { encoded.flatMap { AnnexB.join($0.nalUnits) } }
}
