import Catalog
import HTTPTypes
import Hummingbird
import Synchronization

/// Who may call a route, which camera check applies, and what the audit trail records.
public struct RouteRule: Sendable {
    public enum Access: Sendable, Equatable {
        /// No sign-in: only sign-in itself and the health check.
        case everyone
        /// Any signed-in user, whatever their role (their own account and session).
        case signedIn
        case roles(Set<Role>)
    }

    public var access: Access
    /// When set, the route's `{id}` is a camera and the user must be allowed this action on it.
    public var camera: CameraAction?
    /// The audit action recorded when the request succeeds; nil records nothing.
    public var audit: String?
    /// Whether a user with a one-time password may call it (to change the password and sign out).
    public var duringPasswordChange = false

    public static let everyone = RouteRule(access: .everyone)

    public static func signedIn(audit: String? = nil) -> RouteRule {
        RouteRule(access: .signedIn, audit: audit, duringPasswordChange: true)
    }

    public static func roles(_ roles: Role..., camera: CameraAction? = nil, audit: String? = nil) -> RouteRule {
        Self.roles(roles, camera: camera, audit: audit)
    }

    public static func roles(_ roles: [Role], camera: CameraAction? = nil, audit: String? = nil) -> RouteRule {
        RouteRule(access: .roles(Set(roles).union([.administrator])), camera: camera, audit: audit)
    }

    public func allows(_ role: Role) -> Bool {
        switch access {
        case .everyone, .signedIn: return true
        case .roles(let roles): return roles.contains(role)
        }
    }
}

/// The rules of one router's routes, filled as each feature registers a route together with its
/// rule (``Routes``), and read by ``AuthMiddleware`` for every request. A route added to the router
/// without a rule is refused to everyone, administrators included (`AccessPolicyTests`).
public final class AccessRules: Sendable {
    private let table = Mutex<[String: RouteRule]>([:])

    public init() {}

    /// The key of a route: `METHOD /path` with Hummingbird's `{parameter}` spelling.
    static func key(_ method: HTTPRequest.Method, _ path: RouterPath) -> String { "\(method.rawValue) \(path)" }

    func declare(_ method: HTTPRequest.Method, _ path: RouterPath, _ rule: RouteRule) {
        table.withLock { table in
            precondition(table[Self.key(method, path)] == nil, "\(Self.key(method, path)) is registered twice")
            table[Self.key(method, path)] = rule
        }
    }

    public func rule(method: HTTPRequest.Method, path: String) -> RouteRule? {
        table.withLock { $0["\(method.rawValue) \(path)"] }
    }

    /// Every declared route's rule, keyed `METHOD /path`.
    public var all: [String: RouteRule] { table.withLock { $0 } }
}

/// Roles named in many features' rules.
enum Roles {
    /// Everyone who works with cameras (guards only see granted ones).
    static let cameraViewers: [Role] = [.operator, .guard, .analyst]
}
