import Alerts
import APIInput
import Catalog
import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `GET /api/alerts`, `POST /api/alerts/{id}/ack` and the live stream `GET /api/alerts/stream`
/// (a WebSocket; docs/api.md, "Alerts").
///
/// The stream first sends every open alert the user may see, then each alert as it is raised,
/// escalated or acknowledged, as text messages `{"type":"alert","alert":{…}}`; a client keeps them
/// by `id`. Acknowledging is a POST, so that it passes CSRF protection and the audit trail.
struct AlertRoutes: Sendable {
    let hub: AlertHub
    /// `https` when served over TLS or behind a TLS proxy: the scheme a WebSocket's Origin must have.
    let scheme: String
    let guardian: ConnectionGuard

    /// Checked again for the life of the socket.
    static let streamRule = RouteRule.roles(.operator, .guard)

    func register(on routes: Routes<AulaContext>) {
        routes.get("api/alerts", .roles(.operator, .guard), APIDoc("Alerts", query: ["state": .string]), use: list)
        routes.post("api/alerts/:id/ack", .roles(.operator, .guard, audit: "alert.ack"), "Acknowledge an alert", use: acknowledge)
        routes.ws("api/alerts/stream", Self.streamRule, APIDoc("New alerts as they happen, over a WebSocket", answer: .webSocket), shouldUpgrade: { request, context in
            guard request.headers[.secWebSocketKey] != nil else {
                throw ProblemDetails(status: .badRequest, detail: "the alert stream is a WebSocket: open it with an Upgrade: websocket request")
            }
            if let origin = request.headers[.origin], !LiveRoute.sameOrigin(origin, authority: request.head.authority, scheme: scheme) {
                throw ProblemDetails(status: .forbidden, detail: "alerts are only streamed to pages of this server (Origin \(origin))")
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            guard let identity = context.requestContext.identity else { return }
            let user = identity.user
            let (stream, cancel) = hub.subscribe(user: user)
            defer { cancel() }
            for alert in try await hub.visible(try await hub.catalog.alerts(openOnly: true), to: user).reversed() {
                try await outbound.write(.text(Self.message(alert)))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in inbound {}
                    cancel()
                }
                // Closed within a quarter second when the session ends or the user changes (grants
                // decide which cameras' alerts are sent, so a changed user reconnects afresh).
                group.addTask {
                    await guardian.watch(identity) { user in Self.streamRule.allows(user.role) }
                    cancel()
                    try? await outbound.close(.policyViolation, reason: "the session ended or its rights changed; reconnect")
                }
                group.addTask {
                    for await alert in stream { try await outbound.write(.text(Self.message(alert))) }
                }
                try await group.next()
                group.cancelAll()
            }
        })
    }

    static func message(_ notice: AlertNotice) -> String {
        let alert = AlertJSON(notice)
        struct Message: Encodable { var type = "alert"; var alert: AlertJSON }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(Message(alert: alert))) ?? Data(), as: UTF8.self)
    }

    func list(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let state = request.uri.queryParameters.get("state") ?? "all"
        guard ["open", "all"].contains(state) else { throw ProblemDetails.validation([FieldError(field: "state", message: "must be open or all")]) }
        let alerts = try await hub.visible(try await hub.catalog.alerts(openOnly: state == "open"), to: user).map(AlertJSON.init)
        return try JSONResponse.make(["alerts": alerts])
    }

    func acknowledge(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        guard let id = PathID.parse(context.parameters.get("id")), let alert = try await hub.catalog.alert(id: id) else {
            throw ProblemDetails.notFound("no such alert")
        }
        let camera = try await alert.cameraID.asyncMap { try await hub.catalog.camera(id: $0) } ?? nil
        guard AlertHub.may(user, see: alert, camera: camera) else { throw ProblemDetails.notFound("no such alert") }
        guard alert.isOpen else {
            throw ProblemDetails(status: .conflict, detail: "alert \(id) was acknowledged by \(alert.acknowledgedBy ?? "someone") already")
        }
        guard let acknowledged = try await hub.acknowledge(id: id, by: user.name) else { throw ProblemDetails.notFound("no such alert") }
        context.auditNote.set("\(alert.kind.rawValue)\(alert.cameraID.map { " camera \($0)" } ?? ""): \(alert.message)")
        return try JSONResponse.make(AlertJSON(acknowledged, cameraName: camera?.name))
    }
}
