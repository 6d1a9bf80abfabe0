import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog: DocumentStore {
    public func document(named name: String) async throws -> StoredDocument? {
        try await row("SELECT body, revision FROM document WHERE name = \(name)").map {
            StoredDocument(body: try $0.get("body"), revision: try $0.get("revision"))
        }
    }

    public func documentRevision(named name: String) async throws -> Int64? {
        try await row("SELECT revision FROM document WHERE name = \(name)").map { try $0.get("revision") }
    }

    @discardableResult
    public func saveDocument(named name: String, body: Data) async throws -> Int64 {
        try await transaction { connection in
            try await lockDocument(name, on: connection)
            return try await save(name: name, body: body, on: connection)
        }
    }

    /// The read and the write under one lock per document name: two writers (two nodes, the
    /// command line and a server) run one after the other, and neither loses the other's change,
    /// also when the document does not exist yet (a row lock would have nothing to lock).
    @discardableResult
    public func updateDocument(named name: String, _ change: @escaping @Sendable (Data?) throws -> Data) async throws -> Int64 {
        try await transaction { connection in
            try await lockDocument(name, on: connection)
            let current = try await row("SELECT body FROM document WHERE name = \(name)", on: connection).map { try $0.get("body", as: Data.self) }
            return try await save(name: name, body: try change(current), on: connection)
        }
    }

    func lockDocument(_ name: String, on connection: PostgresConnection) async throws {
        // The two-key form (a space apart from the one-key locks): documents, then the name's hash.
        try await run("SELECT pg_advisory_xact_lock(\(Self.documentLockSpace), hashtext(\(name)))", on: connection)
    }

    func save(name: String, body: Data, on connection: PostgresConnection) async throws -> Int64 {
        let row = try await row("""
            INSERT INTO document (name, body, revision) VALUES (\(name), \(body), nextval('document_revision'))
            ON CONFLICT (name) DO UPDATE SET body = excluded.body, revision = excluded.revision
            RETURNING revision
            """, on: connection)
        return try row?.get("revision") ?? 0
    }
}
