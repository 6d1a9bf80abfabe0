import AulaSecurity
import Catalog
import GRDB

extension SQLiteCatalog: AccountStore {
    public func users() async throws -> [User] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM user ORDER BY name").map { try User(row: $0, db: db) } }
    }

    public func user(named name: String) async throws -> User? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]).map { try User(row: $0, db: db) } }
    }

    public func userCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user") ?? 0 }
    }

    /// Inserts a user with their grants; throws ``DuplicateUserName`` when the name (ignoring case) is taken.
    public func insert(_ user: User) async throws -> User {
        try await pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user WHERE name = ?", arguments: [user.name]) ?? 0 > 0 {
                throw DuplicateUserName(name: user.name)
            }
            var u = user
            u.createdAt = nowMicros()
            try db.execute(sql: "INSERT INTO user (name, role, password_hash, must_change_password, created_at, see_behind_masks) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [u.name, u.role.rawValue, u.passwordHash, u.mustChangePassword, u.createdAt, u.seeBehindMasks])
            u.id = db.lastInsertedRowID
            try Self.writeGrants(db, userID: u.id, u.grants)
            return u
        }
    }

    /// Replaces role, password hash, the must-change flag and grants of an existing user.
    public func update(_ user: User) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE user SET role = ?, password_hash = ?, must_change_password = ?, see_behind_masks = ? WHERE id = ?",
                           arguments: [user.role.rawValue, user.passwordHash, user.mustChangePassword, user.seeBehindMasks, user.id])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM user_grant WHERE user_id = ?", arguments: [user.id])
            try Self.writeGrants(db, userID: user.id, user.grants)
            return true
        }
    }

    public func deleteUser(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    static func writeGrants(_ db: Database, userID: Int64, _ grants: [AccessGrant]) throws {
        for g in Set(grants) {
            try db.execute(sql: "INSERT INTO user_grant (user_id, effect, scope, target) VALUES (?, ?, ?, ?)",
                           arguments: [userID, g.effect.rawValue, g.scope.rawValue, g.target])
        }
    }

    // MARK: Sessions and API tokens

    public func createSession(digest: String, userID: Int64, csrf: String, expiresAt: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expires_at < ?", arguments: [nowMicros()])
            try db.execute(sql: "INSERT INTO session (digest, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [digest, userID, csrf, nowMicros(), expiresAt])
        }
    }

    /// The user and CSRF token of an unexpired session.
    public func session(digest: String) async throws -> (user: User, csrf: String)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT user_id, csrf FROM session WHERE digest = ? AND expires_at >= ?", arguments: [digest, nowMicros()]),
                  let user = try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [row["user_id"] as Int64]) else { return nil }
            return (try User(row: user, db: db), row["csrf"])
        }
    }

    public func deleteSession(digest: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM session WHERE digest = ?", arguments: [digest]) }
    }

    /// Ends every session of a user (after a password change), except `keeping`.
    public func deleteSessions(userID: Int64, keeping: String?) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE user_id = ? AND digest != ?", arguments: [userID, keeping ?? ""])
        }
    }

    /// Stores a token's digest; `expiresAt` (microseconds since the epoch) ends it, nil never.
    public func addAPIToken(digest: String, userID: Int64, label: String, expiresAt: Int64?) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO api_token (digest, user_id, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [digest, userID, label, nowMicros(), expiresAt])
        }
    }

    /// Revokes every API token of a user; returns how many there were.
    public func deleteAPITokens(userID: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM api_token WHERE user_id = ?", arguments: [userID])
            return db.changesCount
        }
    }

    public func user(tokenDigest: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT user.* FROM api_token JOIN user ON user.id = api_token.user_id WHERE api_token.digest = ? AND (api_token.expires_at IS NULL OR api_token.expires_at >= ?)",
                         arguments: [tokenDigest, nowMicros()])
                .map { try User(row: $0, db: db) }
        }
    }
}

extension SQLiteCatalog {
    /// Digests per statement (well under SQLite's limit on bound values).
    static let digestsPerStatement = 500

    /// Three statements per chunk of digests in one read transaction (one hop to the database's
    /// thread): the sessions with their users, the tokens with theirs, and every grant of those users.
    public func owners(sessionDigests: [String], tokenDigests: [String]) async throws -> CredentialOwners {
        if sessionDigests.isEmpty && tokenDigests.isEmpty { return CredentialOwners() }
        return try await pool.read { db in
            let now = nowMicros()
            var sessionRows: [Row] = [], tokenRows: [Row] = []
            for chunk in Self.chunks(Array(Set(sessionDigests))) {
                sessionRows += try Row.fetchAll(db, sql: """
                    SELECT session.digest AS credential, session.csrf AS csrf, user.* FROM session JOIN user ON user.id = session.user_id
                    WHERE session.digest IN (\(Self.placeholders(chunk.count))) AND session.expires_at >= ?
                    """, arguments: StatementArguments(chunk) + [now])
            }
            for chunk in Self.chunks(Array(Set(tokenDigests))) {
                tokenRows += try Row.fetchAll(db, sql: """
                    SELECT api_token.digest AS credential, user.* FROM api_token JOIN user ON user.id = api_token.user_id
                    WHERE api_token.digest IN (\(Self.placeholders(chunk.count))) AND (api_token.expires_at IS NULL OR api_token.expires_at >= ?)
                    """, arguments: StatementArguments(chunk) + [now])
            }
            let grants = try Self.grants(db, userIDs: Set((sessionRows + tokenRows).map { $0["id"] as Int64 }))
            var owners = CredentialOwners()
            for row in sessionRows { owners.sessions[row["credential"]] = (User(row: row, grants: grants[row["id"]] ?? []), row["csrf"]) }
            for row in tokenRows { owners.tokens[row["credential"]] = User(row: row, grants: grants[row["id"]] ?? []) }
            return owners
        }
    }

    /// Every grant of these users, by user.
    static func grants(_ db: Database, userIDs: Set<Int64>) throws -> [Int64: [AccessGrant]] {
        var grants: [Int64: [AccessGrant]] = [:]
        for chunk in chunks(Array(userIDs)) {
            for g in try Row.fetchAll(db, sql: "SELECT user_id, effect, scope, target FROM user_grant WHERE user_id IN (\(placeholders(chunk.count))) ORDER BY user_id, effect, scope, target",
                                      arguments: StatementArguments(chunk)) {
                if let grant = AccessGrant(row: g) { grants[g["user_id"], default: []].append(grant) }
            }
        }
        return grants
    }

    static func chunks<T>(_ values: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: values.count, by: digestsPerStatement).map { values[$0..<min($0 + digestsPerStatement, values.count)] }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

extension AccessGrant {
    init?(row: Row) {
        guard let effect = AccessGrant.Effect(rawValue: row["effect"]), let scope = AccessGrant.Scope(rawValue: row["scope"]) else { return nil }
        self.init(effect: effect, scope: scope, target: row["target"])
    }
}

extension User {
    init(row: Row, db: Database) throws {
        let id: Int64 = row["id"]
        let grants = try Row.fetchAll(db, sql: "SELECT effect, scope, target FROM user_grant WHERE user_id = ? ORDER BY effect, scope, target", arguments: [id])
            .compactMap(AccessGrant.init(row:))
        self.init(row: row, grants: grants)
    }

    init(row: Row, grants: [AccessGrant]) {
        // An unknown role (a newer version's) gets the least: the auditor role sees no video.
        self.init(id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .auditor, passwordHash: row["password_hash"],
                  mustChangePassword: row["must_change_password"], grants: grants, createdAt: row["created_at"],
                  seeBehindMasks: row["see_behind_masks"] ?? false)
    }
}

extension SQLiteCatalog {
    /// Inserts a user and, optionally, an API token digest for them, synchronously: for start-up
    /// code and test fixtures that cannot await.
    public func insertSynchronously(_ user: User, apiTokenDigest: String?) throws -> User {
        try pool.write { db in
            var u = user
            u.createdAt = nowMicros()
            try db.execute(sql: "INSERT INTO user (name, role, password_hash, must_change_password, created_at, see_behind_masks) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [u.name, u.role.rawValue, u.passwordHash, u.mustChangePassword, u.createdAt, u.seeBehindMasks])
            u.id = db.lastInsertedRowID
            try Self.writeGrants(db, userID: u.id, u.grants)
            if let apiTokenDigest {
                try db.execute(sql: "INSERT INTO api_token (digest, user_id, label, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [apiTokenDigest, u.id, "fixture", nowMicros()])
            }
            return u
        }
    }
}
