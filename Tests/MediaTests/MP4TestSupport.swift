import Foundation
import Synchronization
import Testing
@testable import Media

/// Encoded test streams by their settings, so tests running in parallel encode each only once.
private let encodedStreams = Mutex<[String: EncodedStream]>([:])

/// Runs external tools (ffmpeg, ffprobe) for the MP4 tests.
enum Tool {
    struct Output {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`; output goes through temporary files, so large outputs
    /// cannot fill a pipe and block.
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let directory = try TempDirectory()
        let outURL = directory.url.appendingPathComponent("stdout")
        let errURL = directory.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Output(
            status: process.terminationStatus,
            stdout: [UInt8](try Data(contentsOf: outURL)),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

/// A temporary directory removed when the value goes away.
final class TempDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("aula-mp4-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// An access unit of an encoded test stream.
struct EncodedUnit: Sendable {
    var pts: Int64
    var isKeyFrame: Bool
    var nalUnits: [[UInt8]]
}

/// A short stream encoded by FFmpeg, split into access units in decoding order.
struct EncodedStream: Sendable {
    var codec: VideoCodec
    var parameters: VideoParameters
    var units: [EncodedUnit]

    /// Encodes `frames` frames of `testsrc` at 25 fps with a key frame every 25 frames.
    ///
    /// The encoder writes Matroska (which keeps each packet's pts); FFmpeg then copies the stream
    /// to the Annex B byte stream (putting the parameter sets in front of key frames), which is
    /// split into access units. Their number and key flags are checked against the packets.
    static func encode(_ codec: VideoCodec, bFrames: Int = 0, size: String = "320x240", frames: Int = 100) throws -> EncodedStream {
        let key = "\(codec.rawValue) \(bFrames) \(size) \(frames)"
        if let cached = encodedStreams.withLock({ $0[key] }) { return cached }
        let stream = try encodeUncached(codec, bFrames: bFrames, size: size, frames: frames)
        encodedStreams.withLock { $0[key] = stream }
        return stream
    }

    private static func encodeUncached(_ codec: VideoCodec, bFrames: Int, size: String, frames: Int) throws -> EncodedStream {
        let directory = try TempDirectory()
        let mkv = directory.path("stream.mkv")
        var arguments = ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=\(size):rate=25", "-frames:v", String(frames), "-pix_fmt", "yuv420p"]
        switch codec {
        case .h264:
            arguments += ["-c:v", "libx264", "-g", "25", "-bf", String(bFrames), "-x264-params", "scenecut=0:threads=1"]
        case .h265:
            arguments += ["-c:v", "libx265", "-x265-params", "log-level=error:keyint=25:min-keyint=25:scenecut=0:open-gop=0:bframes=\(bFrames):pools=1:frame-threads=1"]
        }
        arguments += ["-f", "matroska", mkv]
        let encoded = try Tool.run("/usr/bin/ffmpeg", arguments)
        #expect(encoded.status == 0, "ffmpeg encode: \(encoded.stderr)")

        let packets = try Tool.run("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,flags", "-of", "csv=p=0", mkv])
        #expect(packets.status == 0, "ffprobe packets: \(packets.stderr)")
        let packetInfo: [(pts: Int64, key: Bool)] = packets.text.split(separator: "\n").map { line in
            let fields = line.split(separator: ",")
            return (Int64(fields[0])! * 90, fields.count > 1 && fields[1].hasPrefix("K"))  // ms → 90 kHz
        }

        let annexB = try Tool.run("/usr/bin/ffmpeg", ["-v", "error", "-i", mkv, "-c:v", "copy", "-f", codec == .h264 ? "h264" : "hevc", "-"])
        #expect(annexB.status == 0, "ffmpeg copy: \(annexB.stderr)")
        let accessUnits = splitAccessUnits(AnnexB.split(annexB.stdout), codec: codec)
        guard accessUnits.count == packetInfo.count else {
            throw MediaError("test stream: \(accessUnits.count) access units but \(packetInfo.count) packets")
        }
        var units: [EncodedUnit] = []
        var parameterSets = ParameterSets()
        for (nalUnits, packet) in zip(accessUnits, packetInfo) {
            let key = nalUnits.contains { isKeyNAL($0, codec: codec) }
            #expect(key == packet.key)
            if units.isEmpty {
                for nal in nalUnits { parameterSets.record(nal, codec: codec) }
            }
            units.append(EncodedUnit(pts: packet.pts, isKeyFrame: key, nalUnits: nalUnits))
        }
        return EncodedStream(codec: codec, parameters: try VideoParameters(codec: codec, parameterSets: parameterSets), units: units)
    }

    /// The MP4 samples of `units` with dts from ``DecodeTimestampEstimator`` (fed one by one, as
    /// the recorder would), and their length-prefixed bytes. The last sample lasts `lastDuration`.
    func samples(_ range: Range<Int>? = nil, lastDuration: UInt32 = 3600) -> (samples: [MP4Sample], data: [UInt8]) {
        let units = Array(self.units[range ?? self.units.indices])
        var estimator = DecodeTimestampEstimator()
        var timestamps: [(dts: Int64, pts: Int64)] = []
        for unit in units { timestamps += estimator.push(pts: unit.pts, isKeyFrame: unit.isKeyFrame) }
        timestamps += estimator.flush()
        var samples: [MP4Sample] = []
        var data: [UInt8] = []
        for (index, unit) in units.enumerated() {
            let payload = AVCCFormat.lengthPrefixed(unit.nalUnits)
            let duration = index + 1 < units.count ? UInt32(timestamps[index + 1].dts - timestamps[index].dts) : lastDuration
            samples.append(MP4Sample(
                duration: duration, size: UInt32(payload.count), isKeyFrame: unit.isKeyFrame,
                compositionOffset: Int32(timestamps[index].pts - timestamps[index].dts)))
            data += payload
        }
        return (samples, data)
    }
}

/// Whether a NAL unit makes its access unit a key frame (H.264 IDR, H.265 IRAP).
func isKeyNAL(_ nal: [UInt8], codec: VideoCodec) -> Bool {
    switch codec {
    case .h264: NALUnit.h264Type(nal) == 5
    case .h265: (16...23).contains(NALUnit.h265Type(nal))
    }
}

/// Groups NAL units into access units (H.264 7.4.1.2.3, H.265 7.4.2.4.4): a new one starts at an
/// access unit delimiter, at a parameter set or SEI after a picture's slices, or at the first
/// slice of a new picture.
func splitAccessUnits(_ nalUnits: [[UInt8]], codec: VideoCodec) -> [[[UInt8]]] {
    var units: [[[UInt8]]] = []
    var current: [[UInt8]] = []
    var hasSlice = false
    for nal in nalUnits {
        let startsUnit: Bool
        let isSlice: Bool
        switch codec {
        case .h264:
            let type = NALUnit.h264Type(nal)
            isSlice = (1...5).contains(type)
            let firstSliceOfPicture = isSlice && nal.count > 1 && nal[1] & 0x80 != 0  // first_mb_in_slice == 0
            startsUnit = type == 9 || (hasSlice && ([6, 7, 8].contains(type) || (14...18).contains(type) || firstSliceOfPicture))
        case .h265:
            let type = NALUnit.h265Type(nal)
            isSlice = type < 32
            let firstSliceOfPicture = isSlice && nal.count > 2 && nal[2] & 0x80 != 0  // first_slice_segment_in_pic_flag
            startsUnit = type == 35 || (hasSlice && ([32, 33, 34, 39].contains(type) || (41...44).contains(type) || firstSliceOfPicture))
        }
        if startsUnit && !current.isEmpty {
            units.append(current)
            current = []
            hasSlice = false
        }
        current.append(nal)
        if isSlice { hasSlice = true }
    }
    if !current.isEmpty { units.append(current) }
    return units
}

/// What ffprobe says about a file.
struct ProbeResult {
    var stderr: String
    var codecName: String?
    var width: Int?
    var height: Int?
    var frames: Int?
    var duration: Double?
    /// Frame pts in seconds, in presentation order as the decoder outputs them.
    var framePTS: [Double]
}

enum FFprobe {
    /// `ffprobe -count_frames -show_streams -show_format`, and the decoded frames' timestamps.
    static func probe(_ path: String) throws -> ProbeResult {
        let output = try Tool.run("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path])
        let json = try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any] ?? [:]
        let stream = (json["streams"] as? [[String: Any]])?.first ?? [:]
        let format = json["format"] as? [String: Any] ?? [:]
        let frames = try Tool.run("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", path])
        return ProbeResult(
            stderr: output.stderr + frames.stderr,
            codecName: stream["codec_name"] as? String,
            width: stream["width"] as? Int,
            height: stream["height"] as? Int,
            frames: (stream["nb_read_frames"] as? String).flatMap { Int($0) },
            duration: (format["duration"] as? String).flatMap { Double($0) },
            // One line a frame; some lines have a trailing comma (side data), blank lines separate.
            framePTS: frames.text.split(separator: "\n").compactMap { line in
                line.split(separator: ",").first.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            })
    }

    /// The errors `ffmpeg -v error -i path -f null -` prints while decoding everything.
    static func decodeErrors(_ path: String) throws -> String {
        let output = try Tool.run("/usr/bin/ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        return output.stderr + (output.status == 0 ? "" : "exit status \(output.status)")
    }
}

/// The complete bytes of a virtual MP4 whose segments' data are given.
func assemble(_ mp4: VirtualMP4, data: [[UInt8]]) -> [UInt8] {
    var file = mp4.header
    for part in mp4.parts.dropFirst() {
        if case .segment(let index, let range) = part { file += data[index][range] }
    }
    return file
}
