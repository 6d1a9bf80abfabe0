import Foundation
import Media
import Motion
import RTSP
import Simulator

/// A simulated scene through the real encoder, as access units with ground truth. Encoded scenes
/// are cached in the temporary folder, keyed by everything that shapes them.
struct EncodedScene {
    var spec: SceneSpec
    var units: [AccessUnit]
    var parameterSets: ParameterSets
    var objects: [TruthObject]
    var renderer: SceneRenderer

    init(_ spec: SceneSpec) throws {
        self.spec = spec
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("aula-motion-tests").path
        let stream = try SimulatedStream(spec: spec, cacheDirectory: cache)
        renderer = SceneRenderer(spec: spec)
        units = stream.accessUnits
        parameterSets = stream.parameterSets
        objects = stream.objects.map { object in TruthObject(id: object.id) { t in object.box(at: t) } }
    }

    var codec: VideoCodec { spec.codec == .h264 ? .h264 : .h265 }
}

func scene(codec: SimCodec, night: Bool, seconds: Int, seed: UInt64, width: Int = 1280, height: Int = 720) -> SceneSpec {
    var spec = SceneSpec()
    spec.codec = codec
    spec.night = night
    spec.seed = seed
    spec.loopSeconds = seconds
    spec.width = width
    spec.height = height
    return spec
}

/// Synthetic analysis pictures: a gradient background with noise, a global light level, and
/// optionally a square of a given contrast.
struct SyntheticCamera {
    var width = 320
    var height = 180
    var noise: Int = 6
    var rng = SplitMix(seed: 42)

    struct Square { var x: Int; var y: Int; var size: Int; var contrast: Int }

    /// `tilt` brightens the left half and darkens the right half by that much: a change of the
    /// whole picture that is not a change of light (the median difference stays 0).
    mutating func frame(at seconds: Double, light: Int = 0, tilt: Int = 0, square: Square? = nil) -> LumaFrame {
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let base = 60 + x * 80 / width + y * 40 / height + light + (x < width / 2 ? tilt : -tilt)
                // Sum of two uniforms: a triangular, roughly Gaussian noise of ±noise.
                let n = noise == 0 ? 0 : Int(rng.next() % UInt64(noise + 1)) + Int(rng.next() % UInt64(noise + 1)) - noise
                var v = base + n
                if let s = square, x >= s.x, x < s.x + s.size, y >= s.y, y < s.y + s.size { v += s.contrast }
                pixels[y * width + x] = UInt8(clamping: v)
            }
        }
        return LumaFrame(width: width, height: height, pixels: pixels, timestamp: Int64((seconds * 90_000).rounded()))
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> ZonePolygon {
    // Force-unwrap: only called with valid constants.
    try! ZonePolygon.rectangle(x0: x0, y0: y0, x1: x1, y1: y1)
}
