/// Evidence locks, read by retention before it deletes anything.
public protocol EvidenceLockStore: Sendable {
    /// Every lock, by id.
    func evidenceLocks() async throws -> [EvidenceLock]
    /// Inserts a lock and returns it with the id the database assigned and its creation time.
    func insert(_ lock: EvidenceLock) async throws -> EvidenceLock
    /// Deletes a lock; false when there was no such lock.
    func deleteEvidenceLock(id: Int64) async throws -> Bool
}
