import Foundation
import Logging
import RTSP

/// `aula simulate`: N synthetic courtyard cameras at `rtsp://host:port/sim/1` … `/sim/N`, each
/// with an H.264 sub stream at half the width and height at `/sim/N/sub` when `subStreams` is set
/// (the same scene, as a real camera's second stream).
///
/// Camera *i* gets seed *i* and every fourth camera films at night. Streams are encoded at start-up
/// (cached under `cacheDirectory` when given) and then only replayed, so that hundreds of cameras
/// cost little CPU.
public final class CameraSimulator: Sendable {
    public let streams: [SimulatedStream]
    /// The sub streams, camera by camera (empty without `subStreams`).
    public let subStreams: [SimulatedStream]
    let server: RTSPServer

    public init(cameras: Int, base: SceneSpec = SceneSpec(), cacheDirectory: String? = nil, distinctScenes: Int = 8,
                subStreams: Bool = false, credentials: Credentials? = nil, logger: Logger = Logger(label: "aula.simulate")) throws {
        // Scenes are shared between cameras beyond `distinctScenes` so that start-up stays short;
        // each camera still has its own session, timestamps and sequence numbers.
        var scenes: [SimulatedStream] = []
        for i in 0..<min(cameras, max(1, distinctScenes)) {
            var spec = base
            spec.seed = base.seed &+ UInt64(i)
            spec.night = base.night || i % 4 == 3
            logger.info("encoding simulated scene", metadata: ["scene": "\(i + 1)", "night": "\(spec.night)"])
            scenes.append(try SimulatedStream(spec: spec, cacheDirectory: cacheDirectory))
        }
        streams = (0..<cameras).map { scenes[$0 % scenes.count] }
        var subScenes: [SimulatedStream] = []
        if subStreams {
            for scene in scenes {
                var spec = scene.spec
                spec.width = max(64, spec.width / 4 * 2)
                spec.height = max(64, spec.height / 4 * 2)
                spec.bitRate = max(100_000, spec.bitRate / 4)
                spec.codec = .h264
                spec.bFrames = 0
                subScenes.append(try SimulatedStream(spec: spec, cacheDirectory: cacheDirectory))
            }
        }
        self.subStreams = subScenes.isEmpty ? [] : (0..<cameras).map { subScenes[$0 % subScenes.count] }
        server = RTSPServer(mounts: streams.enumerated().map { i, s in
            RTSPMount(path: "/sim/\(i + 1)", loop: s.loop, credentials: credentials)
        } + self.subStreams.enumerated().map { i, s in
            RTSPMount(path: "/sim/\(i + 1)/sub", loop: s.loop, credentials: credentials)
        }, logger: logger)
    }

    /// ``init(cameras:base:cacheDirectory:distinctScenes:credentials:logger:)`` on a thread of its
    /// own: encoding the scenes takes seconds of CPU, which must not hold one of the few threads of
    /// Swift's cooperative pool (where everything else in a test process or a server waits).
    public static func make(cameras: Int, base: SceneSpec = SceneSpec(), cacheDirectory: String? = nil, distinctScenes: Int = 8,
                            subStreams: Bool = false, credentials: Credentials? = nil, logger: Logger = Logger(label: "aula.simulate")) async throws -> CameraSimulator {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try CameraSimulator(cameras: cameras, base: base, cacheDirectory: cacheDirectory, distinctScenes: distinctScenes,
                                        subStreams: subStreams, credentials: credentials, logger: logger)
                })
            }.start()
        }
    }

    /// Starts serving; returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        try await server.start(host: host, port: port)
    }

    public func stop() async { await server.stop() }
}
