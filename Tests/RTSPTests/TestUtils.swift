import Foundation
import Logging
import Media
import RTSP
import Simulator
import Synchronization
import Testing

/// What a test session received before it stopped.
struct Received: Sendable {
    var info: StreamInfo?
    var units: [AccessUnit] = []
    var parameters: VideoParameters?
    var stats: DepacketizerStats?
    var error: (any Error)?
    /// When each unit arrived (direct delivery only).
    var arrivals: [ContinuousClock.Instant] = []
}

private struct EnoughFrames: Error {}

/// Runs an RTSP session until `count` access units arrived, the session failed, or `timeout` passed.
/// `direct` receives them as a recorder does, on the event loop (``RTSPFrameHandler``), optionally
/// with read pacing.
func receive(_ url: String, credentials: Credentials? = nil, count: Int, timeout: Duration = .seconds(20),
             direct: Bool = false, pacing: Duration? = nil) async -> Received {
    let box = Locked(Received())
    var configuration = RTSPClientConfiguration(url: RTSPURL(url)!, credentials: credentials)
    configuration.readTimeoutSeconds = 5
    configuration.connectTimeout = .seconds(2)
    configuration.readPacing = pacing
    let client = RTSPClient(configuration: configuration, logger: Logger(label: "test"))
    if direct {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    _ = try await client.run(frames: { unit, parameters, stats in
                        let now = ContinuousClock.now
                        box.withLock { r in
                            guard r.units.count < count else { return }
                            r.units.append(unit)
                            r.arrivals.append(now)
                            r.parameters = parameters
                            r.stats = stats
                        }
                    }) { event in
                        if case .started(let info) = event { box.withLock { $0.info = info } }
                    }
                } catch is CancellationError {
                } catch {
                    box.withLock { $0.error = error }
                }
            }
            group.addTask {
                let deadline = ContinuousClock.now + timeout
                while ContinuousClock.now < deadline, box.withLock({ $0.units.count < count && $0.error == nil }) {
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            await group.next()
            group.cancelAll()
        }
        return box.withLock { $0 }
    }
    await withTaskGroup(of: Void.self) { group in
        group.addTask {
            do {
                _ = try await client.run { event in
                    let done = box.withLock { r -> Bool in
                        switch event {
                        case .started(let info): r.info = info
                        case .accessUnit(let unit, let parameters, let stats):
                            r.units.append(unit)
                            r.parameters = parameters
                            r.stats = stats
                        }
                        return r.units.count >= count
                    }
                    if done { throw EnoughFrames() }
                }
            } catch is EnoughFrames {
            } catch {
                box.withLock { $0.error = error }
            }
        }
        group.addTask { try? await Task.sleep(for: timeout) }
        await group.next()
        group.cancelAll()
    }
    return box.withLock { $0 }
}

/// A small, quick scene for tests: 320×240, 25 fps, 2 s GOP.
func testSpec(codec: SimCodec = .h264, loopSeconds: Int = 4, bFrames: Int = 0) -> SceneSpec {
    var spec = SceneSpec()
    spec.width = 320
    spec.height = 240
    spec.bitRate = 300_000
    spec.loopSeconds = loopSeconds
    spec.codec = codec
    spec.bFrames = bFrames
    return spec
}

/// Where the package lives, for scripts the tests run.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A GStreamer RTSP server (Debian's gst-rtsp-server, through python3-gi) as an independent camera.
final class GStreamerCamera: Sendable {
    let process: Process
    let port: Int

    init(frames: Int, keyint: Int) throws {
        var lastError: (any Error)?
        for _ in 0..<5 {
            // Below Linux's ephemeral range (32768 and up), where other tests' client sockets and
            // port-0 listeners live: a port taken there made the camera "close" before PLAY.
            let port = Int.random(in: 20_000...32_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["\(packageRoot)/scripts/gst_rtsp_server.py", "--port", "\(port)", "--frames", "\(frames)", "--keyint", "\(keyint)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = pipe.fileHandleForReading.availableLine(timeout: 10)
            if line?.hasPrefix("ready") == true {
                self.process = process
                self.port = port
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lastError = GStreamerError(message: "gst_rtsp_server.py did not start (said: \(line ?? "nothing"))")
        }
        throw lastError ?? GStreamerError(message: "could not start")
    }

    /// Starts the camera on a thread of its own: waiting for Python and GStreamer to start (seconds
    /// on a busy machine) must not hold one of the cooperative pool's threads, on which every RTSP
    /// session of every other test runs.
    static func start(frames: Int, keyint: Int) async throws -> GStreamerCamera {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try GStreamerCamera(frames: frames, keyint: keyint) }) }
        }
    }

    deinit {
        // SIGKILL: the server must go even if a pipeline is wedged; nothing of it needs saving.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct GStreamerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension FileHandle {
    /// Reads one line, giving up after `timeout` seconds.
    func availableLine(timeout: Double) -> String? {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let data = self.readData(ofLength: 1)
            guard let b = data.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if b == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(b)
        }
        return nil
    }
}

/// A value behind a lock, shareable between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}
