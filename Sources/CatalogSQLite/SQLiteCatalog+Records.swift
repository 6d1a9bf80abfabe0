import Catalog
import Foundation
import GRDB

extension SQLiteCatalog: RecordStore {
    /// "v11-records": records whose schema a module above the catalogue owns (the guards').
    static func registerRecordMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-records") { db in
            try db.execute(sql: """
                CREATE TABLE record (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    key TEXT,
                    tag TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    revision INTEGER NOT NULL,
                    body BLOB NOT NULL);
                CREATE UNIQUE INDEX record_kind_key ON record (kind, key) WHERE key IS NOT NULL;
                CREATE INDEX record_kind_tag_time ON record (kind, tag, time);
                CREATE INDEX record_kind_time ON record (kind, time);
                CREATE TABLE record_revision (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), last INTEGER NOT NULL);
                INSERT INTO record_revision (singleton, last) VALUES (1, 0);
                """)
        }
    }

    private static func nextRevision(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE record_revision SET last = last + 1 WHERE singleton = 1")
        return try Int64.fetchOne(db, sql: "SELECT last FROM record_revision WHERE singleton = 1") ?? 1
    }

    private static func stored(_ row: Row) -> StoredRecord {
        StoredRecord(kind: row["kind"], id: row["id"], key: row["key"], tag: row["tag"], time: row["time"], body: row["body"], revision: row["revision"])
    }

    private static let columns = "kind, id, key, tag, time, body, revision"

    public func insertRecord(kind: String, key: String?, fields: RecordFields) async throws -> (record: StoredRecord, created: Bool) {
        try await pool.write { db in
            if let key, let existing = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM record WHERE kind = ? AND key = ?", arguments: [kind, key]) {
                return (Self.stored(existing), false)
            }
            let revision = try Self.nextRevision(db)
            try db.execute(sql: "INSERT INTO record (kind, key, tag, time, revision, body) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [kind, key, fields.tag, fields.time, revision, fields.body])
            let id = db.lastInsertedRowID
            return (StoredRecord(kind: kind, id: id, key: key, tag: fields.tag, time: fields.time, body: fields.body, revision: revision), true)
        }
    }

    public func record(kind: String, id: Int64) async throws -> StoredRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM record WHERE kind = ? AND id = ?", arguments: [kind, id]).map(Self.stored)
        }
    }

    public func record(kind: String, key: String) async throws -> StoredRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM record WHERE kind = ? AND key = ?", arguments: [kind, key]).map(Self.stored)
        }
    }

    public func records(kind: String, tag: String?, from: Int64, to: Int64, limit: Int) async throws -> [StoredRecord] {
        try await pool.read { db in
            var sql = "SELECT \(Self.columns) FROM record WHERE kind = ? AND time >= ? AND time < ?"
            var arguments: StatementArguments = [kind, from, to]
            if let tag {
                sql += " AND tag = ?"
                arguments += [tag]
            }
            sql += " ORDER BY time DESC, id DESC LIMIT ?"
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.stored)
        }
    }

    public func updateRecord(kind: String, id: Int64, _ change: @escaping @Sendable (StoredRecord) throws -> RecordFields?) async throws -> StoredRecord? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM record WHERE kind = ? AND id = ?", arguments: [kind, id]) else { return nil }
            let current = Self.stored(row)
            guard let fields = try change(current) else { return current }
            let revision = try Self.nextRevision(db)
            try db.execute(sql: "UPDATE record SET tag = ?, time = ?, body = ?, revision = ? WHERE id = ?",
                           arguments: [fields.tag, fields.time, fields.body, revision, id])
            return StoredRecord(kind: kind, id: id, key: current.key, tag: fields.tag, time: fields.time, body: fields.body, revision: revision)
        }
    }

    public func deleteRecord(kind: String, id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM record WHERE kind = ? AND id = ?", arguments: [kind, id])
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func replaceRecords(kind: String, _ records: [(id: Int64, fields: RecordFields)]) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        return try await pool.write { db in
            // One revision for the batch: every record it changes still moves past its old one.
            let revision = try Self.nextRevision(db)
            let update = try db.cachedStatement(sql: "UPDATE record SET tag = ?, time = ?, body = ?, revision = ? WHERE kind = ? AND id = ?")
            var replaced = 0
            for (id, fields) in records {
                try update.execute(arguments: [fields.tag, fields.time, fields.body, revision, kind, id])
                replaced += db.changesCount
            }
            return replaced
        }
    }
}
