import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog: RecordStore {
    private static func stored(_ row: PostgresRandomAccessRow) throws -> StoredRecord {
        StoredRecord(kind: try row.get("kind"), id: try row.get("id"), key: try row.get("key", as: String?.self), tag: try row.get("tag"),
                     time: try row.get("time"), body: try row.get("body"), revision: try row.get("revision"))
    }

    public func insertRecord(kind: String, key: String?, fields: RecordFields) async throws -> (record: StoredRecord, created: Bool) {
        // A retried insert with the same key meets the first one's row, also when both run at once
        // on two nodes: the unique index decides, and the loser reads the winner's row.
        if let inserted = try await row("""
            INSERT INTO record (kind, key, tag, time, revision, body)
            VALUES (\(kind), \(key), \(fields.tag), \(fields.time), nextval('record_revision'), \(fields.body))
            ON CONFLICT (kind, key) WHERE key IS NOT NULL DO NOTHING
            RETURNING kind, id, key, tag, time, body, revision
            """) {
            return (try Self.stored(inserted), true)
        }
        guard let key, let existing = try await record(kind: kind, key: key) else {
            throw PostgresCatalogError(message: "record of kind \(kind) was neither stored nor found")
        }
        return (existing, false)
    }

    public func record(kind: String, id: Int64) async throws -> StoredRecord? {
        try await row("SELECT kind, id, key, tag, time, body, revision FROM record WHERE kind = \(kind) AND id = \(id)").map(Self.stored)
    }

    public func record(kind: String, key: String) async throws -> StoredRecord? {
        try await row("SELECT kind, id, key, tag, time, body, revision FROM record WHERE kind = \(kind) AND key = \(key)").map(Self.stored)
    }

    public func records(kind: String, tag: String?, from: Int64, to: Int64, limit: Int) async throws -> [StoredRecord] {
        let limit = max(0, limit)
        let found = if let tag {
            try await rows("""
                SELECT kind, id, key, tag, time, body, revision FROM record
                WHERE kind = \(kind) AND tag = \(tag) AND time >= \(from) AND time < \(to) ORDER BY time DESC, id DESC LIMIT \(limit)
                """)
        } else {
            try await rows("""
                SELECT kind, id, key, tag, time, body, revision FROM record
                WHERE kind = \(kind) AND time >= \(from) AND time < \(to) ORDER BY time DESC, id DESC LIMIT \(limit)
                """)
        }
        return try found.map(Self.stored)
    }

    public func updateRecord(kind: String, id: Int64, _ change: @escaping @Sendable (StoredRecord) throws -> RecordFields?) async throws -> StoredRecord? {
        try await transaction { connection in
            guard let row = try await row("SELECT kind, id, key, tag, time, body, revision FROM record WHERE kind = \(kind) AND id = \(id) FOR UPDATE",
                                          on: connection) else { return nil }
            let current = try Self.stored(row)
            guard let fields = try change(current) else { return current }
            let updated = try await self.row("""
                UPDATE record SET tag = \(fields.tag), time = \(fields.time), body = \(fields.body), revision = nextval('record_revision')
                WHERE id = \(id) RETURNING kind, id, key, tag, time, body, revision
                """, on: connection)
            return try updated.map(Self.stored)
        }
    }

    public func deleteRecord(kind: String, id: Int64) async throws -> Bool {
        try await row("DELETE FROM record WHERE kind = \(kind) AND id = \(id) RETURNING id") != nil
    }

    @discardableResult
    public func replaceRecords(kind: String, _ records: [(id: Int64, fields: RecordFields)]) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        return try await transaction { connection in
            var replaced = 0
            for (id, fields) in records {
                if try await row("""
                    UPDATE record SET tag = \(fields.tag), time = \(fields.time), body = \(fields.body), revision = nextval('record_revision')
                    WHERE kind = \(kind) AND id = \(id) RETURNING id
                    """, on: connection) != nil { replaced += 1 }
            }
            return replaced
        }
    }
}
