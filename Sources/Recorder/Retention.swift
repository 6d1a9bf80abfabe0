import Catalog
import Foundation
import Logging

/// How long footage is kept: a maximum age (per camera, with a default) and a global disk quota.
public struct RetentionPolicy: Sendable {
    /// Seconds; nil keeps footage until the quota needs the space.
    public var defaultMaxAgeSeconds: Int64?
    public var maxAgeSeconds: [Int64: Int64] = [:]
    /// Bytes of sample files for all cameras together; nil means no quota.
    public var quotaBytes: Int64?

    public init(defaultMaxAgeSeconds: Int64? = nil, quotaBytes: Int64? = nil) {
        self.defaultMaxAgeSeconds = defaultMaxAgeSeconds
        self.quotaBytes = quotaBytes
    }
}

/// Deletes the oldest footage first, crash-safely: rows move to the garbage list in one transaction,
/// then the files are unlinked and their directories fsynced, then the garbage rows go. A crash in
/// between leaves garbage that start-up reconciliation finishes. The newest recording of each camera
/// is never deleted, because the writer may still be appending to it.
public struct RetentionEnforcer: Sendable {
    public let store: any RecordingStore
    public let layout: SampleFileLayout
    public var policy: RetentionPolicy
    /// Evidence locks: recordings they cover are never deleted, whatever their age or the quota.
    public var locks: (any EvidenceLockStore)?
    let logger: Logger

    public init(store: any RecordingStore, layout: SampleFileLayout, policy: RetentionPolicy, logger: Logger) {
        self.store = store
        self.layout = layout
        self.policy = policy
        self.logger = logger
    }

    /// One pass; returns the ids deleted.
    @discardableResult
    public func enforce(now90k: Int64) async throws -> [Int64] {
        var doomed: [Recording] = []
        let held = try await locks?.evidenceLocks() ?? []
        func locked(_ r: Recording) -> Bool { held.contains { $0.covers(r) } }
        let usage = try await store.usage()
        var newest: [Int64: Int64] = [:]
        for camera in usage.keys {
            let recent = try await store.recordings(camera: camera, from: usage[camera]!.newest90k - 1, to: Int64.max / 2)
            newest[camera] = recent.map(\.id).max()
            if let age = policy.maxAgeSeconds[camera] ?? policy.defaultMaxAgeSeconds {
                doomed += try await store.recordings(camera: camera, endingBefore: now90k - age * 90_000).filter { $0.id != newest[camera] && !locked($0) }
            }
        }
        if let quota = policy.quotaBytes {
            var total = usage.values.reduce(Int64(0)) { $0 + $1.bytes } - doomed.reduce(Int64(0)) { $0 + $1.bytes }
            let already = Set(doomed.map(\.id))
            let protected = Set(newest.values)
            for r in try await store.oldestRecordings(limit: 100_000) where total > quota {
                guard !already.contains(r.id), !protected.contains(r.id), !locked(r) else { continue }
                doomed.append(r)
                total -= r.bytes
            }
        }
        guard !doomed.isEmpty else { return [] }
        let ids = doomed.map(\.id)
        try await store.moveToGarbage(ids: ids)
        var directories = Set<String>()
        for r in doomed {
            let path = layout.path(camera: r.cameraID, recording: r.id)
            if unlink(path) != 0 && errno != ENOENT { throw POSIXFailure(operation: "unlink \(path)", code: errno) }
            directories.insert(layout.directory(camera: r.cameraID))
        }
        for directory in directories where FileManager.default.fileExists(atPath: directory) { try SampleFile.syncDirectory(directory) }
        try await store.removeGarbage(ids: ids)
        logger.info("retention deleted recordings", metadata: ["count": "\(ids.count)", "bytes": "\(doomed.reduce(Int64(0)) { $0 + $1.bytes })"])
        return ids
    }
}
