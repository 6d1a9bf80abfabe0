import Foundation

/// How hard the disk presses on recording, for storage status, metrics and alerts.
public struct StoragePressure: Sendable {
    let writer: RecordingWriter
    let storage: StorageState
    let policy: RetentionPolicy

    public init(writer: RecordingWriter, storage: StorageState, policy: RetentionPolicy) {
        self.writer = writer
        self.storage = storage
        self.policy = policy
    }

    /// Disk pressure: `full` while writes fail for lack of space (and 30 s after), `high` when
    /// retention cannot bring the disk within its quota or reserve, otherwise `ok`.
    ///
    /// `high` is what retention's last pass found (`blocked`), not whether the recordings exceed the
    /// quota right now: between two passes they always grow past it a little, and pressure (and its
    /// alert) would flap every pass on any disk that has reached its quota. Before the first pass,
    /// the present state is all there is.
    public func level(volume: VolumeSpace?, recordingsBytes: Int64) -> String {
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        if let full = writer.writeFailures.lastDiskFull, now - full < 30_000_000 { return "full" }
        if let pass = storage.snapshot.lastPass { return pass.blocked ? "high" : "ok" }
        if let volume {
            if volume.availableBytes < policy.reserve(volumeBytes: volume.totalBytes) { return "high" }
            if let quota = policy.effectiveQuota(volumeBytes: volume.totalBytes), recordingsBytes > quota { return "high" }
        }
        return "ok"
    }
}
