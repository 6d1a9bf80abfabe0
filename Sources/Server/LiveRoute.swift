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

    func register(on router: Router<AulaContext>) {
        router.ws("api/cameras/:id/live", shouldUpgrade: { request, context in
            // (Upgrade and Connection are hop-by-hop fields that do not reach the router.)
            guard request.headers[.secWebSocketKey] != nil else {
                throw ProblemDetails(status: .badRequest, detail: "live view is a WebSocket: open it with an Upgrade: websocket request")
            }
            if let origin = request.headers[.origin], !Self.sameOrigin(origin, authority: request.head.authority) {
                throw ProblemDetails(status: .forbidden, detail: "live view is only served to pages of this server (Origin \(origin))")
            }
            let camera = try await CameraID.existing(context.parameters.get("id"), in: cameras)
            if privacy.masks(for: context.identity?.user, camera: camera.id) != nil {
                guard maskedLive.canWatch(camera: camera.id) else {
                    throw ProblemDetails(status: .serviceUnavailable, title: "Too many masked cameras",
                                         detail: "\(maskedLive.maxEncoders) camera(s) are being shown with privacy masks already, the most this server re-encodes at once; try again later or ask an administrator")
                }
                context.auditNote.set("privacy masks applied (re-encoded)")
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            guard let id = context.requestContext.parameters.get("id").flatMap(Int64.init) else { return }
            // `?timing=1`: each fragment is preceded by a text message with the frame's arrival time at
            // Aula, so that a player can measure arrival-to-append latency (the live benchmark).
            let timing = context.request.uri.queryParameters.get("timing") == "1"
            // Decided again here, from the same signed-in user (none counts as restricted).
            let masked = privacy.masks(for: context.requestContext.identity?.user, camera: id) != nil
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
                group.addTask {
                    for await message in subscription {
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
                }
                try await group.next()
                group.cancelAll()
            }
        })
    }

    /// Whether a browser's `Origin` names the server it is talking to (`authority` is host:port):
    /// the same host, and the same port when the origin names one. (Browsers always name the
    /// port of a non-default origin; some WebSocket libraries send a bare `ws://host`.)
    static func sameOrigin(_ origin: String, authority: String?) -> Bool {
        guard let authority, let url = URL(string: origin), let host = url.host?.lowercased() else { return false }
        var authorityHost = authority.lowercased()
        var authorityPort: Int?
        if let colon = authorityHost.lastIndex(of: ":"), !authorityHost.hasSuffix("]") {
            authorityPort = Int(authorityHost[authorityHost.index(after: colon)...])
            authorityHost = String(authorityHost[..<colon])
        }
        guard authorityHost == host || authorityHost == "[\(host)]" else { return false }
        if let port = url.port { return port == authorityPort }
        return true
    }
}
