import Catalog
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// The request context of every Aula route: the client's address, and who is signed in once
/// ``AuthMiddleware`` has identified them.
public struct AulaContext: IdentifiedRequestContext, RemoteAddressRequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by the live-view route when it accepts a WebSocket upgrade.
    public let webSocket = WebSocketHandlerReference<AulaContext>()
    public let remoteAddress: SocketAddress?
    /// Set by ``AuthMiddleware`` for every route that is not public.
    public var identity: Identity?
    /// What a handler wants the audit entry of its request to say beyond the route and target.
    let auditNote = AuditNote()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address for the audit trail (`unknown` when unknown, as in in-process tests).
    /// Forwarding headers are not trusted: a client could write anything into them.
    var client: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The signed-in user; routes behind ``AuthMiddleware`` always have one.
    func user() throws -> User {
        guard let identity else { throw ProblemDetails(status: .unauthorized, detail: "sign in first") }
        return identity.user
    }
}

/// Who made a request, and how they proved it.
public struct Identity: Sendable {
    public enum Credential: Sendable {
        /// A browser session; unsafe methods must carry its CSRF token.
        case session(digest: String, csrf: String)
        /// An API token, by its digest (so that a long connection can check it still stands).
        case apiToken(digest: String)
    }

    public var user: User
    public var credential: Credential
}

/// A note a handler leaves for the audit entry of its request (the context is passed by value, so
/// the middleware reads it through this shared box).
final class AuditNote: Sendable {
    private let text = Mutex<String?>(nil)
    func set(_ value: String) { text.withLock { $0 = value } }
    var value: String? { text.withLock { $0 } }
}

/// A context that knows who is signed in, for routes that filter what they return by grants.
public protocol IdentifiedRequestContext: RequestContext {
    var identity: Identity? { get }
}
