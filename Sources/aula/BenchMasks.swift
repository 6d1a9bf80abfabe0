import ArgumentParser
import Foundation
import Media
import Motion
import Simulator

/// What privacy masking costs (docs/performance.md, "Privacy masking (issue 6)"): one masked live
/// stream (decoder + masks + libx264, the live settings) and one masked export (the export
/// settings), against `ffmpeg` doing the same decode → drawbox → libx264 on the same input in the
/// same run. Single-threaded on both sides, as Aula runs each masked stream.
///
/// `--codec h265 --no-masks` measures instead the H.264 conversion of an H.265 camera for browsers
/// without HEVC (docs/live.md, "Every camera in every browser"): decode → libx264, against
/// `ffmpeg -f hevc -i … -c:v libx264`.
struct BenchMasks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "masks", abstract: "CPU of masked live view and time of a masked export, against ffmpeg.")

    @Option(help: "Seconds of video (the simulated scene is looped).")
    var seconds: Int = 60

    @Option(help: "Picture size, WIDTHxHEIGHT.")
    var size: String = "1280x720"

    @Option(help: "Folder to cache encoded scenes in.")
    var cache: String = "./aula-data/sim-cache"

    @Option(help: "The ffmpeg to compare with.")
    var ffmpeg: String = "/usr/bin/ffmpeg"

    @Option(help: "Codec of the simulated camera: h264 or h265.")
    var codec: String = "h264"

    @Flag(help: "No privacy zone: the H.264 conversion alone (what a browser without HEVC gets of an H.265 camera).")
    var noMasks = false

    func run() async throws {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 16, parts[1] >= 16 else { throw ValidationError("--size must be WIDTHxHEIGHT, such as 1280x720") }
        var spec = SceneSpec()
        spec.width = parts[0]
        spec.height = parts[1]
        spec.loopSeconds = 20
        guard let simCodec = SimCodec(rawValue: codec.lowercased()) else { throw ValidationError("--codec must be h264 or h265") }
        spec.codec = simCodec
        let stream = try SimulatedStream(spec: spec, cacheDirectory: cache)
        let parameters = try VideoParameters(codec: simCodec == .h265 ? .h265 : .h264, parameterSets: stream.parameterSets)
        // The loop repeated with continuing timestamps, as a camera sends it.
        let loop = stream.accessUnits
        let loopTicks = Int64(loop.count) * Int64(90_000 / spec.frameRate)
        let count = seconds * spec.frameRate
        let units = (0..<count).map { i -> AccessUnit in
            var unit = loop[i % loop.count]
            unit.timestamp += Int64(i / loop.count) * loopTicks
            return unit
        }
        // The same input for ffmpeg: an Annex B file.
        let input = NSTemporaryDirectory() + "aula-bench-masks-\(UUID().uuidString).h264"
        var annexB: [UInt8] = []
        for unit in units { for nal in unit.nalUnits { annexB += [0, 0, 0, 1] + nal } }
        try Data(annexB).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        // A privacy zone as an operator draws one: a rectangle of a façade (a quarter of the picture).
        let zone = try ZonePolygon([.init(x: 0.5, y: 0.1), .init(x: 0.9, y: 0.1), .init(x: 0.9, y: 0.6), .init(x: 0.5, y: 0.6)])
        let masker = PrivacyMasker(polygons: noMasks ? [] : [zone])
        let box = noMasks ? "null" : "drawbox=x=iw*0.5:y=ih*0.1:w=iw*0.4:h=ih*0.5:color=black:t=fill"

        say("\(noMasks ? "converting to H.264" : "masking") \(seconds) s of \(spec.width)x\(spec.height) at \(spec.frameRate) fps (\(spec.bitRate / 1000) kbit/s \(parameters.codec.rawValue)), one thread each")
        for (name, options, ffmpegArgs) in [
            ("live  ", PrivacyTranscoder.Options.live, ["-preset", "superfast", "-tune", "zerolatency", "-crf", "23"]),
            ("export", PrivacyTranscoder.Options.export, ["-preset", "veryfast", "-crf", "23"]),
        ] {
            let (aulaWall, aulaCPU, aulaBytes) = try Self.measureAula(units, parameters: parameters, masker: masker, options: options)
            let (ffWall, ffCPU) = try Self.measureFFmpeg(ffmpeg, input: input, format: simCodec == .h265 ? "hevc" : "h264", fps: spec.frameRate, filter: box, encoder: ffmpegArgs)
            say(String(format: "%@  Aula: %.1f s wall, %.1f s CPU = %.0f%% of a core per second of video, %.2f Mbit/s out", name, aulaWall, aulaCPU,
                       100 * aulaCPU / Double(seconds), Double(aulaBytes) * 8 / Double(seconds) / 1e6))
            say(String(format: "%@  ffmpeg: %.1f s wall, %.1f s CPU = %.0f%% of a core; Aula/ffmpeg CPU %.2f", name, ffWall, ffCPU,
                       100 * ffCPU / Double(seconds), aulaCPU / max(ffCPU, 0.001)))
        }
    }

    static func measureAula(_ units: [AccessUnit], parameters: VideoParameters, masker: PrivacyMasker, options: PrivacyTranscoder.Options) throws -> (Double, Double, Int) {
        let cpu0 = cpuSeconds(pid: getpid())
        let start = ContinuousClock.now
        let transcoder = try PrivacyTranscoder(source: parameters, masker: masker, options: options)
        var bytes = 0
        for unit in units { bytes += try transcoder.transcode(unit).reduce(0) { $0 + AVCCFormat.lengthPrefixedSize($1.nalUnits) } }
        bytes += try transcoder.finish().reduce(0) { $0 + AVCCFormat.lengthPrefixedSize($1.nalUnits) }
        let wall = (ContinuousClock.now - start) / .seconds(1)
        guard transcoder.picturesEncoded == units.count else {
            throw ValidationError("Aula encoded \(transcoder.picturesEncoded) of \(units.count) pictures")
        }
        return (wall, cpuSeconds(pid: getpid()) - cpu0, bytes)
    }

    static func measureFFmpeg(_ ffmpeg: String, input: String, format: String, fps: Int, filter: String, encoder: [String]) throws -> (Double, Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments = ["-v", "error", "-threads", "1", "-r", "\(fps)", "-f", format, "-i", input, "-vf", filter, "-filter_threads", "1",
                             "-c:v", "libx264"] + encoder + ["-threads", "1", "-f", "null", "-"]
        var before = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &before)
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let wall = (ContinuousClock.now - start) / .seconds(1)
        guard process.terminationStatus == 0 else { throw ValidationError("ffmpeg failed (\(process.terminationStatus))") }
        var after = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &after)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let cpu = seconds(after.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_utime) - seconds(before.ru_stime)
        return (wall, cpu)
    }
}
