import AulaSecurity

/// The newest entry's id and hash, kept apart from the entries (in the database, in a row that
/// only moves forward) so that deleting the newest entries, which leaves a valid shorter chain, is
/// still detected.
public struct AuditHead: Sendable, Equatable {
    public var id: Int64
    public var hash: String
    public init(id: Int64, hash: String) {
        self.id = id
        self.hash = hash
    }
}

/// Where the audit trail is kept. The backend only stores: the chain itself (ids, links, hashes)
/// is made once, above every backend, by ``AuditStore/appendAudit(actor:client:action:target:detail:timeMicros:)``.
public protocol AuditStore: Sendable {
    /// In one transaction that excludes every other append: reads the newest entry and the head,
    /// stores the entry `link` makes of them, and moves the head to it.
    func appendAudit(link: @escaping @Sendable (_ newest: AuditHead?, _ head: AuditHead?) throws -> AuditEntry) async throws -> AuditEntry
    /// Entries in id order, optionally within a time window (microseconds) and after an id.
    func auditPage(fromMicros: Int64?, toMicros: Int64?, afterID: Int64, limit: Int) async throws -> [AuditEntry]
    /// The head; nil before the first entry.
    func auditHead() async throws -> AuditHead?
}

extension AuditStore {
    /// Appends one entry, linked to the one before.
    @discardableResult
    public func appendAudit(actor: String, client: String, action: String, target: String, detail: String = "",
                            timeMicros: Int64? = nil) async throws -> AuditEntry {
        let time = timeMicros ?? CatalogClock.nowMicros()
        return try await appendAudit { newest, head in
            var id = (newest?.id ?? 0) + 1
            var previous = newest?.hash ?? AuditChain.genesis
            // When the newest rows were deleted, continue after the head rather than reusing their
            // ids, so that the gap stays visible instead of being papered over by the next entry.
            if let head, head.id != Int64.max, head.id >= id {
                id = head.id + 1
                previous = head.hash
            }
            return AuditEntry(id: id, timeMicros: time, actor: actor, client: client, action: action, target: target,
                              detail: detail, previousHash: previous).sealed()
        }
    }

    public func auditEntries(fromMicros: Int64? = nil, toMicros: Int64? = nil, afterID: Int64 = 0, limit: Int = .max) async throws -> [AuditEntry] {
        try await auditPage(fromMicros: fromMicros, toMicros: toMicros, afterID: afterID, limit: limit)
    }

    /// Checks the whole trail (see `AuditChain`).
    public func verifyAudit() async throws -> (entries: Int, problems: [AuditChain.Problem]) {
        // The head first: an entry appended between the two reads is then newer than the head
        // (and checked by its links), not a gap between the entries read and a newer head.
        let head = try await auditHead()
        let entries = try await auditPage(fromMicros: nil, toMicros: nil, afterID: 0, limit: .max)
        return (entries.count, AuditChain.verify(entries, head: head.map { ($0.id, $0.hash) }))
    }
}
