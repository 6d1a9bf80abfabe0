import Analytics
import APIInput
import Catalog
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Recorder
import Synchronization

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
    let sources: LiveSources
    let recorder: Recorder
    let privacy: PrivacyZones
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
        routes.ws("api/cameras/:id/live", Self.rule, APIDoc("Live view: fMP4 fragments over a WebSocket", query: ["timing": .string, "stream": .string, "codecs": .string], answer: .webSocket), shouldUpgrade: { request, context in
            try checkUpgrade(request)
            let camera = try await CameraID.existing(context.parameters.get("id"), in: cameras)
            let wanted = try Self.request(request, masked: privacy.masks(for: context.identity?.user, camera: camera.id) != nil)
            if let refusal = sockets.refusal(user: context.identity?.user.name ?? "") { throw refusal }
            let source = await sources.choose(wanted, camera: camera.id, recorder: recorder)
            if let refusal = refusal(source, camera: camera.id) { throw refusal.problem }
            if let note = Self.auditNote(source) { context.auditNote.set(note) }
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
            guard let wanted = try? Self.request(context.request, masked: masks != nil) else { return }
            // Which stream this node serves (nil: relayed from another node, which chooses).
            let chosen = ChosenSource()
            @Sendable func send(_ message: LiveHub.Message) async throws {
                switch message {
                case .initSegment(let bytes, let codecs):
                    try await outbound.write(.text(Self.initText(codecs: codecs, source: chosen.value)))
                    try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                case .fragment(let bytes, _, let wallTime):
                    if timing { try await outbound.write(.text(#"{"type":"frame","arrival":\#(wallTime)}"#)) }
                    try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The browser sends nothing that matters; when it closes, stop sending.
                group.addTask {
                    for try await _ in inbound {}
                }
                // Rights are held for the life of the socket: it closes within a quarter second of a
                // sign-out, an expiry, a lost grant or a change of the privacy zones it is masked by.
                group.addTask {
                    await guardian.watch(identity) { user in
                        guard Self.rule.allows(user.role) else { return false }
                        return try await stillAllowed(user, camera: id, masks: masks)
                    }
                    try? await outbound.close(.policyViolation, reason: "access to this camera ended; reconnect")
                }
                group.addTask {
                    try await stream(camera: id, wanted: wanted, chosen: chosen.set, send: send)
                }
                try await group.next()
                group.cancelAll()
            }
        })
    }

    /// A live-view socket is a WebSocket from a page of this server (or a client that is no page).
    func checkUpgrade(_ request: Request) throws {
        // (Upgrade and Connection are hop-by-hop fields that do not reach the router.)
        guard request.headers[.secWebSocketKey] != nil else {
            throw ProblemDetails(status: .badRequest, detail: "live view is a WebSocket: open it with an Upgrade: websocket request")
        }
        if let origin = request.headers[.origin], !Self.sameOrigin(origin, authority: request.head.authority, scheme: scheme) {
            throw ProblemDetails(status: .forbidden, detail: "live view is only served to pages of this server (Origin \(origin))")
        }
    }

    /// Why one more viewer cannot be given `source` of `camera` now (the re-encoders are
    /// bounded); nil when one can. `reason` names the limit for a page (`transcode-limit`,
    /// `masked-limit`), `problem` is the upgrade's answer.
    struct Refusal: Error {
        var reason: String
        var problem: ProblemDetails
    }

    func refusal(_ source: LiveSources.Source, camera: Int64) -> Refusal? {
        guard !sources.canWatch(source, camera: camera) else { return nil }
        switch source {
        case .masked:
            return Refusal(reason: "masked-limit", problem: ProblemDetails(status: .serviceUnavailable, title: "Too many masked cameras",
                detail: "\(sources.masked.maxEncoders) camera(s) are being shown with privacy masks already, the most this server re-encodes at once; try again later or ask an administrator"))
        case .transcoded:
            return Refusal(reason: "transcode-limit", problem: ProblemDetails(status: .serviceUnavailable, title: "Too many transcoded cameras",
                detail: "this browser cannot decode the camera's video and the camera has no H.264 sub stream; \(sources.transcoded.maxEncoders) camera(s) are being converted to H.264 already, the most this server converts at once: try again later, or give the camera an H.264 sub stream"))
        case .main, .sub:
            return nil
        }
    }

    /// What the audit entry of a view of `source` notes.
    static func auditNote(_ source: LiveSources.Source) -> String? {
        switch source {
        case .masked: "privacy masks applied (re-encoded)"
        case .transcoded: "transcoded to H.264 for this browser"
        case .main, .sub: nil
        }
    }

    /// The `init` text message: the argument for `MediaSource.addSourceBuffer`, the stream served
    /// (nil: relayed, chosen by the owner) and, on the wall's socket, the tile (`extra` fields).
    static func initText(codecs: String, source: LiveSources.Source?, tile: Int? = nil) -> String {
        let mime = "video/mp4; codecs=\\\"\(codecs)\\\""
        let source = source.map { #","source":"\#($0.rawValue)""# } ?? ""
        let tile = tile.map { #","tile":\#($0)"# } ?? ""
        return #"{"type":"init","mime":"\#(mime)"\#(source)\#(tile)}"#
    }

    /// Whether `user` may still watch `camera` as a socket opened with `masks` does.
    func stillAllowed(_ user: User, camera id: Int64, masks: String?) async throws -> Bool {
        guard let camera = try await cameras.camera(id: id), user.may(.live, camera) else { return false }
        return privacy.masks(for: user, camera: id)?.fingerprint == masks
    }

    /// Sends `send` the live messages of camera `id` for `wanted` until cancelled or `send`
    /// throws: from this node's hub, or in a cluster relayed from the node that records it.
    /// `chosen` is told the stream this node chose (not called for a relayed camera).
    func stream(camera id: Int64, wanted: LiveSources.Request, chosen: @escaping @Sendable (LiveSources.Source) -> Void,
                send: @escaping @Sendable (LiveHub.Message) async throws -> Void) async throws {
        @Sendable func local() async -> (LiveHub.Subscription, @Sendable () -> Void) {
            let source = await sources.choose(wanted, camera: id, recorder: recorder)
            chosen(source)
            return sources.subscribe(source, camera: id)
        }
        if let peers {
            // In a cluster: from this node's hub or relayed from the node that records the camera.
            try await peers.follow(camera: id, request: wanted, local: local, write: send)
            return
        }
        let (subscription, release) = await local()
        defer {
            subscription.cancel()
            release()
        }
        try await withTaskCancellationHandler {
            for await message in subscription { try await send(message) }
        } onCancel: {
            subscription.cancel()
        }
    }

    /// The viewer's `?stream=` and `?codecs=` (docs/live.md, "Every camera in every browser").
    static func request(_ request: Request, masked: Bool) throws -> LiveSources.Request {
        let query = request.uri.queryParameters
        switch LiveSources.Request.parse(stream: query.get("stream"), codecs: query.get("codecs"), masked: masked) {
        case .success(let wanted): return wanted
        case .failure(let problem): throw ProblemDetails.validation([FieldError(field: problem.field, message: problem.message)])
        }
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


/// The stream a socket was given, for its `init` messages (nil: relayed, chosen by the owner).
final class ChosenSource: Sendable {
    private let source = Mutex<LiveSources.Source?>(nil)
    var value: LiveSources.Source? { source.withLock { $0 } }
    @Sendable func set(_ value: LiveSources.Source) { source.withLock { $0 = value } }
}
