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
        units = stream.accessUnits
        parameterSets = stream.parameterSets
        objects = stream.objects.map { object in TruthObject(id: object.id) { t in object.box(at: t) } }
    }

    var codec: VideoCodec { spec.codec == .h264 ? .h264 : .h265 }

    /// The Annex B byte stream, as `ffmpeg -f h264/hevc` reads it.
    var annexB: [UInt8] { encoded.flatMap { AnnexB.join($0.nalUnits) } }
}
