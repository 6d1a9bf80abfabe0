import Catalog
import Foundation
import GRDB

extension SQLiteCatalog: DocumentStore {
    /// "v10-documents": whole documents with a revision (the city, the offence register, the last
    /// plan). The files `city/city.json`, `city/offences.json` and `city/last-plan.md` that earlier
    /// versions kept beside the database move in, and are removed once the move committed.
    static func registerDocumentMigration(_ migrator: inout DatabaseMigrator, directory: String) {
        migrator.registerMigration("v10-documents") { db in
            try db.create(table: "document") { t in
                t.primaryKey("name", .text)
                t.column("body", .blob).notNull()
                t.column("revision", .integer).notNull()
            }
            try db.create(table: "document_revision") { t in
                t.primaryKey("singleton", .integer).check { $0 == 1 }
                t.column("last", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO document_revision (singleton, last) VALUES (1, 0)")
            let folder = directory + "/city"
            for (name, file) in [("city", "city.json"), ("offences", "offences.json"), ("last-plan", "last-plan.md")] {
                guard let body = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
                try Self.save(db, name: name, body: body)
            }
        }
    }

    /// Called after the migrations committed: a moved file goes only when the catalogue holds
    /// exactly its bytes. One the migration could not read (not a file, unreadable) stays where it
    /// is, for an administrator to look at, rather than being lost.
    func removeMovedDocumentFiles() throws {
        for (name, file) in [("city", "city.json"), ("offences", "offences.json"), ("last-plan", "last-plan.md")] {
            let path = directory + "/city/" + file
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                  let bytes = FileManager.default.contents(atPath: path) else { continue }
            let stored = try pool.read { db in try Data.fetchOne(db, sql: "SELECT body FROM document WHERE name = ?", arguments: [name]) }
            if stored == bytes { try? FileManager.default.removeItem(atPath: path) }
        }
        rmdir(directory + "/city")  // only when empty: anything else someone put there stays
    }

    static func save(_ db: Database, name: String, body: Data) throws -> Int64 {
        // One counter for all documents: a revision is never reused, even across names.
        try db.execute(sql: "UPDATE document_revision SET last = last + 1 WHERE singleton = 1")
        let revision = try Int64.fetchOne(db, sql: "SELECT last FROM document_revision WHERE singleton = 1") ?? 1
        try db.execute(sql: "INSERT INTO document (name, body, revision) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET body = excluded.body, revision = excluded.revision",
                       arguments: [name, body, revision])
        return revision
    }

    public func document(named name: String) async throws -> StoredDocument? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT body, revision FROM document WHERE name = ?", arguments: [name]).map {
                StoredDocument(body: $0["body"], revision: $0["revision"])
            }
        }
    }

    public func documentRevision(named name: String) async throws -> Int64? {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT revision FROM document WHERE name = ?", arguments: [name]) }
    }

    @discardableResult
    public func saveDocument(named name: String, body: Data) async throws -> Int64 {
        try await pool.write { db in try Self.save(db, name: name, body: body) }
    }

    @discardableResult
    public func updateDocument(named name: String, _ change: @escaping @Sendable (Data?) throws -> Data) async throws -> Int64 {
        try await pool.write { db in
            let current = try Data.fetchOne(db, sql: "SELECT body FROM document WHERE name = ?", arguments: [name])
            return try Self.save(db, name: name, body: try change(current))
        }
    }
}
