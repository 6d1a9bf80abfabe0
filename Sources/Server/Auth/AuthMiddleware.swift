import AulaSecurity
import Catalog
import CatalogSQLite
import Foundation
import Hummingbird

/// Authenticates every request, applies the route's ``RouteRule`` and records audited actions.
///
/// It runs after routing (Hummingbird applies router middleware per endpoint), so it knows the
/// route's pattern, looks its rule up in ``AccessPolicy`` and refuses a route without one. Paths
/// that match no route are static files of the web UI (public) or unknown API paths (which need a
/// signed-in user, so that probing them tells an anonymous client nothing).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AulaContext
    let authenticator: Authenticator
    let catalog: SQLiteCatalog

    func handle(_ request: Request, context: AulaContext, next: (Request, AulaContext) async throws -> Response) async throws -> Response {
        var context = context
        guard let route = context.endpointPath else {
            let path = request.uri.path
            if path == "/api" || path.hasPrefix("/api/") {
                context.identity = try await authenticator.identify(request)
                guard context.identity != nil else { throw authenticator.unauthorized("sign in to use the API") }
            }
            return try await next(request, context)
        }
        guard let rule = AccessPolicy.rule(method: request.method, path: route) else {
            context.logger.error("route has no access rule; refusing it", metadata: ["route": "\(request.method) \(route)"])
            throw ProblemDetails(status: .forbidden, type: "/docs/security.md#routes", detail: "this route has no access rule yet, so nobody may use it")
        }
        if rule.access == .everyone { return try await next(request, context) }

        guard let identity = try await authenticator.identify(request) else { throw authenticator.unauthorized("sign in to use this route") }
        context.identity = identity
        if case .session(_, let csrf) = identity.credential, ![.get, .head, .options].contains(request.method) {
            // A browser sends the cookie with any request, including one another site makes it
            // send; only this origin's script can read the CSRF cookie and echo it.
            guard let sent = request.headers[Authenticator.csrfHeader], SecretToken.constantTimeEqual(sent, csrf) else {
                throw ProblemDetails(status: .forbidden, type: "/docs/security.md#csrf", title: "CSRF token missing",
                                     detail: "requests signed in with the session cookie must send its CSRF token in X-CSRF-Token",
                                     errors: [FieldError(field: "X-CSRF-Token", message: "must equal the csrfToken returned at sign-in")])
            }
        }
        if identity.user.mustChangePassword && !rule.duringPasswordChange {
            throw ProblemDetails(status: .forbidden, type: "/docs/security.md#one-time-passwords", title: "Password change required",
                                 detail: "this account has a one-time password: set a new one with POST /api/session/password first")
        }
        guard rule.allows(identity.user.role) else {
            try await refuse(request, context: context, identity: identity, reason: "role \(identity.user.role.rawValue)")
        }
        if let action = rule.camera, let text = context.parameters.get("id"), let id = Int64(text),
           let camera = try await catalog.camera(id: id), !identity.user.may(action, camera) {
            try await refuse(request, context: context, identity: identity, reason: "no \(action.rawValue) grant for camera \(id)")
        }

        let response = try await next(request, context)
        if let action = rule.audit, response.status.code < 400, shouldAudit(request) {
            var target = request.uri.path
            if let query = request.uri.query, !query.isEmpty { target += "?" + query }
            if let location = response.headers[.location] { target = location }
            try await catalog.appendAudit(actor: identity.user.name, client: context.client, action: action, target: target,
                                          detail: context.auditNote.value ?? "")
        }
        return response
    }

    /// Playback streams arrive as many range requests; one view is recorded, at its first byte.
    private func shouldAudit(_ request: Request) -> Bool {
        guard let range = request.headers[.range] else { return true }
        return range.hasPrefix("bytes=0-")
    }

    private func refuse(_ request: Request, context: AulaContext, identity: Identity, reason: String) async throws -> Never {
        try await catalog.appendAudit(actor: identity.user.name, client: context.client, action: "access.denied",
                                      target: "\(request.method) \(request.uri.path)", detail: reason)
        throw ProblemDetails(status: .forbidden, type: "/docs/security.md#roles", title: "Forbidden",
                             detail: "\(identity.user.name) (\(identity.user.role.rawValue)) may not do this: \(reason)")
    }
}
