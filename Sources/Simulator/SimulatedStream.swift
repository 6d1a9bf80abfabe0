import Foundation
import Media
import RTSP

/// A scene encoded once and packetised once, with the ground truth of what crosses it.
public struct SimulatedStream: Sendable {
    public var spec: SceneSpec
    public var frames: [EncodedFrame]
    public var objects: [GroundTruthObject]
    public var loop: PacketLoop
    /// The stream's parameter sets (from its first key frame), as a camera would announce them.
    public var parameterSets: ParameterSets

    /// Renders and encodes `spec`, or loads the result of an earlier run from `cacheDirectory`.
    /// The stream encoded on a thread of its own, off Swift's cooperative pool (seconds of CPU).
    public static func make(spec: SceneSpec, cacheDirectory: String? = nil) async throws -> SimulatedStream {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try SimulatedStream(spec: spec, cacheDirectory: cacheDirectory) }) }.start()
        }
    }

    public init(spec: SceneSpec, cacheDirectory: String? = nil) throws {
        self.spec = spec
        let renderer = SceneRenderer(spec: spec)
        objects = renderer.objects
        let cacheFile = cacheDirectory.map { "\($0)/\(Self.cacheKey(spec)).frames" }
        if let cacheFile, let cached = Self.load(cacheFile) {
            frames = cached
        } else {
            frames = try VideoEncoder.encode(renderer)
            if let cacheDirectory, let cacheFile {
                try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
                Self.save(frames, to: cacheFile)
            }
        }
        var sets = ParameterSets()
        for nal in frames.first?.nalUnits ?? [] {
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
        loop = PacketLoop(codec: spec.codec == .h264 ? .h264 : .h265, accessUnits: frames, frameRate: spec.frameRate, parameterSets: sets)
    }

    /// The frames as a receiver gets them from RTSP, without the network: in decoding order,
    /// stamped with presentation times at 90 kHz from 0.
    public var accessUnits: [AccessUnit] {
        let tick = Int64(90_000 / spec.frameRate)
        return frames.enumerated().map { index, frame in
            let t = Int64(frame.presentationIndex ?? index) * tick
            return AccessUnit(timestamp: t, rtpTimestamp: UInt32(truncatingIfNeeded: t), isKeyFrame: frame.isKeyFrame, nalUnits: frame.nalUnits)
        }
    }

    /// Key frames per loop, so tests can check the cadence that arrived.
    public var keyFrameIndices: [Int] { frames.indices.filter { frames[$0].isKeyFrame } }

    static func cacheKey(_ spec: SceneSpec) -> String {
        "v2-\(spec.codec.rawValue)-\(spec.width)x\(spec.height)-\(spec.frameRate)fps-g\(spec.gopFrames)-b\(spec.bFrames)-\(spec.bitRate)-\(spec.loopSeconds)s-\(spec.night ? "night" : "day")-s\(spec.seed)\(spec.meanGap == 3 ? "" : "-gap\(spec.meanGap)")"
    }

    // Cache format: per frame a 4-byte big-endian size, a flags byte (bit 0 key), a 4-byte
    // presentation index (or 0xFFFFFFFF), then the Annex B bytes.
    static func save(_ frames: [EncodedFrame], to path: String) {
        var out: [UInt8] = []
        for frame in frames {
            let bytes = AnnexB.join(frame.nalUnits)
            out.append(contentsOf: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            out.append(frame.isKeyFrame ? 1 : 0)
            out.append(contentsOf: withUnsafeBytes(of: UInt32(truncatingIfNeeded: frame.presentationIndex ?? -1).bigEndian, Array.init))
            out.append(contentsOf: bytes)
        }
        let tmp = path + ".tmp"
        if FileManager.default.createFile(atPath: tmp, contents: Data(out)) {
            _ = try? FileManager.default.replaceItemAt(URL(fileURLWithPath: path), withItemAt: URL(fileURLWithPath: tmp))
            if !FileManager.default.fileExists(atPath: path) { try? FileManager.default.moveItem(atPath: tmp, toPath: path) }
        }
    }

    static func load(_ path: String) -> [EncodedFrame]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        var frames: [EncodedFrame] = []
        var i = 0
        func u32(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        while i + 9 <= bytes.count {
            let size = Int(u32(i))
            let key = bytes[i + 4] & 1 == 1
            let pres = u32(i + 5)
            i += 9
            guard i + size <= bytes.count else { return nil }
            frames.append(EncodedFrame(nalUnits: AnnexB.split(Array(bytes[i..<(i + size)])), isKeyFrame: key, presentationIndex: pres == UInt32.max ? nil : Int(pres)))
            i += size
        }
        return i == bytes.count && !frames.isEmpty ? frames : nil
    }
}
