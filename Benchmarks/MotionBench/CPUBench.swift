import Foundation
import Media
import Motion
import Simulator

/// CPU per camera of motion detection at default settings on 720p main streams, and ffmpeg
/// decoding the same streams as the decoder-bound baseline (docs/motion.md, "Benchmark").
struct CPUBench {
    var seconds: Int
    var cameras: Int
    var realtimeSeconds: Int
    var cache: String

    /// 720p main streams with something moving nearly all the time (an object every 3 s), the
    /// same three as quiet courtyards (an object every 60 s on average), and for comparison a
    /// 640 × 360 sub-stream at 512 kbit/s.
    static func scenes(courtyardSeconds: Int) -> [SceneSpec] {
        var scenes = [(SimCodec.h264, false, 201), (.h264, true, 202), (.h265, false, 203)].map { codec, night, seed in
            var spec = SceneSpec()
            spec.codec = codec
            spec.night = night
            spec.seed = UInt64(seed)
            spec.loopSeconds = 20
            return spec
        }
        var sub = scenes[0]
        sub.width = 640
        sub.height = 360
        sub.bitRate = 512_000
        let courtyards = scenes.map { busy in
            var spec = busy
            spec.meanGap = 60
            spec.loopSeconds = courtyardSeconds
            spec.seed += 100
            return spec
        }
        return scenes + courtyards + [sub]
    }

    func run() throws {
        let configuration = try MotionEvaluationSetup.configuration()
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; \(cpuModel())")
        print("settings: analysis \(configuration.settings.analysisFPS) fps at \(configuration.settings.analysisWidth) px wide; \(seconds) s of media per stream")
        print("")
        print("stream                          | every frame | ffmpeg same skips | default: Aula | decoded | catch-ups | cameras/core | ffmpeg key frames only | ffmpeg plain")
        for spec in Self.scenes(courtyardSeconds: max(seconds, 120)) {
            let camera = try SimulatedCamera(spec: spec, cache: cache)
            let units = repeated(camera, seconds: max(seconds, spec.loopSeconds))
            let media = Double(units.count) / Double(spec.frameRate)
            func analyse(_ decoding: MotionSettings.Decoding) throws -> (cpu: Double, skipped: Int, catchUps: Int) {
                var chosen = configuration
                chosen.settings.decoding = decoding
                let analyzer = MotionAnalyzer(configuration: chosen)
                let cpu = try measure {
                    try analyzer.streamStarted(parameters: VideoParameters(codec: camera.codec, parameterSets: camera.parameterSets))
                    for unit in units { _ = try analyzer.accessUnit(unit) }
                    _ = analyzer.streamEnded()
                }
                return (cpu, analyzer.skippedWhileQuiet, analyzer.catchUps)
            }
            let every = try analyse(.everyFrame)
            let quiet = try analyse(.keyFramesWhenQuiet)
            // ffmpeg on the same bytes, one thread, the same media duration.
            let file = "\(NSTemporaryDirectory())motionbench-\(spec.seed).\(spec.codec == .h264 ? "h264" : "hevc")"
            let loop = camera.annexB
            let copies = max(1, Int(media.rounded()) / spec.loopSeconds)
            FileManager.default.createFile(atPath: file, contents: Data(Array([[UInt8]](repeating: loop, count: copies).joined())))
            defer { try? FileManager.default.removeItem(atPath: file) }
            let format = spec.codec == .h264 ? "h264" : "hevc"
            let base = ["-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1"]
            let plain = try ffmpegCPU(base + ["-f", format, "-i", file, "-f", "null", "-"])
            let skips = try ffmpegCPU(base + ["-skip_loop_filter", "all", "-flags2", "fast", "-f", format, "-i", file, "-f", "null", "-"])
            let keys = try ffmpegCPU(base + ["-skip_loop_filter", "all", "-flags2", "fast", "-skip_frame", "nokey", "-f", format, "-i", file, "-f", "null", "-"])
            let ffMedia = Double(copies * spec.loopSeconds)
            func pct(_ cpu: Double, _ m: Double) -> String { String(format: "%5.2f %%", cpu / m * 100) }
            let kind = spec.width < 1280 ? "sub-stream" : spec.meanGap == 3 ? "busy" : "courtyard"
            let name = "\(spec.codec.rawValue) \(spec.night ? "night" : "day") \(spec.height)p25 \(kind)"
            let decoded = Double(units.count - quiet.skipped) / Double(units.count) * 100
            print("\(name.padding(toLength: 31, withPad: " ", startingAt: 0)) | \(pct(every.cpu, media))     | \(pct(skips, ffMedia))           | \(pct(quiet.cpu, media))       | \(String(format: "%5.1f %%", decoded)) | \(String(format: "%9d", quiet.catchUps)) | \(String(format: "%12.1f", media / quiet.cpu)) | \(pct(keys, ffMedia))                | \(pct(plain, ffMedia))")
        }
        print("(CPU as % of one core per camera: CPU seconds per second of media, one thread, faster than real time;")
        print(" \"every frame\" and \"default\" are decode + detect; \"decoded\" is the share of access units the default decoded)")
        try realtime(configuration: configuration)
    }

    /// Concurrent cameras paced in real time: the whole process's CPU while they run.
    func realtime(configuration: MotionConfiguration) throws {
        guard realtimeSeconds > 0, cameras > 0 else { return }
        // The courtyard at night: the case the default's key frames while quiet are for.
        let spec = Self.scenes(courtyardSeconds: max(seconds, 120))[4]
        let camera = try SimulatedCamera(spec: spec, cache: cache)
        let units = repeated(camera, seconds: realtimeSeconds + 2 + spec.loopSeconds)
        let gop = spec.gopFrames, loopFrames = spec.frameCount
        let parameters = try VideoParameters(codec: camera.codec, parameterSets: camera.parameterSets)
        let late = LateCounter()
        let start = DispatchTime.now().uptimeNanoseconds
        let cpu0 = processCPU()
        // One task per camera on Swift's cooperative pool (one thread per core), as the recorder
        // would run analysis; each task owns its analyzer and sleeps until its next frame is due.
        let done = DispatchSemaphore(value: 0)
        let cameraCount = cameras, limit = UInt64(realtimeSeconds) * 1_000_000_000
        Task {
            await withTaskGroup(of: Void.self) { group in
                for c in 0..<cameraCount {
                    group.addTask {
                        let analyzer = MotionAnalyzer(configuration: configuration)
                        try? analyzer.streamStarted(parameters: parameters)
                        let offset = UInt64(c) * 40_000_000 / UInt64(cameraCount)
                        // Each camera starts at its own key frame of the loop, so that together
                        // they show the scene's mix of quiet and busy stretches.
                        let first = c * loopFrames / cameraCount / gop * gop
                        let base = units[first].timestamp
                        for var unit in units[first...] {
                            unit.timestamp -= base
                            let due = start + offset + UInt64(unit.timestamp) * 1_000_000_000 / 90_000
                            if due > start + limit { break }
                            let now = DispatchTime.now().uptimeNanoseconds
                            if due > now { try? await Task.sleep(nanoseconds: due - now) } else if now - due > 200_000_000 { late.add() }
                            _ = try? analyzer.accessUnit(unit)
                        }
                    }
                }
            }
            done.signal()
        }
        done.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = processCPU() - cpu0
        print(String(format: "real time: %d cameras (H.264 night 720p25 courtyard, default settings, one task each) for %.0f s: %.3f cores in all, %.2f %% of a core per camera, %d frames more than 200 ms late",
                     cameras, elapsed, cpu / elapsed, cpu / elapsed / Double(cameras) * 100, late.count))
    }

    /// The scene's access units repeated to `seconds`, timestamps continuing.
    func repeated(_ camera: SimulatedCamera, seconds: Int) -> [AccessUnit] {
        let loop = Int64(camera.spec.frameCount) * Int64(90_000 / camera.spec.frameRate)
        var units: [AccessUnit] = []
        var round: Int64 = 0
        while units.count < seconds * camera.spec.frameRate {
            for var unit in camera.units where units.count < seconds * camera.spec.frameRate {
                unit.timestamp += round * loop
                units.append(unit)
            }
            round += 1
        }
        return units
    }

    func measure(_ body: () throws -> Void) throws -> Double {
        let before = processCPU()
        try body()
        return processCPU() - before
    }

    func ffmpegCPU(_ args: [String]) throws -> Double {
        let before = childrenCPU()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = args
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(description: "ffmpeg \(args.joined(separator: " ")) exited with \(process.terminationStatus)") }
        return childrenCPU() - before
    }
}

struct BenchError: Error, CustomStringConvertible { var description: String }

final class LateCounter: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var value = 0
    func add() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

func processCPU() -> Double { rusageSeconds(RUSAGE_SELF) }
func childrenCPU() -> Double { rusageSeconds(RUSAGE_CHILDREN) }

func rusageSeconds(_ who: __rusage_who) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(who.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func cpuModel() -> String {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) else { return "unknown CPU" }
    return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
}
