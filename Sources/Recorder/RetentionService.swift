import Catalog
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs ``RetentionEnforcer`` every `interval`, and at once when the volume's free space falls
/// below the reserve or the writer hits a full disk (checked every second: `statvfs` is cheap).
public struct RetentionService: Service {
    let enforcer: RetentionEnforcer
    /// The node's writers (main and sub streams): a full disk in either frees space at once.
    let writers: [RecordingWriter]
    let state: StorageState
    let interval: Duration
    let logger: Logger

    public init(enforcer: RetentionEnforcer, writers: [RecordingWriter], state: StorageState, interval: Duration, logger: Logger) {
        self.enforcer = enforcer
        self.writers = writers
        self.state = state
        self.interval = interval
        self.logger = logger
    }

    /// The enforcer with each camera's retention as the catalogue holds it now: the main stream's
    /// age (`PUT /api/cameras/{id}/retention`) and the recorded sub stream's (`subStream.maxAgeDays`).
    public func currentEnforcer() async throws -> RetentionEnforcer {
        var enforcer = self.enforcer
        for (camera, days) in try await enforcer.store.maxAgeDays() { enforcer.policy.maxAgeSeconds[camera] = Int64(days) * 86_400 }
        for camera in try await enforcer.cameras?.cameras() ?? [] {
            if let days = camera.subStream?.maxAgeDays { enforcer.policy.subMaxAgeSeconds[camera.id] = Int64(days) * 86_400 }
        }
        return enforcer
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var last: ContinuousClock.Instant?
        var lastDiskFullSeen: Int64?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let diskFull = writers.compactMap(\.writeFailures.lastDiskFull).max()
            var due = last.map { clock.now - $0 >= interval } ?? true
            let emergency = diskFull != lastDiskFullSeen
            if emergency { due = true }
            if !due, let volume = VolumeSpace.of(enforcer.layout.root),
               volume.availableBytes < enforcer.policy.reserve(volumeBytes: volume.totalBytes) {
                due = true
            }
            if due {
                lastDiskFullSeen = diskFull
                last = clock.now
                do {
                    let enforcer = try await currentEnforcer()
                    let pass = try await enforcer.enforcePass(now90k: Int64(Date().timeIntervalSince1970 * 90_000), emergency: emergency)
                    state.record(pass)
                } catch {
                    logger.error("retention failed", metadata: ["error": "\(error)"])
                    state.recordError("\(error)")
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}

/// Retention's latest view of the disk, for `GET /api/storage` and `/metrics`.
public final class StorageState: Sendable {
    public struct Snapshot: Sendable {
        public var lastPass: RetentionPass?
        public var lastPassTime: Int64?
        public var deletedRecordings = 0
        public var deletedBytes: Int64 = 0
        public var deletedEvents = 0
        public var lastError: String?
    }
    private let value = Mutex(Snapshot())

    public init() {}

    public func record(_ pass: RetentionPass) {
        value.withLock {
            $0.lastPass = pass
            $0.lastPassTime = Int64(Date().timeIntervalSince1970 * 1e6)
            $0.deletedRecordings += pass.deleted.count
            $0.deletedBytes += pass.deletedBytes
            $0.deletedEvents += pass.deletedEvents
            $0.lastError = nil
        }
    }
    public func recordError(_ message: String) { value.withLock { $0.lastError = message } }
    public var snapshot: Snapshot { value.withLock { $0 } }
}
