import Catalog
import Synchronization

/// Per-camera recording figures, cached for a few seconds: summing a large index on every status
/// request would cost more than the status is worth.
public final class UsageCache: Sendable {
    public typealias Usage = [Int64: (bytes: Int64, oldest90k: Int64, newest90k: Int64)]
    private let store: any RecordingStore
    private let cached = Mutex<(at: ContinuousClock.Instant, usage: Usage)?>(nil)
    private let maxAge: Duration

    public init(store: any RecordingStore, maxAge: Duration = .seconds(5)) {
        self.store = store
        self.maxAge = maxAge
    }

    public func usage() async throws -> Usage {
        if let c = cached.withLock({ $0 }), ContinuousClock.now - c.at < maxAge { return c.usage }
        let fresh = try await store.usage()
        cached.withLock { $0 = (ContinuousClock.now, fresh) }
        return fresh
    }
}

