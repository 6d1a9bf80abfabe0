import Catalog
import Foundation
import Synchronization

/// Exports already laid out, so that the many Range and HEAD requests of one playback build the
/// range's index once (issue 15) instead of once per request.
///
/// Only ranges that ended at least `settledSeconds` ago are kept (a range at the live edge still
/// grows), for ``lifetime``, at most ``capacity`` of them; a hit whose sample files are no longer
/// all there (retention deleted one) is built again.
public final class ExportCache: Sendable {
    static let lifetime: Duration = .seconds(120)
    static let capacity = 64
    /// How long ago a range must have ended to be kept: later commits only append after it.
    public let settledSeconds: Int64

    public init(settledSeconds: Int64 = 30) { self.settledSeconds = settledSeconds }

    private let entries = Mutex<[String: (file: ExportFile, made: ContinuousClock.Instant)]>([:])
    private let counts = Mutex<(hits: Int, builds: Int)>((0, 0))

    public func file(camera: Int64, stream: RecordedStream = .main, start: Int64, end: Int64, now90k: Int64,
                     build: () async throws -> ExportFile) async throws -> ExportFile {
        let key = "\(camera):\(stream.rawValue):\(start):\(end)"
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), now - hit.made < Self.lifetime,
           hit.file.sources.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) {
            counts.withLock { $0.hits += 1 }
            return hit.file
        }
        let file = try await build()
        counts.withLock { $0.builds += 1 }
        guard end <= now90k - settledSeconds * 90_000 else { return file }
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { now - $0.value.made < Self.lifetime }
                if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.made < $1.value.made })?.key { entries.removeValue(forKey: oldest) }
            }
            entries[key] = (file, now)
        }
        return file
    }

    /// Requests answered from the cache and indexes built, for tests and metrics.
    public var statistics: (hits: Int, builds: Int) { counts.withLock { $0 } }
}
