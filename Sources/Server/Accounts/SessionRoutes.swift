import AulaSecurity
import Catalog
import Foundation
import Hummingbird

/// `/api/session`: sign in, who am I, sign out, change password.
struct SessionRoutes: Sendable {
    let authenticator: Authenticator
    let catalog: AulaCatalog

    func register(on routes: Routes<AulaContext>) {
        routes.post("api/session", .everyone, APIDoc("Sign in: a session cookie and its CSRF token", body: .object(["name": .string, "password": .string])), use: signIn)
        routes.get("api/session", .signedIn(), "The signed-in user", use: current)
        routes.delete("api/session", .signedIn(audit: "signout"), APIDoc("Sign out", answer: .empty), use: signOut)
        routes.post("api/session/password", .signedIn(), APIDoc("Change one's own password (ends one's other sessions)", body: .object(["currentPassword": .string, "newPassword": .string]), answer: .empty), use: changePassword)
    }

    struct Me: Encodable {
        var name: String
        var role: String
        var mustChangePassword: Bool
        var grants: [AccessGrant]
        var csrfToken: String?
    }

    static func me(_ user: User, csrf: String?) -> Me {
        Me(name: user.name, role: user.role.rawValue, mustChangePassword: user.mustChangePassword, grants: user.grants, csrfToken: csrf)
    }

    /// Reads required non-empty string fields, naming every missing one.
    static func strings(_ body: inout JSONBody, _ names: [String]) throws -> [String] {
        var values: [String] = []
        var errors: [FieldError] = []
        for name in names {
            let typeErrors = body.errors.count
            switch body.string(name) {
            case .some(.some(let v)) where !v.isEmpty: values.append(v)
            case .none where !body.has(name): errors.append(FieldError(field: name, message: "is required"))
            default: if body.errors.count == typeErrors { errors.append(FieldError(field: name, message: "must not be empty")) }
            }
        }
        errors = body.errors + errors
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        return values
    }

    func signIn(_ request: Request, context: AulaContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: 16 * 1024)
        let fields = try Self.strings(&body, ["name", "password"])
        let (name, password) = (fields[0], fields[1])
        for ended in authenticator.throttle.endedLocks() {
            try await catalog.appendAudit(actor: "(anonymous)", client: context.client, action: "signin.locked.end", target: ended.key,
                                          detail: "\(ended.refusals) attempt(s) refused during the lock")
        }
        switch try await authenticator.check(name: name, password: password, client: context.client) {
        case .locked(let left, let first):
            // One audit row per lock period: refusals while locked are counted, not written one by
            // one, so that an anonymous flood cannot grow the audit trail.
            if first {
                try await catalog.appendAudit(actor: "(anonymous)", client: context.client, action: "signin.locked", target: String(name.prefix(200)),
                                              detail: "locked for \(max(1, Int(left.components.seconds))) s; further attempts during the lock are counted in signin.locked.end")
            }
            let seconds = max(1, Int(left.components.seconds))
            throw ProblemDetailsWithHeaders(
                problem: ProblemDetails(status: .tooManyRequests, type: "/docs/security.md#lockout", title: "Too many failed sign-ins",
                                        detail: "sign-in for this account or address is locked for \(seconds) more seconds"),
                headers: [.retryAfter: String(seconds)])
        case .wrong(let delay):
            try await catalog.appendAudit(actor: "(anonymous)", client: context.client, action: "signin.failed", target: String(name.prefix(200)))
            try await Task.sleep(for: delay)
            throw ProblemDetails(status: .unauthorized, type: "/docs/security.md#sign-in", title: "Sign-in failed",
                                 detail: "the name or the password is wrong")
        case .success(let user):
            let (cookies, csrf) = try await authenticator.startSession(for: user)
            try await catalog.appendAudit(actor: user.name, client: context.client, action: "signin", target: user.name)
            var response = try JSONResponse.make(Self.me(user, csrf: csrf))
            for c in cookies { response.setCookie(c) }
            return response
        }
    }

    func current(_ request: Request, context: AulaContext) async throws -> Response {
        guard let identity = context.identity else { throw authenticator.unauthorized("sign in first") }
        var csrf: String?
        if case .session(_, let token) = identity.credential { csrf = token }
        return try JSONResponse.make(Self.me(identity.user, csrf: csrf))
    }

    func signOut(_ request: Request, context: AulaContext) async throws -> Response {
        if case .session(let digest, _) = context.identity?.credential { try await catalog.deleteSession(digest: digest) }
        var response = Response(status: .noContent)
        for c in authenticator.expiredCookies() { response.setCookie(c) }
        return response
    }

    func changePassword(_ request: Request, context: AulaContext) async throws -> Response {
        var user = try context.user()
        var body = try await JSONBody.read(request, limit: 16 * 1024)
        let fields = try Self.strings(&body, ["currentPassword", "newPassword"])
        var errors = authenticator.passwordProblems(fields[1], name: user.name, field: "newPassword")
        if fields[1] == fields[0] { errors.append(FieldError(field: "newPassword", message: "must differ from the current password")) }
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        // The current password goes through the same throttle as sign-in: a stolen session must
        // not become a way to guess it.
        switch try await authenticator.check(name: user.name, password: fields[0], client: context.client) {
        case .locked:
            throw ProblemDetails(status: .tooManyRequests, type: "/docs/security.md#lockout", detail: "too many wrong passwords; try again later")
        case .wrong(let delay):
            try await catalog.appendAudit(actor: user.name, client: context.client, action: "password.change.failed", target: user.name)
            try await Task.sleep(for: delay)
            throw ProblemDetails.validation([FieldError(field: "currentPassword", message: "is wrong")])
        case .success:
            break
        }
        user.passwordHash = try await authenticator.hash(fields[1])
        user.mustChangePassword = false
        _ = try await catalog.update(user)
        var keep: String?
        if case .session(let digest, _) = context.identity?.credential { keep = digest }
        try await catalog.deleteSessions(userID: user.id, keeping: keep)
        try await catalog.appendAudit(actor: user.name, client: context.client, action: "password.change", target: user.name)
        return Response(status: .noContent)
    }
}
