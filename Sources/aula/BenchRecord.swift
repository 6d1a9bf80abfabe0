import ArgumentParser
import Catalog
import Footage
import Foundation

/// Records N simulated cameras with `aula serve`, then the same streams with one
/// `ffmpeg -c copy -f segment` process per camera (how Frigate and Shinobi record), and compares
/// CPU per camera-minute, resident memory per camera and frames lost (docs/performance.md).
struct BenchRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "record", abstract: "Aula's recorder against ffmpeg -c copy -f segment, on the same simulated cameras.")

    @Option(help: "Number of simulated cameras.")
    var cameras: Int = 300

    @Option(help: "Seconds to measure each recorder, after a warm-up.")
    var seconds: Int = 60

    @Option(help: "Seconds of warm-up before measuring (every session connects).")
    var warmup: Int = 15

    @Option(help: "Folder for the recordings of both recorders (emptied first).")
    var data: String = "./aula-data/bench-record"

    @Option(help: "Folder to cache encoded scenes in.")
    var cache: String = "./aula-data/sim-cache"

    @Option(help: "RTSP port for the simulator.")
    var port: Int = 18_654

    @Option(help: "Passed to aula serve: read each unwatched camera's socket at most once per this many milliseconds (0: at once).")
    var readPacingMs: Int = 200

    @Option(help: "Rounds of Aula then ffmpeg, each in its own window; the summary is the median. On a shared machine one window can be much busier than the next.")
    var rounds: Int = 1

    @Flag(help: "Measure only Aula (skip the ffmpeg side).")
    var aulaOnly = false

    @Flag(help: "Record each camera's sub stream too (640x360 H.264, recorded beside the main stream; ffmpeg: a second process per camera).")
    var subStreams = false

    /// The streams recorded per camera: the main, and the sub stream with --sub-streams.
    var streams: [RecordedStream] { subStreams ? [.main, .sub] : [.main] }

    func path(_ camera: Int, _ stream: RecordedStream) -> String { "/sim/\(camera)" + (stream == .sub ? "/sub" : "") }

    func run() async throws {
        guard (1...2000).contains(cameras) else { throw ValidationError("--cameras must be between 1 and 2000") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 20") }
        let fm = FileManager.default
        try? fm.removeItem(atPath: data)
        try fm.createDirectory(atPath: data, withIntermediateDirectories: true)
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        let simulator = try spawnQuietly(me, ["simulate", "--cameras", "\(cameras)", "--port", "\(port)", "--cache", cache] + (subStreams ? ["--sub-streams"] : []))
        defer {
            kill(simulator, SIGTERM)
            var status: Int32 = 0
            waitpid(simulator, &status, 0)
        }
        // Encoding the scenes the first time takes a while; then the simulator listens.
        while !Self.accepts(port: port) { try await Task.sleep(for: .milliseconds(500)) }
        say("simulator: \(cameras) cameras at 1280x720, 25 fps, 2 Mbit/s" + (subStreams ? ", each with a sub stream at 640x360 (recorded too)" : ""))

        var ratios: [Double] = []
        for round in 1...rounds {
            if rounds > 1 { say("round \(round) of \(rounds)") }
            if let ratio = try await runRound(me: me) { ratios.append(ratio) }
        }
        if ratios.count > 1 {
            let sorted = ratios.sorted()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            say(String(format: "median over %d rounds: aula uses %.1f%% of ffmpeg's CPU (rounds: %@)", ratios.count, median * 100,
                       ratios.map { String(format: "%.1f%%", $0 * 100) }.joined(separator: ", ")))
        }
    }

    /// One window of Aula and one of ffmpeg; Aula's CPU as a share of ffmpeg's (nil with --aula-only).
    private func runRound(me: String) async throws -> Double? {
        let fm = FileManager.default
        try? fm.removeItem(atPath: data + "/aula")
        try? fm.removeItem(atPath: data + "/ffmpeg")
        // Aula: the catalogue lists the cameras before the server starts, as after a restart.
        let aulaData = data + "/aula"
        do {
            let catalog = try await openCatalog(data: aulaData)
            for i in 1...cameras {
                let sub = subStreams ? CameraStream(rtspURL: "rtsp://127.0.0.1:\(port)\(path(i, .sub))", record: true) : nil
                _ = try await catalog.insert(Camera(name: "Bench \(i)", rtspURL: "rtsp://127.0.0.1:\(port)/sim/\(i)", latitude: 0, longitude: 0, subStream: sub))
            }
        }
        let server = try spawnQuietly(me, ["serve", "--data", aulaData, "--listen", "127.0.0.1:0", "--log-level", "error", "--read-pacing-ms", "\(readPacingMs)"])
        let aula = try await measure([server])
        kill(server, SIGTERM)
        var status: Int32 = 0
        waitpid(server, &status, 0)
        let catalog = try await openCatalog(data: aulaData)
        var recorded = 0, lost = 0, indexBytes = 0
        for i in 1...cameras {
            for stream in streams {
                let recordings = try await catalog.recordings(camera: Int64(i), stream: stream, from: 0, to: Int64.max / 2)
                var previousEnd: Int64?
                for r in recordings {
                    indexBytes += r.index.count
                    let samples = try SampleIndex.decode(r.index, hasCompositionOffsets: r.hasCompositionOffsets)
                    recorded += samples.count
                    // The simulator's frames are exactly 3600 ticks apart, so a longer step is lost frames.
                    for s in samples.dropLast() where s.duration > 5400 { lost += Int((Double(s.duration) / 3600).rounded()) - 1 }
                    if let previousEnd, r.start90k - previousEnd > 5400 { lost += Int((Double(r.start90k - previousEnd) / 3600).rounded()) - 1 }
                    previousEnd = r.end90k
                }
            }
        }
        say(String(format: "aula:   CPU %.3f s per camera-minute (%.3f cores), RSS %.1f MB total, %.3f MB per camera; frames recorded %d, lost %d; index %.2f bytes per frame",
                   aula.cpu / Double(cameras) / (aula.seconds / 60), aula.cpu / aula.seconds, aula.rssMB, aula.rssMB / Double(cameras), recorded, lost, Double(indexBytes) / Double(max(1, recorded))))
        guard !aulaOnly else { return nil }

        // ffmpeg: one process per camera, remuxing into 60 s MP4 segments.
        var processes: [pid_t] = []
        for i in 1...cameras {
            for stream in streams {
                let folder = "\(data)/ffmpeg/\(i)" + (stream == .sub ? "/sub" : "")
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                processes.append(try spawnQuietly("/usr/bin/ffmpeg", ["-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", "rtsp://127.0.0.1:\(port)\(path(i, stream))",
                                                               "-c", "copy", "-f", "segment", "-segment_time", "60", "-segment_format", "mp4", "-reset_timestamps", "1", folder + "/%03d.mp4"]))
            }
        }
        let ffmpeg = try await measure(processes)
        // SIGTERM lets ffmpeg finish its open segment (write the moov box).
        for pid in processes { kill(pid, SIGTERM) }
        for pid in processes {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        var ffRecorded = 0, ffLost = 0
        for i in 1...cameras {
            for stream in streams {
                let folder = "\(data)/ffmpeg/\(i)" + (stream == .sub ? "/sub" : "")
                for file in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted() where file.hasSuffix(".mp4") {
                    let times = try packetTimes(folder + "/" + file)
                    ffRecorded += times.count
                    for (a, b) in zip(times, times.dropFirst()) where b - a > 0.06 { ffLost += Int(((b - a) * 25).rounded()) - 1 }
                }
            }
        }
        say(String(format: "ffmpeg: CPU %.3f s per camera-minute (%.3f cores), RSS %.1f MB total, %.3f MB per camera; frames recorded %d, lost %d",
                   ffmpeg.cpu / Double(cameras) / (ffmpeg.seconds / 60), ffmpeg.cpu / ffmpeg.seconds, ffmpeg.rssMB, ffmpeg.rssMB / Double(cameras), ffRecorded, ffLost))
        say(String(format: "aula uses %.1f%% of ffmpeg's CPU and %.1f%% of its memory", aula.cpu / ffmpeg.cpu * 100, aula.rssMB / ffmpeg.rssMB * 100))
        return aula.cpu / ffmpeg.cpu
    }

    /// Whether something listens on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// CPU seconds and resident memory of `processes` over `seconds`, after the warm-up.
    private func measure(_ processes: [pid_t]) async throws -> (cpu: Double, seconds: Double, rssMB: Double) {
        try await Task.sleep(for: .seconds(warmup))
        let cpu0 = processes.reduce(0) { $0 + cpuSeconds(pid: $1) }
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        let cpu = processes.reduce(0) { $0 + cpuSeconds(pid: $1) } - cpu0
        let rss = processes.reduce(0) { $0 + residentMB(pid: $1) }
        return (cpu, elapsed, rss)
    }


    /// Decoding times of a file's video packets, in seconds, from ffprobe.
    private func packetTimes(_ path: String) throws -> [Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        process.arguments = ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts_time", "-of", "csv=p=0", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: out, as: UTF8.self).split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }
}
