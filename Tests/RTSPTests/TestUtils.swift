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


/// A value behind a lock, shareable between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}
