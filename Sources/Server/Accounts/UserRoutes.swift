import AulaSecurity
import APIInput
import Catalog
import Foundation
import Hummingbird

/// `/api/users`: accounts, roles, grants and API tokens (administrators only).
struct UserRoutes: Sendable {
    let authenticator: Authenticator
    let catalog: AulaCatalog

    func register(on routes: Routes<AulaContext>) {
        routes.get("api/users", .roles(), "Every user, with role and grants", use: list)
        routes.post("api/users", .roles(audit: "user.create"), APIDoc("Add a user", body: .object(["name": .string, "role": .string, "password": .string, "grants": .array(.object(["effect": .string, "camera": .integer, "district": .string])), "seeBehindMasks": .boolean])), use: create)
        routes.patch("api/users/:name", .roles(audit: "user.update"), APIDoc("Change a user's role, grants or password (a reset ends their sessions and tokens)", body: .object(["role": .string, "password": .string, "grants": .array(.object(["effect": .string, "camera": .integer, "district": .string])), "seeBehindMasks": .boolean])), use: patch)
        routes.delete("api/users/:name", .roles(audit: "user.delete"), APIDoc("Delete a user (their sockets close)", answer: .empty), use: delete)
        routes.post("api/users/:name/tokens", .roles(audit: "token.create"), APIDoc("Create an API token for a user (shown once)", body: .object(["label": .string, "expiresInDays": .integer])), use: createToken)
        routes.delete("api/users/:name/tokens", .roles(audit: "token.revoke"), APIDoc("Revoke every API token of a user", answer: .empty), use: revokeTokens)
    }

    struct UserJSON: Encodable {
        var name: String
        var role: String
        var mustChangePassword: Bool
        var grants: [AccessGrant]
        /// The right to see behind privacy masks as granted; administrators see behind them anyway.
        var seeBehindMasks: Bool
        var createdAt: String
        init(_ u: User) {
            name = u.name
            role = u.role.rawValue
            mustChangePassword = u.mustChangePassword
            grants = u.grants
            seeBehindMasks = u.seeBehindMasks
            createdAt = RFC3339.format(micros: u.createdAt)
        }
    }

    static func validName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isLetter || $0.isNumber || "._-@".contains($0) }
    }

    func list(_ request: Request, context: AulaContext) async throws -> Response {
        try JSONResponse.make(try await catalog.users().map(UserJSON.init))
    }

    func create(_ request: Request, context: AulaContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: 64 * 1024)
        let fields = try SessionRoutes.strings(&body, ["name", "role", "password"])
        var errors: [FieldError] = []
        if !Self.validName(fields[0]) { errors.append(FieldError(field: "name", message: "must be 1 to 64 letters, digits or . _ - @")) }
        let role = Role(rawValue: fields[1])
        if role == nil { errors.append(FieldError(field: "role", message: "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")) }
        errors += authenticator.passwordProblems(fields[2], name: fields[0], field: "password")
        let grants = Self.grants(&body, &errors)
        let seeBehindMasks = Self.seeBehindMasks(body, &errors)
        guard errors.isEmpty, let role else { throw ProblemDetails.validation(errors) }
        let user: User
        do {
            user = try await catalog.insert(User(name: fields[0], role: role, passwordHash: try await authenticator.hash(fields[2]), grants: grants ?? [],
                                                 seeBehindMasks: seeBehindMasks ?? false))
        } catch is DuplicateUserName {
            throw ProblemDetails(status: .conflict, detail: "a user named \(fields[0]) exists", errors: [FieldError(field: "name", message: "is taken")])
        }
        context.auditNote.set("role \(role.rawValue); grants \(Self.describe(user.grants)); see behind masks \(user.seeBehindMasks)")
        var response = try JSONResponse.make(UserJSON(user), status: .created)
        response.headers[.location] = "/api/users/\(user.name)"
        return response
    }

    func patch(_ request: Request, context: AulaContext) async throws -> Response {
        var user = try await find(context)
        var body = try await JSONBody.read(request, limit: 64 * 1024)
        var errors: [FieldError] = []
        var notes: [String] = []
        if case .some(.some(let text)) = body.string("role") {
            if let role = Role(rawValue: text) {
                if user.role == .administrator && role != .administrator { try await requireAnotherAdministrator(than: user) }
                user.role = role
                notes.append("role \(role.rawValue)")
            } else {
                errors.append(FieldError(field: "role", message: "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if case .some(.some(let password)) = body.string("password") {
            errors += authenticator.passwordProblems(password, name: user.name, field: "password")
            user.passwordHash = try await authenticator.hash(password)
            // Someone else chose it: the user must replace it at next sign-in.
            user.mustChangePassword = true
            notes.append("password reset")
        }
        if let grants = Self.grants(&body, &errors) {
            user.grants = grants
            notes.append("grants \(Self.describe(grants))")
        }
        if let see = Self.seeBehindMasks(body, &errors) {
            notes.append("see behind masks \(user.seeBehindMasks) → \(see)")
            user.seeBehindMasks = see
        }
        errors = body.errors + errors
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        _ = try await catalog.update(user)
        if notes.contains("password reset") {
            // A reset is what an administrator does when an account may be in the wrong hands:
            // every way in ends, API tokens included.
            try await catalog.deleteSessions(userID: user.id)
            let tokens = try await catalog.deleteAPITokens(userID: user.id)
            if tokens > 0 { notes.append("\(tokens) API token(s) revoked") }
        }
        context.auditNote.set(notes.joined(separator: "; "))
        return try JSONResponse.make(UserJSON(user))
    }

    func delete(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try await find(context)
        if user.role == .administrator { try await requireAnotherAdministrator(than: user) }
        _ = try await catalog.deleteUser(id: user.id)
        return Response(status: .noContent)
    }

    /// Creates an API token for the user and returns it once; only its digest is kept.
    func createToken(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try await find(context)
        var label = "api"
        var days: Int64?
        if request.headers[.contentLength].map({ $0 != "0" }) ?? false {
            var body = try await JSONBody.read(request, limit: 16 * 1024)
            body.rejectUnknown(["label", "expiresInDays"])
            if let l = body.text("label", maxLength: 100) { label = l }
            days = body.integer("expiresInDays", in: 1...3650)
            try body.check()
        }
        let token = SecretToken.generate(prefix: "aula_")
        let expires = days.map { Int64(Date().timeIntervalSince1970) * 1_000_000 + $0 * 86_400_000_000 }
        try await catalog.addAPIToken(digest: SecretToken.digest(token), userID: user.id, label: label, expiresAt: expires)
        context.auditNote.set("label \(label)" + (expires.map { "; expires \(RFC3339.format(micros: $0))" } ?? ""))
        var answer = ["user": user.name, "label": label, "token": token]
        if let expires { answer["expiresAt"] = RFC3339.format(micros: expires) }
        return try JSONResponse.make(answer, status: .created)
    }

    /// Revokes every API token of the user (an integration that leaked, or was retired).
    func revokeTokens(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try await find(context)
        let count = try await catalog.deleteAPITokens(userID: user.id)
        context.auditNote.set("\(count) token(s)")
        return try JSONResponse.make(["user": user.name, "revoked": String(count)])
    }

    private func find(_ context: AulaContext) async throws -> User {
        let name = context.parameters.get("name") ?? ""
        guard let user = try await catalog.user(named: name) else { throw ProblemDetails.notFound("no user named \(name)") }
        return user
    }

    private func requireAnotherAdministrator(than user: User) async throws {
        guard try await catalog.users().contains(where: { $0.role == .administrator && $0.id != user.id }) else {
            throw ProblemDetails(status: .conflict, detail: "\(user.name) is the last administrator", errors: [FieldError(field: "role", message: "the last administrator must stay one")])
        }
    }

    /// `grants`: `[{"effect": "allow"|"deny", "camera": 3}]` or `[{"effect": …, "district": "Centre"}]`.
    static func grants(_ body: inout JSONBody, _ errors: inout [FieldError]) -> [AccessGrant]? {
        guard let value = body.object["grants"] else { return nil }
        guard case .array(let items) = value else {
            errors.append(FieldError(field: "grants", message: "must be an array"))
            return nil
        }
        var grants: [AccessGrant] = []
        for (i, item) in items.enumerated() {
            let field = "grants[\(i)]"
            guard case .object(let o) = item else { errors.append(FieldError(field: field, message: "must be an object")); continue }
            guard case .string(let e) = o["effect"], let effect = AccessGrant.Effect(rawValue: e) else {
                errors.append(FieldError(field: field + ".effect", message: "must be \"allow\" or \"deny\""))
                continue
            }
            switch (o["camera"], o["district"]) {
            case (.number(let n), nil) where Int64(exactly: n).map(InputLimits.ids.contains) ?? false:
                grants.append(AccessGrant(effect: effect, scope: .camera, target: String(Int64(exactly: n)!)))
            case (nil, .string(let d)) where !d.isEmpty && d.utf8.count <= 200:
                grants.append(AccessGrant(effect: effect, scope: .district, target: d))
            default:
                errors.append(FieldError(field: field, message: "must name either a camera (a positive whole number) or a district (a name)"))
            }
        }
        return grants
    }

    /// `seeBehindMasks`: true or false when present.
    static func seeBehindMasks(_ body: JSONBody, _ errors: inout [FieldError]) -> Bool? {
        switch body.object["seeBehindMasks"] {
        case nil: return nil
        case .bool(let value): return value
        default:
            errors.append(FieldError(field: "seeBehindMasks", message: "must be true or false"))
            return nil
        }
    }

    static func describe(_ grants: [AccessGrant]) -> String {
        grants.isEmpty ? "none" : grants.map { "\($0.effect.rawValue) \($0.scope.rawValue) \($0.target)" }.joined(separator: ", ")
    }
}
