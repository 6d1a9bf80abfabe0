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
        /// Another node of the same cluster, by a request signed with the cluster's key
        /// (``PeerSignature``); never a user, whatever their role (docs/cluster.md).
        case peerNode
    }

    public var access: Access
    /// When set, the route's `{id}` is a camera and the user must be allowed this action on it.
    public var camera: CameraAction?
    /// The audit action recorded when the request succeeds; nil records nothing.
    public var audit: String?
    /// Whether a user with a one-time password may call it (to change the password and sign out).
    public var duringPasswordChange = false
    /// True for a route whose success cannot change anyone's rights (a guard's position, an
    /// incident's step): it does not wake every open socket to check its session again, which
    /// 500 phones reporting every 5 s made a check of every socket a hundred times a second.
    public var leavesRightsAlone = false

    /// True for a route whose requests may wait a moment (``SharedCredentialReads/window``) so
    /// that their credentials are read from the catalogue together: the guards' position reports,
    /// a hundred a second from 500 phones.
    public var sharesCredentialReads = false

    /// The same rule, for requests that may wait a moment to share their credential's read.
    public func sharingCredentialReads() -> RouteRule {
        var rule = self
        rule.sharesCredentialReads = true
        return rule
    }

    /// The same rule, for a route that changes no one's rights.
    public func leavingRightsAlone() -> RouteRule {
        var rule = self
        rule.leavesRightsAlone = true
        return rule
    }

    public static let everyone = RouteRule(access: .everyone)
    public static let peerNode = RouteRule(access: .peerNode)

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
        case .peerNode: return false
        }
    }
}

/// Every route of one router with its access rule and its API description, filled as each
/// feature registers a route (``Routes``). ``AuthMiddleware`` reads the rules for every request;
/// a route added to the router without one is refused to everyone, administrators included
/// (`AccessPolicyTests`). `GET /api/openapi.json` is made from the descriptions.
public final class RouteTable: Sendable {
    struct Entry: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var rule: RouteRule
        var doc: APIDoc
    }

    private let table = Mutex<[String: Entry]>([:])

    public init() {}

    func declare(_ method: HTTPRequest.Method, _ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc) {
        let key = "\(method.rawValue) \(path)"
        table.withLock { table in
            precondition(table[key] == nil, "\(key) is registered twice")
            table[key] = Entry(method: method, path: "\(path)", rule: rule, doc: doc)
        }
    }

    public func rule(method: HTTPRequest.Method, path: String) -> RouteRule? {
        table.withLock { $0["\(method.rawValue) \(path)"]?.rule }
    }

    /// Every declared route's rule, keyed `METHOD /path` with Hummingbird's `{parameter}` spelling.
    public var rules: [String: RouteRule] { table.withLock { $0.mapValues(\.rule) } }

    var entries: [Entry] { table.withLock { Array($0.values) } }
}

/// Roles named in many features' rules.
enum Roles {
    /// Everyone who works with cameras (guards only see granted ones).
    static let cameraViewers: [Role] = [.operator, .guard, .analyst]
}
