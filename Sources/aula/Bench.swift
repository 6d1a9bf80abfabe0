import ArgumentParser
import Catalog
import Foundation
import Logging
import Media
import RTSP

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (see docs/performance.md).",
        subcommands: [BenchSimulator.self, BenchRecord.self, BenchMasks.self, BenchGuards.self])
}

/// Measures what `aula simulate` costs: N cameras served to N RTSP sessions for a while.
struct BenchSimulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "simulator", abstract: "CPU of N simulated cameras streaming to N clients.")

    @Option(help: "Number of simulated cameras (and client sessions).")
    var cameras: Int = 200

    @Option(help: "Seconds to measure, after a warm-up.")
    var seconds: Int = 30

    @Option(help: "Folder to cache encoded scenes in.")
    var cache: String = "./aula-data/sim-cache"

    @Option(help: "RTSP port for the simulator.")
    var port: Int = 18_554

    func run() async throws {
        // The simulator runs in its own process so that its CPU time is measured alone.
        let simulator = Process()
        simulator.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        simulator.arguments = ["simulate", "--cameras", "\(cameras)", "--port", "\(port)", "--cache", cache]
        let pipe = Pipe()
        simulator.standardOutput = pipe
        try simulator.run()
        defer { simulator.terminate() }
        _ = pipe.fileHandleForReading.availableData  // "Simulating …" once it listens
        let counter = FrameCounter(cameras: cameras)
        var tasks: [Task<Void, Never>] = []
        for i in 1...cameras {
            var configuration = RTSPClientConfiguration(url: RTSPURL("rtsp://127.0.0.1:\(port)/sim/\(i)")!)
            configuration.readTimeoutSeconds = 30
            let client = RTSPClient(configuration: configuration, logger: Logger(label: "bench"))
            tasks.append(Task {
                _ = try? await client.run { event in
                    if case .accessUnit(_, _, let stats) = event { counter.add(camera: i - 1, gaps: stats.gaps) }
                }
            })
        }
        try await Task.sleep(for: .seconds(5))  // warm-up: every session connected and playing
        let cpu0 = cpuSeconds(pid: simulator.processIdentifier)
        let frames0 = counter.total
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        let cpu = cpuSeconds(pid: simulator.processIdentifier) - cpu0
        let frames = counter.total - frames0
        let rss = residentMB(pid: simulator.processIdentifier)
        for task in tasks { task.cancel() }
        let expected = Double(cameras) * 25 * elapsed
        say(String(format: "simulator: %d cameras, %.0f s: CPU %.3f cores (%.2f ms per camera-second), RSS %.0f MB; frames received %d of ~%.0f expected (%.2f%%), sequence gaps %d",
                   cameras, elapsed, cpu / elapsed, cpu / elapsed / Double(cameras) * 1000, rss, frames, expected, Double(frames) / expected * 100, counter.gaps))
    }
}

final class FrameCounter: Sendable {
    private let state: Locked<(total: Int, gaps: [Int])>
    init(cameras: Int) { state = Locked((0, Array(repeating: 0, count: cameras))) }
    func add(camera: Int, gaps: Int) { state.withLock { $0.total += 1; $0.gaps[camera] = gaps } }
    var total: Int { state.withLock { $0.total } }
    var gaps: Int { state.withLock { $0.gaps.reduce(0, +) } }
}

/// user + system CPU seconds of a process, from /proc.
func cpuSeconds(pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return 0 }
    return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Resident memory of a process in MB, from /proc.
func residentMB(pid: Int32) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

/// Starts a process with every signal unblocked and at its default action. (Foundation's
/// `Process` passes on the mask of the spawning thread, where the concurrency runtime blocks
/// SIGTERM, so an ffmpeg started that way could never be asked to finish its file.)
func spawnQuietly(_ tool: String, _ arguments: [String]) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([tool] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, tool, &actions, &attributes, argv, environ)
    guard rc == 0 else { throw ValidationError("cannot start \(tool): \(String(cString: strerror(rc)))") }
    return pid
}
