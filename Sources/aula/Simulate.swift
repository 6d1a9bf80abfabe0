import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Simulator

/// Options that describe simulated scenes, shared by `simulate` and `demo`.
struct SceneOptions: ParsableArguments {
    @Option(help: "Codec of the simulated cameras: h264 or h265.")
    var codec: String = "h264"

    @Option(help: "Picture size, WIDTHxHEIGHT.")
    var size: String = "1280x720"

    @Option(help: "Frames per second.")
    var fps: Int = 25

    @Option(help: "Bit rate in bits per second.")
    var bitrate: Int = 2_000_000

    @Option(help: "Seconds of video before the scene loops (a multiple of the 2 s GOP).")
    var loopSeconds: Int = 20

    @Option(help: "B-frames between references (cameras rarely use them).")
    var bFrames: Int = 0

    func spec() throws -> SceneSpec {
        var spec = SceneSpec()
        guard let c = SimCodec(rawValue: codec.lowercased()) else { throw ValidationError("--codec must be h264 or h265") }
        spec.codec = c
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 64, parts[1] >= 64, parts[0] % 2 == 0, parts[1] % 2 == 0, parts[0] <= 3840, parts[1] <= 2160 else {
            throw ValidationError("--size must be WIDTHxHEIGHT with even numbers between 64 and 3840x2160")
        }
        spec.width = parts[0]
        spec.height = parts[1]
        guard (1...60).contains(fps) else { throw ValidationError("--fps must be between 1 and 60") }
        spec.frameRate = fps
        spec.gopFrames = 2 * fps
        guard (50_000...50_000_000).contains(bitrate) else { throw ValidationError("--bitrate must be between 50000 and 50000000") }
        spec.bitRate = bitrate
        guard (2...600).contains(loopSeconds) else { throw ValidationError("--loop-seconds must be between 2 and 600") }
        spec.loopSeconds = loopSeconds
        guard (0...3).contains(bFrames) else { throw ValidationError("--b-frames must be between 0 and 3") }
        spec.bFrames = bFrames
        return spec
    }
}

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve simulated courtyard cameras at rtsp://HOST:PORT/sim/1 … /sim/N.")

    @Option(help: "Number of cameras.")
    var cameras: Int = 8

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "RTSP port.")
    var port: Int = 8554

    @Option(help: "Folder to cache encoded scenes in, so that restarts are instant.")
    var cache: String?

    @Option(help: "Write the ground truth (when each object is in view) to this JSON file.")
    var groundTruth: String?

    @Flag(help: "Also serve each camera's H.264 sub stream (half the width and height) at /sim/N/sub.")
    var subStreams = false

    @OptionGroup var scene: SceneOptions

    func run() async throws {
        guard (1...2000).contains(cameras) else { throw ValidationError("--cameras must be between 1 and 2000") }
        let logger = makeLogger("info")
        let simulator = try await CameraSimulator.make(cameras: cameras, base: try scene.spec(), cacheDirectory: cache, subStreams: subStreams, logger: logger)
        if let groundTruth {
            try writeGroundTruth(simulator, to: groundTruth)
        }
        let bound = try await simulator.start(host: host, port: port)
        say("Simulating \(cameras) cameras at rtsp://\(host):\(bound)/sim/1 … /sim/\(cameras)" + (subStreams ? ", sub streams at /sim/N/sub" : ""))
        try await waitForSignal()
        await simulator.stop()
    }
}

func writeGroundTruth(_ simulator: CameraSimulator, to path: String) throws {
    struct Entry: Encodable { var camera: Int; var night: Bool; var loopSeconds: Double; var objects: [GroundTruthObject] }
    let entries = simulator.streams.enumerated().map { i, s in
        Entry(camera: i + 1, night: s.spec.night, loopSeconds: Double(s.spec.frameCount) / Double(s.spec.frameRate), objects: s.objects)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(entries).write(to: URL(fileURLWithPath: path))
}

/// Waits for SIGINT or SIGTERM, through swift-service-lifecycle like the server.
func waitForSignal() async throws {
    struct Waiter: Service {
        func run() async throws { try? await gracefulShutdown() }
    }
    let group = ServiceGroup(services: [Waiter()], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "aula"))
    try await group.run()
}
