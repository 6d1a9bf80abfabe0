import Catalog
import GRDB

extension SQLiteCatalog: EvidenceLockStore {
    public func evidenceLocks() async throws -> [EvidenceLock] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM evidence_lock ORDER BY id").map {
                EvidenceLock(id: $0["id"], cameraID: $0["camera_id"], start90k: $0["start_90k"], end90k: $0["end_90k"],
                             reason: $0["reason"], createdBy: $0["created_by"], createdAt: $0["created_at"])
            }
        }
    }

    public func insert(_ lock: EvidenceLock) async throws -> EvidenceLock {
        try await pool.write { db in
            var l = lock
            l.createdAt = nowMicros()
            try db.execute(sql: "INSERT INTO evidence_lock (camera_id, start_90k, end_90k, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [l.cameraID, l.start90k, l.end90k, l.reason, l.createdBy, l.createdAt])
            l.id = db.lastInsertedRowID
            return l
        }
    }

    public func deleteEvidenceLock(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM evidence_lock WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}
