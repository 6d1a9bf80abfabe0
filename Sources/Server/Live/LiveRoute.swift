import Analytics
import APIInput
import Catalog
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Recorder

/// `GET /api/cameras/{id}/live`: live view as fragmented MP4 over a WebSocket (docs/live.md).
///
/// Messages, server to browser: a text message `{"type":"init","mime":"video/mp4; codecs=\"…\""}`
/// followed by a binary initialization segment (again whenever the camera's parameters change or
/// it reconnects: a player resets its `SourceBuffer` on it), then one binary message per frame
/// (`moof` + `mdat`), starting at a key frame. The browser appends them to Media Source Extensions.
///
/// The upgrade request passes the same authentication and access rules as every other route. A
/// cookie-authenticated browser is also held to its own origin: SameSite=Strict keeps other sites'
/// cookies out, and a cross-origin `Origin` header is refused as a second lock.
///
/// A viewer without the right to see behind privacy masks watching a camera with privacy zones
/// gets the camera's masked stream (``MaskedLive``) in the same form; everyone else the original.
struct LiveRoute: Sendable {
    let cameras: any CameraStore
    let live: LiveHub
    let privacy: PrivacyZones
    let maskedLive: MaskedLive
    /// The scheme a WebSocket's Origin must have (``AulaServer/publicScheme``).
    let scheme: String
    let guardian: ConnectionGuard
    let sockets: LiveSockets
    /// The other nodes of the cluster: a camera another node records is relayed from it (nil alone).
    let peers: PeerDirectory?

    /// Operators; guards and analysts for the cameras granted to them. Checked again for the life
    /// of the socket.
    static let rule = RouteRule.roles(Roles.cameraViewers, camera: .live, audit: "view.live")

    func register(on routes: Routes<AulaContext>) {
        routes.ws("api/cameras/:id/live", Self.rule, APIDoc("Live view: fMP4 fragments over a WebSocket", query: ["timing": .string], answer: .webSocket), shouldUpgrade: { request, context in
            // (Upgrade and Connection are hop-by-hop fields that do not reach the router.)
            guard request.headers[.secWebSocketKey] != nil else {
                throw ProblemDetails(status: .badRequest, detail: "live view is a WebSocket: open it with an Upgrade: websocket request")
            }
            if let origin = request.headers[.origin], !Self.sameOrigin(origin, authority: request.head.authority, scheme: scheme) {
                throw ProblemDetails(status: .forbidden, detail: "live view is only served to pages of this server (Origin \(origin))")
            }
            let camera = try await CameraID.existing(context.parameters.get("id"), in: cameras)
            if let refusal = sockets.refusal(user: context.identity?.user.name ?? "") { throw refusal }
            if privacy.masks(for: context.identity?.user, camera: camera.id) != nil {
                guard maskedLive.canWatch(camera: camera.id) else {
                    throw ProblemDetails(status: .serviceUnavailable, title: "Too many masked cameras",
                                         detail: "\(maskedLive.maxEncoders) camera(s) are being shown with privacy masks already, the most this server re-encodes at once; try again later or ask an administrator")
                }
                context.auditNote.set("privacy masks applied (re-encoded)")
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            guard let id = PathID.parse(context.requestContext.parameters.get("id")), let identity = context.requestContext.identity else { return }
            // `?timing=1`: each fragment is preceded by a text message with the frame's arrival time at
            // Aula, so that a player can measure arrival-to-append latency (the live benchmark).
            let timing = context.request.uri.queryParameters.get("timing") == "1"
            // Decided again here, from the same signed-in user (none counts as restricted).
            guard sockets.acquire(user: identity.user.name) else {
                try? await outbound.close(.policyViolation, reason: "too many live views; close some first")
                return
            }
            defer { sockets.release(user: identity.user.name) }
            let masks = privacy.masks(for: identity.user, camera: id)?.fingerprint
            let masked = masks != nil
            @Sendable func send(_ message: LiveHub.Message) async throws {
                switch message {
                case .initSegment(let bytes, let codecs):
                    let mime = "video/mp4; codecs=\\\"\(codecs)\\\""
                    try await outbound.write(.text(#"{"type":"init","mime":"\#(mime)"}"#))
                    try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                case .fragment(let bytes, _, let wallTime):
                    if timing { try await outbound.write(.text(#"{"type":"frame","arrival":\#(wallTime)}"#)) }
                    try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                }
            }
            if let peers {
                // In a cluster: from this node's hub or relayed from the node that records the camera.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await _ in inbound {}
                    }
                    group.addTask { [cameras, privacy] in
                        await guardian.watch(identity) { user in
                            guard Self.rule.allows(user.role),
                                  let camera = try await cameras.camera(id: id), user.may(.live, camera) else { return false }
                            return privacy.masks(for: user, camera: id)?.fingerprint == masks
                        }
                        try? await outbound.close(.policyViolation, reason: "access to this camera ended; reconnect")
                    }
                    group.addTask { [live, maskedLive] in
                        try await peers.follow(camera: id, masked: masked, local: {
                            let lease = masked ? maskedLive.subscribe(camera: id) : nil
                            return (lease?.subscription ?? live.subscribe(camera: id), { lease?.release() })
                        }, write: send)
                    }
                    try await group.next()
                    group.cancelAll()
                }
                return
            }
            let lease = masked ? maskedLive.subscribe(camera: id) : nil
            let subscription = lease?.subscription ?? live.subscribe(camera: id)
            defer {
                subscription.cancel()
                lease?.release()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The browser sends nothing that matters; when it closes, stop sending.
                group.addTask {
                    for try await _ in inbound {}
                    subscription.cancel()
                }
                // Rights are held for the life of the socket: it closes within a quarter second of a
                // sign-out, an expiry, a lost grant or a change of the privacy zones it is masked by.
                group.addTask { [cameras, privacy] in
                    await guardian.watch(identity) { user in
                        guard Self.rule.allows(user.role),
                              let camera = try await cameras.camera(id: id), user.may(.live, camera) else { return false }
                        return privacy.masks(for: user, camera: id)?.fingerprint == masks
                    }
                    subscription.cancel()
                    try? await outbound.close(.policyViolation, reason: "access to this camera ended; reconnect")
                }
                group.addTask {
                    for await message in subscription { try await send(message) }
                }
                try await group.next()
                group.cancelAll()
            }
        })
    }

    /// Whether a WebSocket's `Origin` is this server: same scheme, host and port (a missing port
    /// is the scheme's default), so that a page served by another port or over plain HTTP on the
    /// same host cannot open footage with the user's cookie.
    ///
    /// A `ws:`/`wss:` origin is never sent by a browser (pages have http(s) origins), only by
    /// WebSocket libraries that name the URL they dial; such a client is not a page another site
    /// could use against a signed-in user, so its host alone must match.
    static func sameOrigin(_ origin: String, authority: String?, scheme: String) -> Bool {
        guard let authority, let url = URL(string: origin), let host = url.host?.lowercased(), let originScheme = url.scheme?.lowercased(),
              url.path.isEmpty || url.path == "/" else { return false }
        let library = originScheme == "ws" || originScheme == "wss"
        guard originScheme == scheme || library else { return false }
        let defaultPort = scheme == "https" ? 443 : 80
        var authorityHost = authority.lowercased()
        var authorityPort = defaultPort
        if let colon = authorityHost.lastIndex(of: ":"), !authorityHost.hasSuffix("]") {
            guard let port = Int(authorityHost[authorityHost.index(after: colon)...]) else { return false }
            authorityPort = port
            authorityHost = String(authorityHost[..<colon])
        }
        guard authorityHost == host || authorityHost == "[\(host)]" else { return false }
        return library || (url.port ?? defaultPort) == authorityPort
    }
}
