import AulaSecurity
import Catalog

/// Accounts set up outside a request: the first administrator, `aula users add`, `aula token
/// create`, the demo's login. Needs only the catalogue, so the command line writes a user without
/// building a server; every change is audited as done by `aula` from `local`.
public struct AccountSetup: Sendable {
    let authenticator: Authenticator
    var catalog: AulaCatalog { authenticator.catalog }

    init(authenticator: Authenticator) { self.authenticator = authenticator }

    /// `auth` gives the password rules and the bcrypt cost (the defaults are the server's).
    public init(catalog: AulaCatalog, auth: AuthConfiguration = AuthConfiguration()) {
        authenticator = Authenticator(catalog: catalog, configuration: auth)
    }

    /// At first start (no users yet): an administrator `admin` with a one-time password, returned
    /// so that the caller prints it once. The password must be changed at first sign-in.
    public func ensureAdministrator() async throws -> String? {
        guard try await catalog.userCount() == 0 else { return nil }
        let password = SecretToken.generate().prefix(20)
        _ = try await catalog.insert(User(name: "admin", role: .administrator, passwordHash: try await authenticator.hash(String(password)), mustChangePassword: true))
        try await catalog.appendAudit(actor: "aula", client: "local", action: "user.create", target: "admin", detail: "first start: administrator with a one-time password")
        return String(password)
    }

    /// Creates or resets a user with a known password (the CLI's `users add`, the demo's login).
    /// `seeBehindMasks`: grant or withdraw the right to see behind privacy masks; nil leaves it as it is.
    public func setUser(name: String, role: Role, password: String, mustChangePassword: Bool = false, seeBehindMasks: Bool? = nil) async throws {
        let problems = authenticator.passwordProblems(password, name: name, field: "password")
        guard problems.isEmpty else { throw ServerSetupError(problems.map(\.description).joined(separator: "; ")) }
        guard UserRoutes.validName(name) else { throw ServerSetupError("name: must be 1 to 64 letters, digits or . _ - @") }
        let hash = try await authenticator.hash(password)
        if var user = try await catalog.user(named: name) {
            user.role = role
            user.passwordHash = hash
            user.mustChangePassword = mustChangePassword
            var detail = "role \(role.rawValue); password set from the command line"
            if let seeBehindMasks {
                detail += "; see behind masks \(user.seeBehindMasks) → \(seeBehindMasks)"
                user.seeBehindMasks = seeBehindMasks
            }
            _ = try await catalog.update(user)
            try await catalog.appendAudit(actor: "aula", client: "local", action: "user.update", target: name, detail: detail)
        } else {
            let user = try await catalog.insert(User(name: name, role: role, passwordHash: hash, mustChangePassword: mustChangePassword, seeBehindMasks: seeBehindMasks ?? false))
            try await catalog.appendAudit(actor: "aula", client: "local", action: "user.create", target: name,
                                          detail: "role \(role.rawValue); see behind masks \(user.seeBehindMasks); from the command line")
        }
    }

    /// A new API token for an existing user, returned once (only its digest is stored).
    public func createAPIToken(user name: String, label: String = "cli") async throws -> String {
        guard let user = try await catalog.user(named: name) else { throw ServerSetupError("no user named \(name)") }
        let token = SecretToken.generate(prefix: "aula_")
        try await catalog.addAPIToken(digest: SecretToken.digest(token), userID: user.id, label: label)
        try await catalog.appendAudit(actor: "aula", client: "local", action: "token.create", target: name, detail: "label \(label); from the command line")
        return token
    }
}
