import APIInput
import AulaSecurity
import Catalog
import Foundation
import Hummingbird
import HTTPTypes
import Synchronization

/// Authenticates every request, applies the route's ``RouteRule`` and records audited actions.
///
/// It runs after routing (Hummingbird applies router middleware per endpoint), so it knows the
/// route's pattern, looks up the rule it was registered with (``Routes``) and refuses a route without one. Paths
/// that match no route are static files of the web UI (public) or unknown API paths (which need a
/// signed-in user, so that probing them tells an anonymous client nothing).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AulaContext
    let authenticator: Authenticator
    let catalog: AulaCatalog
    /// The rules the routes were registered with.
    let routes: RouteTable
    /// Told after every successful change, so that open sockets re-check their rights at once.
    let rights: RightsChanges
    /// Footage views already audited, so that the many range requests of one playback are one row.
    let footageViews = FootageViews()
    /// Checks the signatures of requests from other nodes of the cluster.
    let peers: PeerSignature

    func handle(_ request: Request, context: AulaContext, next: (Request, AulaContext) async throws -> Response) async throws -> Response {
        var context = context
        guard let route = context.endpointPath else {
            let path = request.uri.path
            if path == "/api" || path.hasPrefix("/api/") {
                context.identity = try await authenticator.identify(request, answers: rights.credentials)
                guard context.identity != nil else { throw authenticator.unauthorized("sign in to use the API") }
            }
            return try await next(request, context)
        }
        guard let rule = routes.rule(method: request.method, path: route) else {
            context.logger.error("route has no access rule; refusing it", metadata: ["route": "\(request.method) \(route)"])
            throw ProblemDetails(status: .forbidden, type: "/docs/security.md#routes", detail: "this route has no access rule yet, so nobody may use it")
        }
        if rule.access == .everyone { return try await next(request, context) }
        if rule.access == .peerNode {
            // Only another node of the cluster, by its signature; user credentials count for nothing here.
            let verdict = peers.verify(node: request.headers[PeerSignature.nodeField], time: request.headers[PeerSignature.timeField],
                                       signature: request.headers[PeerSignature.signatureField], method: request.method.rawValue,
                                       target: request.head.path ?? "")
            switch verdict {
            case .success: return try await next(request, context)
            case .failure(let refusal):
                context.logger.warning("a node-to-node request was refused", metadata: ["route": "\(route)", "client": "\(context.client)", "reason": "\(refusal)"])
                throw ProblemDetailsWithHeaders(problem: ProblemDetails(status: .unauthorized, type: "/docs/cluster.md#node-to-node", title: "Not a node of this cluster",
                                                                        detail: "this route serves only the other nodes of the cluster: \(refusal)"),
                                                headers: [.wwwAuthenticate: "AulaNode"])
            }
        }

        guard let identity = try await authenticator.identify(request, answers: rights.credentials, sharing: rule.sharesCredentialReads) else { throw authenticator.unauthorized("sign in to use this route") }
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
        if let action = rule.camera, let id = PathID.parse(context.parameters.get("id")),
           let camera = try await catalog.camera(id: id), !identity.user.may(action, camera) {
            // A camera the user may not use answers exactly as a missing one: its existence is not
            // theirs to learn. The refusal is audited all the same.
            try await catalog.appendAudit(actor: identity.user.name, client: context.client, action: "access.denied",
                                          target: "\(request.method) \(request.uri.path)", detail: "no \(action.rawValue) grant for camera \(id)")
            throw ProblemDetails.notFound("camera \(id) does not exist")
        }

        let response = try await next(request, context)
        if ![.get, .head, .options].contains(request.method), response.status.code < 400, !rule.leavesRightsAlone { rights.changed() }
        if let action = rule.audit, response.status.code < 400,
           !["view.playback", "view.thumbnail"].contains(action) || footageViews.firstView(user: identity.user.name,
                                                                                       target: request.uri.path + "?" + (request.uri.query ?? "") + "\u{0}" + (context.auditNote.value ?? "")) {
            var target = request.uri.path
            if let query = request.uri.query, !query.isEmpty { target += "?" + query }
            if let location = response.headers[.location] { target = location }
            try await catalog.appendAudit(actor: identity.user.name, client: context.client, action: action, target: target,
                                          detail: context.auditNote.value ?? "")
        }
        return response
    }

    private func refuse(_ request: Request, context: AulaContext, identity: Identity, reason: String) async throws -> Never {
        try await catalog.appendAudit(actor: identity.user.name, client: context.client, action: "access.denied",
                                      target: "\(request.method) \(request.uri.path)", detail: reason)
        throw ProblemDetails(status: .forbidden, type: "/docs/security.md#roles", title: "Forbidden",
                             detail: "\(identity.user.name) (\(identity.user.role.rawValue)) may not do this: \(reason)")
    }
}

/// Which recorded footage each user has viewed recently, by path and query (camera and range) and
/// the handler's audit note (the same range seen masked is another view than seen unmasked).
/// Live views and snapshots show a new moment each time and are audited every time.
///
/// A player fetches one recording as many Range requests, in any order and from any offset; each
/// carries footage, so the first of them is audited whatever its range, and the rest of that view
/// (the same user, camera and range within ``window``) adds no row. Bounded: the oldest entries go
/// first when ``capacity`` is reached.
final class FootageViews: Sendable {
    static let window: Duration = .seconds(3600)
    static let capacity = 20_000
    private let seen = Mutex<[String: ContinuousClock.Instant]>([:])

    /// True when this user has not viewed `target` within the window (and records that they have).
    func firstView(user: String, target: String, now: ContinuousClock.Instant = .now) -> Bool {
        let key = user + "\u{0}" + target
        return seen.withLock { seen in
            if let last = seen[key], now - last < Self.window { return false }
            if seen.count >= Self.capacity {
                seen = seen.filter { now - $0.value < Self.window }
                if seen.count >= Self.capacity {
                    for old in seen.sorted(by: { $0.value < $1.value }).prefix(Self.capacity / 4) { seen.removeValue(forKey: old.key) }
                }
            }
            seen[key] = now
            return true
        }
    }
}

extension PeerSignature {
    static let nodeField = HTTPField.Name(PeerSignature.nodeHeader)!
    static let timeField = HTTPField.Name(PeerSignature.timeHeader)!
    static let signatureField = HTTPField.Name(PeerSignature.signatureHeader)!
}
