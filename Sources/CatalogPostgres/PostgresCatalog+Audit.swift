import AulaSecurity
import Catalog
import PostgresNIO

extension PostgresCatalog: AuditStore {
    /// One transaction that holds the audit lock: nodes append one after the other, each linking
    /// to the entry before it, so the trail stays one chain for the whole cluster.
    public func appendAudit(link: @escaping @Sendable (AuditHead?, AuditHead?) throws -> AuditEntry) async throws -> AuditEntry {
        try await transaction { connection in
            try await run("SELECT pg_advisory_xact_lock(\(Self.auditLock))", on: connection)
            let newest = try await row("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", on: connection)
                .map { AuditHead(id: try $0.get("id"), hash: try $0.get("hash")) }
            let head = try await row("SELECT id, hash FROM audit_head WHERE singleton = 1", on: connection)
                .map { AuditHead(id: try $0.get("id"), hash: try $0.get("hash")) }
            let entry = try link(newest, head)
            try await run("""
                INSERT INTO audit (id, time_micros, actor, client, action, target, detail, previous_hash, hash)
                VALUES (\(entry.id), \(entry.timeMicros), \(entry.actor), \(entry.client), \(entry.action), \(entry.target), \(entry.detail),
                  \(entry.previousHash), \(entry.hash))
                """, on: connection)
            try await run("""
                INSERT INTO audit_head (singleton, id, hash) VALUES (1, \(entry.id), \(entry.hash))
                ON CONFLICT (singleton) DO UPDATE SET id = excluded.id, hash = excluded.hash
                """, on: connection)
            return entry
        }
    }

    public func auditPage(fromMicros: Int64?, toMicros: Int64?, afterID: Int64, limit: Int) async throws -> [AuditEntry] {
        try await rows("""
            SELECT * FROM audit WHERE id > \(afterID) AND time_micros >= \(fromMicros ?? .min) AND time_micros < \(toMicros ?? .max)
            ORDER BY id LIMIT \(Int64(limit))
            """).map { row in
            AuditEntry(id: try row.get("id"), timeMicros: try row.get("time_micros"), actor: try row.get("actor"), client: try row.get("client"),
                       action: try row.get("action"), target: try row.get("target"), detail: try row.get("detail"),
                       previousHash: try row.get("previous_hash"), hash: try row.get("hash"))
        }
    }

    public func auditHead() async throws -> AuditHead? {
        try await row("SELECT id, hash FROM audit_head WHERE singleton = 1").map { AuditHead(id: try $0.get("id"), hash: try $0.get("hash")) }
    }
}

extension PostgresCatalog: EvidenceLockStore {
    public func evidenceLocks() async throws -> [EvidenceLock] {
        try await rows("SELECT * FROM evidence_lock ORDER BY id").map { row in
            EvidenceLock(id: try row.get("id"), cameraID: try row.get("camera_id"), start90k: try row.get("start_90k"), end90k: try row.get("end_90k"),
                         reason: try row.get("reason"), createdBy: try row.get("created_by"), createdAt: try row.get("created_at"))
        }
    }

    public func insert(_ lock: EvidenceLock) async throws -> EvidenceLock {
        var l = lock
        l.createdAt = nowMicros()
        let row = try await row("""
            INSERT INTO evidence_lock (camera_id, start_90k, end_90k, reason, created_by, created_at)
            VALUES (\(l.cameraID), \(l.start90k), \(l.end90k), \(l.reason), \(l.createdBy), \(l.createdAt)) RETURNING id
            """)
        l.id = try row?.get("id") ?? 0
        return l
    }

    public func deleteEvidenceLock(id: Int64) async throws -> Bool {
        try await transaction { connection in try await execute("DELETE FROM evidence_lock WHERE id = \(id)", on: connection) > 0 }
    }
}
