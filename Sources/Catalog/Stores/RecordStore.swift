import Foundation

/// Records of kinds whose schema a module above the catalogue owns (the guards' posts, shifts,
/// equipment, duty and incidents): each a body the catalogue never reads, with an id from the
/// database, a revision that grows at every change, an optional key unique within its kind (an
/// inventory number, a guard's name, a client's idempotency key), and two indexed fields the owner
/// fills for its queries: a `tag` (a state, a holder) and a `time` (microseconds since 1970).
///
/// Changes are made in one transaction per record (``updateRecord(kind:id:_:)``), so two requests
/// or two nodes that change the same record one after the other never lose either change, and a
/// change that depends on what the record says (an offer still standing, a state not yet left)
/// is decided on the record as it is at that moment.
public protocol RecordStore: Sendable {
    /// Stores a new record; when `key` is given and a record of this kind has it already, stores
    /// nothing and answers that record with `created == false` (a retried request).
    func insertRecord(kind: String, key: String?, fields: RecordFields) async throws -> (record: StoredRecord, created: Bool)
    func record(kind: String, id: Int64) async throws -> StoredRecord?
    func record(kind: String, key: String) async throws -> StoredRecord?
    /// Records of a kind, by `tag` when given, with `time` in `from..<to`, newest time first
    /// (ties: highest id first), at most `limit`.
    func records(kind: String, tag: String?, from: Int64, to: Int64, limit: Int) async throws -> [StoredRecord]
    /// Reads the record and replaces its fields with what `change` makes of it, in one
    /// transaction. `change` answering nil writes nothing (the change no longer applies); an error
    /// it throws writes nothing and is thrown. Answers the record as stored afterwards, or nil
    /// when there is no such record.
    func updateRecord(kind: String, id: Int64, _ change: @escaping @Sendable (StoredRecord) throws -> RecordFields?) async throws -> StoredRecord?
    /// Removes the record; false when there was none.
    func deleteRecord(kind: String, id: Int64) async throws -> Bool
    /// Replaces the fields of several records in one transaction, without reading them (for
    /// values where the newest write wins, such as the positions phones report); ids that do not
    /// exist are left out. Answers how many were replaced.
    @discardableResult
    func replaceRecords(kind: String, _ records: [(id: Int64, fields: RecordFields)]) async throws -> Int
}

/// What the owner of a record kind writes: the indexed fields and the body.
public struct RecordFields: Sendable, Equatable {
    public var tag: String
    public var time: Int64
    public var body: Data

    public init(tag: String, time: Int64, body: Data) {
        self.tag = tag
        self.time = time
        self.body = body
    }
}

public struct StoredRecord: Sendable, Equatable {
    public var kind: String
    public var id: Int64
    public var key: String?
    public var tag: String
    public var time: Int64
    public var body: Data
    public var revision: Int64

    public init(kind: String, id: Int64, key: String?, tag: String, time: Int64, body: Data, revision: Int64) {
        self.kind = kind
        self.id = id
        self.key = key
        self.tag = tag
        self.time = time
        self.body = body
        self.revision = revision
    }

    public var fields: RecordFields { RecordFields(tag: tag, time: time, body: body) }
}

extension RecordStore {
    public func records(kind: String, tag: String? = nil, limit: Int = 10_000) async throws -> [StoredRecord] {
        try await records(kind: kind, tag: tag, from: .min, to: .max, limit: limit)
    }
}
