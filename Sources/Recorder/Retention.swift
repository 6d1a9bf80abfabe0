import Catalog
import Footage
import Foundation
import Logging

/// How long footage is kept: a maximum age (per camera, with a default) and a global disk quota.
public struct RetentionPolicy: Sendable {
    /// Seconds; nil keeps footage until the quota needs the space.
    public var defaultMaxAgeSeconds: Int64?
    public var maxAgeSeconds: [Int64: Int64] = [:]
    /// Per camera, the age of its recorded sub stream (cameras without one keep the sub stream as
    /// long as the main).
    public var subMaxAgeSeconds: [Int64: Int64] = [:]
    /// Bytes of sample files for all cameras together; nil means no quota.
    public var quotaBytes: Int64?
    /// The quota as a share (0…1) of the volume holding the recordings; the smaller quota wins.
    public var quotaShare: Double?
    /// Free space to keep on the volume whatever the quota, so that a disk shared with other data
    /// never fills up. nil: 2% of the volume, at most 2 GiB. 0 turns the reserve off.
    public var minFreeBytes: Int64?

    public init(defaultMaxAgeSeconds: Int64? = nil, quotaBytes: Int64? = nil, quotaShare: Double? = nil, minFreeBytes: Int64? = nil) {
        self.defaultMaxAgeSeconds = defaultMaxAgeSeconds
        self.quotaBytes = quotaBytes
        self.quotaShare = quotaShare
        self.minFreeBytes = minFreeBytes
    }

    /// The quota in bytes for a volume of `volumeBytes`.
    public func effectiveQuota(volumeBytes: Int64) -> Int64? {
        let share = quotaShare.map { Int64(Double(volumeBytes) * $0) }
        switch (quotaBytes, share) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }

    /// The free-space reserve in bytes for a volume of `volumeBytes`.
    public func reserve(volumeBytes: Int64) -> Int64 {
        minFreeBytes ?? min(2 << 30, volumeBytes / 50)
    }
}

/// Size and free space of the volume that holds a folder (`statvfs`).
public struct VolumeSpace: Sendable, Equatable {
    public var totalBytes: Int64
    /// Free to unprivileged writers (what Aula can use).
    public var availableBytes: Int64

    public init(totalBytes: Int64, availableBytes: Int64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
    }

    public static func of(_ path: String) -> VolumeSpace? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        let unit = Int64(s.f_frsize)
        return VolumeSpace(totalBytes: Int64(s.f_blocks) * unit, availableBytes: Int64(s.f_bavail) * unit)
    }
}

/// What one retention pass did.
public struct RetentionPass: Sendable {
    public var deleted: [Int64] = []
    public var deletedBytes: Int64 = 0
    /// Motion events deleted with the footage they were about (they ended before their camera's
    /// oldest remaining recording).
    public var deletedEvents = 0
    /// Recordings that age, quota or reserve asked to delete but that are the newest of their
    /// camera (the writer may be appending): the pressure cannot be relieved further.
    public var blocked = false
    public var volume: VolumeSpace?
    public var recordingsBytes: Int64 = 0
}

/// Deletes the oldest footage first, crash-safely: rows move to the garbage list in one transaction
/// (with the motion events that end before each camera's new oldest recording), then the files are
/// unlinked and their directories fsynced, then the garbage rows go. A crash in
/// between leaves garbage that start-up reconciliation finishes. The newest recording of each camera
/// is never deleted, because the writer may still be appending to it.
public struct RetentionEnforcer: Sendable {
    public let store: any RecordingStore
    public let layout: SampleFileLayout
    public var policy: RetentionPolicy
    /// Evidence locks: recordings they cover are never deleted, whatever their age or the quota.
    public var locks: (any EvidenceLockStore)?
    /// Where the service reads each camera's sub-stream retention (``RetentionPolicy/subMaxAgeSeconds``).
    public var cameras: (any CameraStore)?
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
        try await enforcePass(now90k: now90k).deleted
    }

    /// One pass: age first, then the quota, then the free-space reserve of the volume.
    /// `emergency` (the writer hit a full disk) frees at least the reserve or 5% of the volume,
    /// whichever is larger, even when the reserve is turned off.
    public func enforcePass(now90k: Int64, emergency: Bool = false) async throws -> RetentionPass {
        var pass = RetentionPass()
        var doomed: [Recording] = []
        let held = try await locks?.evidenceLocks() ?? []
        func locked(_ r: Recording) -> Bool { held.contains { $0.covers(r) } }
        let usage = try await store.streamUsage()
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let volume = VolumeSpace.of(layout.root)
        pass.volume = volume
        // Per stream of each camera: its newest recording is kept, and its own age applies.
        var newest: [RecordedStreamID: Int64] = [:]
        for (key, use) in usage {
            let recent = try await store.recordings(camera: key.camera, stream: key.stream, from: use.newest90k - 1, to: Int64.max / 2)
            newest[key] = recent.map(\.id).max()
            let mainAge = policy.maxAgeSeconds[key.camera] ?? policy.defaultMaxAgeSeconds
            if let age = key.stream == .sub ? policy.subMaxAgeSeconds[key.camera] ?? mainAge : mainAge {
                doomed += try await store.recordings(camera: key.camera, stream: key.stream, endingBefore: now90k - age * 90_000)
                    .filter { $0.id != newest[key] && !locked($0) }
            }
        }
        let stored = usage.values.reduce(Int64(0)) { $0 + $1.bytes }
        pass.recordingsBytes = stored
        // Bytes still to free for the quota and for the reserve, beyond what age already frees.
        let freedByAge = doomed.reduce(Int64(0)) { $0 + $1.bytes }
        var needed: Int64 = 0
        if let volume, let quota = policy.effectiveQuota(volumeBytes: volume.totalBytes) {
            needed = max(needed, stored - freedByAge - quota)
        } else if volume == nil, let quota = policy.quotaBytes {
            needed = max(needed, stored - freedByAge - quota)
        }
        if let volume {
            var reserve = policy.reserve(volumeBytes: volume.totalBytes)
            if emergency { reserve = max(reserve, volume.totalBytes / 20) }
            needed = max(needed, reserve - volume.availableBytes - freedByAge)
        }
        if needed > 0 {
            let already = Set(doomed.map(\.id))
            let protected = Set(newest.values)
            for r in try await store.oldestRecordings(limit: 100_000) where needed > 0 {
                guard !already.contains(r.id), !protected.contains(r.id), !locked(r) else { continue }
                doomed.append(r)
                needed -= r.bytes
            }
            pass.blocked = needed > 0
        }
        guard !doomed.isEmpty else { return pass }
        let ids = doomed.map(\.id)
        // Events that end before their camera's new oldest recording go in the same transaction.
        pass.deletedEvents = try await store.moveToGarbage(ids: ids)
        var directories = Set<String>()
        for r in doomed {
            let path = layout.path(camera: r.cameraID, recording: r.id)
            if unlink(path) != 0 && errno != ENOENT { throw POSIXFailure(operation: "unlink \(path)", code: errno) }
            directories.insert(layout.directory(camera: r.cameraID))
        }
        for directory in directories where FileManager.default.fileExists(atPath: directory) { try SampleFile.syncDirectory(directory) }
        try await store.removeGarbage(ids: ids)
        pass.deleted = ids
        pass.deletedBytes = doomed.reduce(Int64(0)) { $0 + $1.bytes }
        pass.recordingsBytes -= pass.deletedBytes
        pass.volume = VolumeSpace.of(layout.root) ?? volume
        logger.info("retention deleted recordings", metadata: ["count": "\(ids.count)", "bytes": "\(pass.deletedBytes)", "events": "\(pass.deletedEvents)"])
        return pass
    }
}
