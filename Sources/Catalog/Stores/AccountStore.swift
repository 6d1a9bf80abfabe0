/// A user name that is already taken (names are unique ignoring case).
public struct DuplicateUserName: Error, Sendable {
    public let name: String
    public init(name: String) { self.name = name }
}

/// Users with their grants, sessions and API tokens. Only digests of session ids and tokens are
/// kept (see `SecretToken`); times are microseconds since the Unix epoch.
public protocol AccountStore: Sendable {
    /// Every user, by name.
    func users() async throws -> [User]
    /// The user of that name, ignoring case.
    func user(named name: String) async throws -> User?
    func userCount() async throws -> Int
    /// Inserts a user with their grants and returns it with its id and creation time; throws
    /// ``DuplicateUserName`` when the name (ignoring case) is taken.
    func insert(_ user: User) async throws -> User
    /// Replaces role, password hash, the must-change flag, the right to see behind masks and the
    /// grants of an existing user; false when there is no such user.
    func update(_ user: User) async throws -> Bool
    /// Deletes a user with their sessions, tokens and grants; false when there was no such user.
    func deleteUser(id: Int64) async throws -> Bool

    /// Stores a session (expired sessions may be swept in the same transaction).
    func createSession(digest: String, userID: Int64, csrf: String, expiresAt: Int64) async throws
    /// The user and CSRF token of an unexpired session.
    func session(digest: String) async throws -> (user: User, csrf: String)?
    func deleteSession(digest: String) async throws
    /// Ends every session of a user except `keeping`.
    func deleteSessions(userID: Int64, keeping: String?) async throws

    /// Stores a token's digest; `expiresAt` ends it, nil never.
    func addAPIToken(digest: String, userID: Int64, label: String, expiresAt: Int64?) async throws
    /// Revokes every API token of a user; returns how many there were.
    func deleteAPITokens(userID: Int64) async throws -> Int
    /// The user of an unexpired token.
    func user(tokenDigest: String) async throws -> User?
    /// Who many sessions and tokens belong to, in one read: what ``session(digest:)`` and
    /// ``user(tokenDigest:)`` would answer for each, as of one moment. A digest that is missing from
    /// the answer has no owner (ended, expired, revoked, never issued). For a node that checks
    /// hundreds of open connections a second: one catalogue call instead of one each.
    func owners(sessionDigests: [String], tokenDigests: [String]) async throws -> CredentialOwners
}

/// The owners of many sessions and tokens, read together (``AccountStore/owners(sessionDigests:tokenDigests:)``).
public struct CredentialOwners: Sendable {
    /// By session digest: the user and the session's CSRF token.
    public var sessions: [String: (user: User, csrf: String)]
    /// By token digest.
    public var tokens: [String: User]

    public init(sessions: [String: (user: User, csrf: String)] = [:], tokens: [String: User] = [:]) {
        self.sessions = sessions
        self.tokens = tokens
    }
}

extension AulaCatalog {
    public func owners(sessionDigests: [String], tokenDigests: [String]) async throws -> CredentialOwners {
        try await backend.owners(sessionDigests: sessionDigests, tokenDigests: tokenDigests)
    }
}

extension AccountStore {
    public func deleteSessions(userID: Int64) async throws { try await deleteSessions(userID: userID, keeping: nil) }
    public func addAPIToken(digest: String, userID: Int64, label: String) async throws {
        try await addAPIToken(digest: digest, userID: userID, label: label, expiresAt: nil)
    }
}
