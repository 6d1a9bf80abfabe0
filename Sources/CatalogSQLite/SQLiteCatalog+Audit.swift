import AulaSecurity
import Catalog
import Foundation
import GRDB

extension SQLiteCatalog {
    /// Where the newest entry's id and hash are kept outside the database, so that deleting the
    /// newest rows (which leaves a valid shorter chain) is still detected.
    var auditHeadPath: String { directory + "/audit.head" }

    /// Appends one entry, linked to the one before, in one transaction.
    @discardableResult
    public func appendAudit(actor: String, client: String, action: String, target: String, detail: String = "", timeMicros: Int64? = nil) async throws -> AuditEntry {
        let entry = try await pool.write { db in
            let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")
            var id = (last?["id"] as Int64? ?? 0) + 1
            var previous: String = last?["hash"] ?? AuditChain.genesis
            // When the newest rows were deleted, continue after the head rather than reusing their
            // ids, so that the gap stays visible instead of being papered over by the next entry.
            if let head = try auditHead(), head.id != Int64.max, head.id >= id {
                id = head.id + 1
                previous = head.hash
            }
            let entry = AuditEntry(
                id: id, timeMicros: timeMicros ?? nowMicros(), actor: actor, client: client,
                action: action, target: target, detail: detail, previousHash: previous
            ).sealed()
            try db.execute(
                sql: "INSERT INTO audit (id, time_micros, actor, client, action, target, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [entry.id, entry.timeMicros, entry.actor, entry.client, entry.action, entry.target, entry.detail, entry.previousHash, entry.hash])
            // Written while the write lock is held, so heads are written in order.
            try Data("\(entry.id) \(entry.hash)\n".utf8).write(to: URL(fileURLWithPath: auditHeadPath), options: .atomic)
            return entry
        }
        return entry
    }

    /// Entries in id order, optionally within a time window (microseconds) and after an id.
    public func auditEntries(fromMicros: Int64? = nil, toMicros: Int64? = nil, afterID: Int64 = 0, limit: Int = .max) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM audit WHERE id > ? AND time_micros >= ? AND time_micros < ? ORDER BY id LIMIT ?
                """, arguments: [afterID, fromMicros ?? Int64.min, toMicros ?? Int64.max, limit]).map(AuditEntry.init(row:))
        }
    }

    /// The head written with the newest entry; nil before the first entry.
    public func auditHead() throws -> (id: Int64, hash: String)? {
        guard let text = try? String(contentsOfFile: auditHeadPath, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, let id = Int64(parts[0]) else { return (Int64.max, "unreadable head file") }
        return (id, String(parts[1]))
    }

    /// Checks the whole trail (see ``AuditChain``).
    public func verifyAudit() async throws -> (entries: Int, problems: [AuditChain.Problem]) {
        let entries = try await auditEntries()
        return (entries.count, AuditChain.verify(entries, head: try auditHead()))
    }
}

extension AuditEntry {
    init(row: Row) {
        self.init(id: row["id"], timeMicros: row["time_micros"], actor: row["actor"], client: row["client"], action: row["action"],
                  target: row["target"], detail: row["detail"], previousHash: row["previous_hash"], hash: row["hash"])
    }
}
