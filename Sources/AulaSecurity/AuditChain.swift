import Crypto
import Foundation

/// One entry of the audit trail: who did what to which thing, when, from where.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var id: Int64
    /// Microseconds since the Unix epoch.
    public var timeMicros: Int64
    /// The user name, or `(anonymous)` for an anonymous request (a failed sign-in names the attempted user in `target`).
    public var actor: String
    public var client: String
    public var action: String
    public var target: String
    public var detail: String
    /// `hash` of the previous entry; 64 zeros for the first.
    public var previousHash: String
    public var hash: String

    public init(id: Int64, timeMicros: Int64, actor: String, client: String, action: String, target: String, detail: String, previousHash: String, hash: String = "") {
        self.id = id
        self.timeMicros = timeMicros
        self.actor = actor
        self.client = client
        self.action = action
        self.target = target
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }

    /// SHA-256 over the previous hash and every field, each length-prefixed so that moving text from
    /// one field into the next changes the hash.
    public func computedHash() -> String {
        var data = Data()
        for field in ["aula-audit-v1", String(id), String(timeMicros), actor, client, action, target, detail, previousHash] {
            let bytes = Data(field.utf8)
            data.append(contentsOf: String(bytes.count).utf8)
            data.append(0x3A)  // ':'
            data.append(bytes)
        }
        return SecretToken.hex(SHA256.hash(data: data))
    }

    public func sealed() -> AuditEntry {
        var copy = self
        copy.hash = computedHash()
        return copy
    }
}

/// Checks a whole audit trail: every row's hash, every link to the row before, no gap in the ids,
/// and that the trail still reaches the head recorded outside the database.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var id: Int64
        public var reason: String
        public var description: String { "entry \(id): \(reason)" }
    }

    /// Problems found, in order; empty when the trail is intact. `head` is the last (id, hash)
    /// written, kept apart from the rows so that deleting the newest rows is detected too.
    public static func verify(_ entries: [AuditEntry], head: (id: Int64, hash: String)?) -> [Problem] {
        var problems: [Problem] = []
        var previous = genesis
        var expectedID: Int64 = entries.first.map { _ in 1 } ?? 1
        for entry in entries {
            if entry.id != expectedID {
                problems.append(Problem(id: entry.id, reason: "entries \(expectedID)…\(entry.id - 1) are missing"))
            }
            if entry.computedHash() != entry.hash {
                problems.append(Problem(id: entry.id, reason: "content does not match its hash (edited)"))
            }
            if entry.previousHash != previous {
                problems.append(Problem(id: entry.id, reason: "does not link to the entry before it"))
            }
            previous = entry.hash
            expectedID = entry.id + 1
        }
        if let head {
            if let last = entries.last {
                if last.id < head.id {
                    problems.append(Problem(id: last.id + 1, reason: "entries \(last.id + 1)…\(head.id) are missing (the newest entries were deleted)"))
                } else if let headEntry = entries.last(where: { $0.id == head.id }), headEntry.hash != head.hash {
                    // Entries after the head were appended after it was read (verification reads
                    // the head first, so that an append in between is not taken for a deletion).
                    problems.append(Problem(id: head.id, reason: "the entry at the recorded head differs from it"))
                }
            } else if head.id > 0 {
                problems.append(Problem(id: 1, reason: "all \(head.id) entries are missing"))
            }
        }
        return problems
    }
}
