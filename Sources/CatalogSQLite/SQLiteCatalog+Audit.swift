import AulaSecurity
import Catalog
import Foundation
import GRDB

extension SQLiteCatalog: AuditStore {
    /// "v8-audit-head": the head (the newest entry's id and hash) moves from the file `audit.head`
    /// beside the database into a one-row table that can only move forward, so that every backend
    /// keeps it in the database it shares (docs/security.md, "Audit trail").
    static func registerAuditHeadMigration(_ migrator: inout DatabaseMigrator, directory: String) {
        migrator.registerMigration("v8-audit-head") { db in
            try db.create(table: "audit_head") { t in
                t.primaryKey("singleton", .integer).check { $0 == 1 }
                t.column("id", .integer).notNull()
                t.column("hash", .text).notNull()
            }
            try db.execute(sql: """
                CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
                CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head WHEN NEW.id <= OLD.id
                  BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
                """)
            let file = directory + "/audit.head"
            var head: AuditHead?
            // The file's head when it reads; otherwise the newest entry. (A head that cannot move
            // forward any more, such as an unreadable file's, would refuse every later entry.)
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               case let parts = text.split(whereSeparator: \.isWhitespace), parts.count == 2, let id = Int64(parts[0]), id < .max {
                head = AuditHead(id: id, hash: String(parts[1]))
            } else if let newest = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1") {
                head = AuditHead(id: newest["id"], hash: newest["hash"])
            }
            if let head {
                try db.execute(sql: "INSERT INTO audit_head (singleton, id, hash) VALUES (1, ?, ?)", arguments: [head.id, head.hash])
            }
            try? FileManager.default.removeItem(atPath: file)
        }
    }

    public func appendAudit(link: @escaping @Sendable (AuditHead?, AuditHead?) throws -> AuditEntry) async throws -> AuditEntry {
        try await pool.write { db in
            let newest = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").map { AuditHead(id: $0["id"], hash: $0["hash"]) }
            let entry = try link(newest, try Self.auditHead(db))
            try db.execute(
                sql: "INSERT INTO audit (id, time_micros, actor, client, action, target, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [entry.id, entry.timeMicros, entry.actor, entry.client, entry.action, entry.target, entry.detail, entry.previousHash, entry.hash])
            try db.execute(sql: """
                INSERT INTO audit_head (singleton, id, hash) VALUES (1, ?, ?)
                ON CONFLICT(singleton) DO UPDATE SET id = excluded.id, hash = excluded.hash
                """, arguments: [entry.id, entry.hash])
            return entry
        }
    }

    public func auditPage(fromMicros: Int64?, toMicros: Int64?, afterID: Int64, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM audit WHERE id > ? AND time_micros >= ? AND time_micros < ? ORDER BY id LIMIT ?
                """, arguments: [afterID, fromMicros ?? Int64.min, toMicros ?? Int64.max, limit]).map(AuditEntry.init(row:))
        }
    }

    public func auditHead() async throws -> AuditHead? {
        try await pool.read { db in try Self.auditHead(db) }
    }

    static func auditHead(_ db: Database) throws -> AuditHead? {
        try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_head WHERE singleton = 1").map { AuditHead(id: $0["id"], hash: $0["hash"]) }
    }
}

extension AuditEntry {
    init(row: Row) {
        self.init(id: row["id"], timeMicros: row["time_micros"], actor: row["actor"], client: row["client"], action: row["action"],
                  target: row["target"], detail: row["detail"], previousHash: row["previous_hash"], hash: row["hash"])
    }
}
