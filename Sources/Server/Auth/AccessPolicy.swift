import Catalog
import HTTPTypes

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
        RouteRule(access: .roles(Set(roles).union([.administrator])), camera: camera, audit: audit)
    }

    public func allows(_ role: Role) -> Bool {
        switch access {
        case .everyone, .signedIn: return true
        case .roles(let roles): return roles.contains(role)
        }
    }
}

/// Every route's rule, in one table, so that access can be reviewed in one place.
///
/// A route without a rule is refused to everyone (and `AccessPolicyTests` fails), so a new route
/// can never be open by accident. Keys are `METHOD /path` with Hummingbird's `{parameter}` spelling.
/// Administrators are added to every `roles` rule.
public enum AccessPolicy {
    static let cameraViewers: [Role] = [.operator, .guard, .analyst]
    static let mapUsers: [Role] = [.operator, .analyst]

    public static let rules: [String: RouteRule] = [
        // Open: the health check and signing in.
        "GET /api/health": .everyone,
        "POST /api/session": .everyone,
        // Own account.
        "GET /api/session": .signedIn(),
        "DELETE /api/session": .signedIn(audit: "signout"),
        "POST /api/session/password": .signedIn(),

        // Cameras: metadata for everyone who works with cameras (guards only see granted ones),
        // changes for administrators.
        "GET /api/cameras": .roles(.operator, .guard, .analyst),
        "GET /api/cameras/{id}": .roles(.operator, .guard, .analyst, camera: .metadata),
        "POST /api/cameras": .roles(audit: "camera.create"),
        "PATCH /api/cameras/{id}": .roles(audit: "camera.update"),
        "DELETE /api/cameras/{id}": .roles(audit: "camera.delete"),

        // Recorded video.
        "GET /api/cameras/{id}/recordings": .roles(.operator, .analyst, camera: .playback),
        "GET /api/cameras/{id}/recording.mp4": .roles(.operator, .analyst, camera: .playback, audit: "view.playback"),
        // Live view (a WebSocket upgrade): operators; guards and analysts for the cameras granted to them.
        "GET /api/cameras/{id}/live": .roles(.operator, .guard, .analyst, camera: .live, audit: "view.live"),
        "HEAD /api/cameras/{id}/recording.mp4": .roles(.operator, .analyst, camera: .playback),
        // Operator UI (issue 5): the newest key frame as a JPEG is a view of footage; health; camera test.
        "GET /api/cameras/{id}/snapshot.jpg": .roles(.operator, .guard, .analyst, camera: .live, audit: "view.snapshot"),
        "GET /api/camera-health": .roles(.operator),
        "POST /api/cameras/test": .roles(audit: "camera.test"),
        "POST /api/cameras/{id}/evidence": .roles(.operator, camera: .export, audit: "export.evidence"),
        // Storage and retention: status for operators, settings for administrators.
        "GET /api/storage": .roles(.operator),
        "GET /api/cameras/{id}/retention": .roles(.operator, camera: .metadata),
        "PUT /api/cameras/{id}/retention": .roles(audit: "camera.retention"),
        "GET /api/evidence-locks": .roles(.operator),
        "POST /api/evidence-locks": .roles(.operator, audit: "evidence.lock"),
        "DELETE /api/evidence-locks/{id}": .roles(audit: "evidence.unlock"),

        // Maps, coverage and planning.
        "GET /api/city": .roles(.operator, .analyst),
        "GET /api/city/geometry": .roles(.operator, .analyst),
        "GET /api/coverage": .roles(.operator, .analyst),
        "GET /api/coverage/cameras": .roles(.operator, .analyst),
        "GET /api/coverage/streets": .roles(.operator, .analyst),
        "GET /api/coverage/at": .roles(.operator, .analyst),
        "POST /api/coverage/preview": .roles(.analyst),
        "GET /api/offences": .roles(.analyst),
        "POST /api/offences": .roles(.analyst, audit: "offence.create"),
        "GET /api/hotspots": .roles(.analyst),
        "POST /api/plan": .roles(.analyst),
        "GET /api/plan/report": .roles(.analyst),
        "POST /api/evaluation": .roles(.analyst),

        // Users and tokens.
        "GET /api/users": .roles(),
        "POST /api/users": .roles(audit: "user.create"),
        "PATCH /api/users/{name}": .roles(audit: "user.update"),
        "DELETE /api/users/{name}": .roles(audit: "user.delete"),
        "POST /api/users/{name}/tokens": .roles(audit: "token.create"),
        "DELETE /api/users/{name}/tokens": .roles(audit: "token.revoke"),

        // The audit trail.
        "GET /api/audit": .roles(.auditor, audit: "audit.read"),
        "GET /api/audit.csv": .roles(.auditor, audit: "audit.export"),
        "GET /api/audit/verify": .roles(.auditor, audit: "audit.verify"),

        // Motion detection, events and alerts (docs/motion.md). Thumbnails are footage: audited,
        // and checked against the event's camera in the handler.
        "GET /api/cameras/{id}/motion": .roles(.operator, camera: .metadata),
        "PUT /api/cameras/{id}/motion": .roles(audit: "camera.motion"),
        "GET /api/events": .roles(.operator, .guard),
        "GET /api/events/{id}/thumbnail.jpg": .roles(.operator, .guard, audit: "view.thumbnail"),
        "GET /api/alerts": .roles(.operator, .guard),
        "GET /api/alerts/stream": .roles(.operator, .guard),
        "POST /api/alerts/{id}/ack": .roles(.operator, .guard, audit: "alert.ack"),

        // Operations (Prometheus scraping uses an administrator's API token).
        "GET /metrics": .roles(),
    ]

    public static func rule(method: HTTPRequest.Method, path: String) -> RouteRule? {
        rules["\(method.rawValue) \(path)"]
    }
}
