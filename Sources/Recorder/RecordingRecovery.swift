import Catalog
import Footage
import Foundation
import Logging
import Synchronization

/// What start-up reconciliation found and did (docs/storage.md, "Recovery").
public struct RecoveryReport: Sendable, Equatable {
    /// Recordings whose files held more than the index committed (a crash mid-flush): truncated to the index.
    public var truncated: [Int64] = []
    /// Files no index row knows (created, never committed): removed.
    public var orphansRemoved: [String] = []
    /// Garbage from an interrupted deletion, now finished.
    public var garbageCollected: [Int64] = []
    /// Rows whose file is missing or shorter than the index says: reported, never served.
    public var damaged: [Int64: String] = [:]
    /// The first free recording id.
    public var nextID: Int64 = 1

    public init() {}
}

public enum RecordingRecovery {
    /// Makes the sample files and the index agree before recording starts.
    public static func reconcile(layout: SampleFileLayout, store: any RecordingStore, logger: Logger) async throws -> RecoveryReport {
        var report = RecoveryReport()
        let fm = FileManager.default
        try fm.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        // 1. Finish interrupted deletions.
        let garbage = try await store.garbage()
        for g in garbage {
            let path = layout.path(camera: g.camera, recording: g.id)
            if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
        }
        for directory in Set(garbage.map { layout.directory(camera: $0.camera) }) where fm.fileExists(atPath: directory) {
            try SampleFile.syncDirectory(directory)
        }
        try await store.removeGarbage(ids: garbage.map(\.id))
        report.garbageCollected = garbage.map(\.id).sorted()

        // 2. Check every indexed file against its row.
        let rows = try await store.allRecordingLocations()
        var known = Set<String>()
        for row in rows {
            let path = layout.path(camera: row.camera, recording: row.id)
            known.insert(path)
            guard let attributes = try? fm.attributesOfItem(atPath: path), let size = (attributes[.size] as? NSNumber)?.int64Value else {
                report.damaged[row.id] = "sample file \(path) is missing"
                continue
            }
            if size > row.bytes {
                guard truncate(path, off_t(row.bytes)) == 0 else { throw POSIXFailure(operation: "truncate \(path)", code: errno) }
                report.truncated.append(row.id)
            } else if size < row.bytes {
                report.damaged[row.id] = "sample file \(path) has \(size) bytes, the index expects \(row.bytes)"
            }
        }
        // 3. Files the index does not know were never committed: remove them.
        var maxID: Int64 = try await store.maxRecordingID()
        for cameraDir in (try? fm.contentsOfDirectory(atPath: layout.root)) ?? [] {
            let directory = "\(layout.root)/\(cameraDir)"
            var removed = false
            for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = "\(directory)/\(name)"
                if let id = Int64(name.replacingOccurrences(of: ".sample", with: "")) { maxID = max(maxID, id) }
                if !known.contains(path) {
                    try fm.removeItem(atPath: path)
                    report.orphansRemoved.append(path)
                    removed = true
                }
            }
            if removed { try SampleFile.syncDirectory(directory) }
        }
        report.nextID = maxID + 1
        report.truncated.sort()
        report.orphansRemoved.sort()
        if !report.truncated.isEmpty || !report.orphansRemoved.isEmpty || !report.damaged.isEmpty || !report.garbageCollected.isEmpty {
            logger.notice("recordings reconciled", metadata: [
                "truncated": "\(report.truncated.count)", "orphansRemoved": "\(report.orphansRemoved.count)",
                "damaged": "\(report.damaged.count)", "garbageCollected": "\(report.garbageCollected.count)",
            ])
        }
        for (id, reason) in report.damaged { logger.error("recording damaged", metadata: ["recording": "\(id)", "reason": "\(reason)"]) }
        return report
    }
}

/// The last start-up reconciliation, for serving (damaged files are left out of exports) and status.
public final class RecoveryState: Sendable {
    private let report = Mutex(RecoveryReport())
    public init() {}
    public func set(_ r: RecoveryReport) { report.withLock { $0 = r } }
    public var damaged: [Int64: String] { report.withLock { $0.damaged } }
    public var current: RecoveryReport { report.withLock { $0 } }
}
