import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog: AccountStore {
    public func users() async throws -> [User] {
        try await rows("\(unescaped: Self.selectUsers()) ORDER BY lower(name), name").map(User.init(row:))
    }

    public func user(named name: String) async throws -> User? {
        try await row("\(unescaped: Self.selectUsers()) WHERE lower(name) = lower(\(name))").map(User.init(row:))
    }

    public func userCount() async throws -> Int {
        try await row("SELECT COUNT(*) AS n FROM aula_user")?.get("n", as: Int.self) ?? 0
    }

    /// Inserts a user with their grants; ``DuplicateUserName`` when the name (ignoring case) is
    /// taken, also by a user another node inserts at the same moment (the unique index decides).
    public func insert(_ user: User) async throws -> User {
        do {
            return try await transaction { connection in
                var u = user
                u.createdAt = nowMicros()
                let row = try await row("""
                    INSERT INTO aula_user (name, role, password_hash, must_change_password, see_behind_masks, created_at)
                    VALUES (\(u.name), \(u.role.rawValue), \(u.passwordHash), \(u.mustChangePassword), \(u.seeBehindMasks), \(u.createdAt))
                    RETURNING id
                    """, on: connection)
                u.id = try row?.get("id") ?? 0
                try await writeGrants(userID: u.id, u.grants, on: connection)
                return u
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw DuplicateUserName(name: user.name)
        }
    }

    public func update(_ user: User) async throws -> Bool {
        try await transaction { connection in
            guard try await execute("""
                UPDATE aula_user SET role = \(user.role.rawValue), password_hash = \(user.passwordHash),
                  must_change_password = \(user.mustChangePassword), see_behind_masks = \(user.seeBehindMasks)
                WHERE id = \(user.id)
                """, on: connection) > 0 else { return false }
            try await run("DELETE FROM user_grant WHERE user_id = \(user.id)", on: connection)
            try await writeGrants(userID: user.id, user.grants, on: connection)
            return true
        }
    }

    public func deleteUser(id: Int64) async throws -> Bool {
        try await transaction { connection in try await execute("DELETE FROM aula_user WHERE id = \(id)", on: connection) > 0 }
    }

    func writeGrants(userID: Int64, _ grants: [AccessGrant], on connection: PostgresConnection) async throws {
        for g in Set(grants) {
            try await run("INSERT INTO user_grant (user_id, effect, scope, target) VALUES (\(userID), \(g.effect.rawValue), \(g.scope.rawValue), \(g.target))",
                          on: connection)
        }
    }

    /// Users with their grants in one statement (a request's session check is one round trip):
    /// the grants come as a JSON array of `[effect, scope, target]`.
    static func selectUsers(_ extraColumns: String = "") -> String {
        """
        SELECT aula_user.*\(extraColumns), COALESCE((SELECT json_agg(json_build_array(effect, scope, target) ORDER BY effect, scope, target)
          FROM user_grant WHERE user_grant.user_id = aula_user.id), '[]')::text AS grants
        FROM aula_user
        """
    }

    // MARK: Sessions and API tokens

    public func createSession(digest: String, userID: Int64, csrf: String, expiresAt: Int64) async throws {
        try await transaction { connection in
            try await run("DELETE FROM session WHERE expires_at < \(nowMicros())", on: connection)
            try await run("""
                INSERT INTO session (digest, user_id, csrf, created_at, expires_at) VALUES (\(digest), \(userID), \(csrf), \(nowMicros()), \(expiresAt))
                """, on: connection)
        }
    }

    public func session(digest: String) async throws -> (user: User, csrf: String)? {
        guard let row = try await row("""
            \(unescaped: Self.selectUsers(", session.csrf")) JOIN session ON session.user_id = aula_user.id WHERE session.digest = \(digest) AND session.expires_at >= \(nowMicros())
            """) else { return nil }
        return (try User(row: row), try row.get("csrf"))
    }

    public func deleteSession(digest: String) async throws {
        try await run("DELETE FROM session WHERE digest = \(digest)")
    }

    public func deleteSessions(userID: Int64, keeping: String?) async throws {
        try await run("DELETE FROM session WHERE user_id = \(userID) AND digest <> \(keeping ?? "")")
    }

    public func addAPIToken(digest: String, userID: Int64, label: String, expiresAt: Int64?) async throws {
        try await run("""
            INSERT INTO api_token (digest, user_id, label, created_at, expires_at) VALUES (\(digest), \(userID), \(label), \(nowMicros()), \(expiresAt)::bigint)
            """)
    }

    public func deleteAPITokens(userID: Int64) async throws -> Int {
        try await transaction { connection in try await execute("DELETE FROM api_token WHERE user_id = \(userID)", on: connection) }
    }

    public func user(tokenDigest: String) async throws -> User? {
        try await row("""
            \(unescaped: Self.selectUsers()) JOIN api_token ON api_token.user_id = aula_user.id
            WHERE api_token.digest = \(tokenDigest) AND (api_token.expires_at IS NULL OR api_token.expires_at >= \(nowMicros()))
            """).map(User.init(row:))
    }

    /// One statement: the sessions' users and the tokens' users, each row with its digest.
    public func owners(sessionDigests: [String], tokenDigests: [String]) async throws -> CredentialOwners {
        if sessionDigests.isEmpty && tokenDigests.isEmpty { return CredentialOwners() }
        let now = nowMicros()
        let found = try await rows("""
            \(unescaped: Self.selectUsers(", 's' AS kind, session.digest AS credential, session.csrf AS csrf")) JOIN session ON session.user_id = aula_user.id
            WHERE session.digest = ANY(\(sessionDigests)) AND session.expires_at >= \(now)
            UNION ALL
            \(unescaped: Self.selectUsers(", 't' AS kind, api_token.digest AS credential, '' AS csrf")) JOIN api_token ON api_token.user_id = aula_user.id
            WHERE api_token.digest = ANY(\(tokenDigests)) AND (api_token.expires_at IS NULL OR api_token.expires_at >= \(now))
            """)
        var owners = CredentialOwners()
        for row in found {
            let user = try User(row: row), digest = try row.get("credential", as: String.self)
            if try row.get("kind", as: String.self) == "s" {
                owners.sessions[digest] = (user, try row.get("csrf", as: String.self))
            } else {
                owners.tokens[digest] = user
            }
        }
        return owners
    }
}

extension User {
    init(row: PostgresRandomAccessRow) throws {
        let triples = try JSONDecoder().decode([[String]].self, from: Data(try row.get("grants", as: String.self).utf8))
        let grants = triples.compactMap { t -> AccessGrant? in
            guard t.count == 3, let effect = AccessGrant.Effect(rawValue: t[0]), let scope = AccessGrant.Scope(rawValue: t[1]) else { return nil }
            return AccessGrant(effect: effect, scope: scope, target: t[2])
        }
        // An unknown role (a newer version's) gets the least: the auditor role sees no video.
        self.init(id: try row.get("id"), name: try row.get("name"), role: Role(rawValue: try row.get("role")) ?? .auditor,
                  passwordHash: try row.get("password_hash"), mustChangePassword: try row.get("must_change_password"), grants: grants,
                  createdAt: try row.get("created_at"), seeBehindMasks: try row.get("see_behind_masks"))
    }
}
