import Catalog
import Synchronization

/// Per-stream recording figures, cached for a few seconds: summing a large index on every status
/// request would cost more than the status is worth.
public final class UsageCache: Sendable {
    public typealias Usage = [Int64: (bytes: Int64, oldest90k: Int64, newest90k: Int64)]
    public typealias StreamUsage = [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)]
    private let store: any RecordingStore
    private let cached = Mutex<(at: ContinuousClock.Instant, usage: StreamUsage)?>(nil)
    private let maxAge: Duration

    public init(store: any RecordingStore, maxAge: Duration = .seconds(5)) {
        self.store = store
        self.maxAge = maxAge
    }

    /// Every recorded stream of every camera.
    public func streams() async throws -> StreamUsage {
        if let c = cached.withLock({ $0 }), ContinuousClock.now - c.at < maxAge { return c.usage }
        let fresh = try await store.streamUsage()
        cached.withLock { $0 = (ContinuousClock.now, fresh) }
        return fresh
    }

    /// One stream of each camera: the main stream's is what "recording" means for status and
    /// alerts (a camera whose main stream stalls is not recording, whatever its sub stream does).
    public func usage(of stream: RecordedStream = .main) async throws -> Usage {
        var result: Usage = [:]
        for (key, u) in try await streams() where key.stream == stream { result[key.camera] = u }
        return result
    }

    /// Bytes of every recorded stream together (quota, disk pressure).
    public func totalBytes() async throws -> Int64 {
        try await streams().values.reduce(Int64(0)) { $0 + $1.bytes }
    }
}
