import Foundation

/// Whole documents that a module above the catalogue owns the schema of (the imported city, the
/// offence register, the last plan's report): stored and replaced whole, in one transaction, each
/// with a revision that grows at every save, so that a reader notices a change (an import by the
/// command line while the server runs, another node's save) by reading one number, not the
/// document. The catalogue never reads a document's body.
public protocol DocumentStore: Sendable {
    /// The document and its revision; nil when none was ever saved.
    func document(named name: String) async throws -> StoredDocument?
    /// The revision alone (cheap: readers poll it); nil when none was ever saved.
    func documentRevision(named name: String) async throws -> Int64?
    /// Replaces the document whole; returns its new revision, higher than any before it.
    @discardableResult
    func saveDocument(named name: String, body: Data) async throws -> Int64
    /// Reads the document (nil when none) and replaces it with what `change` makes of it, in one
    /// transaction, so that two writers (two requests, the command line and the server, two nodes)
    /// never lose each other's change. An error thrown by `change` saves nothing.
    @discardableResult
    func updateDocument(named name: String, _ change: @escaping @Sendable (Data?) throws -> Data) async throws -> Int64
}

public struct StoredDocument: Sendable, Equatable {
    public var body: Data
    public var revision: Int64

    public init(body: Data, revision: Int64) {
        self.body = body
        self.revision = revision
    }
}
