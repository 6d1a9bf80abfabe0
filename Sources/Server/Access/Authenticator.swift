import AulaSecurity
import Catalog
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix
import Synchronization

/// Settings for sign-in and sessions.
public struct AuthConfiguration: Sendable {
    /// bcrypt cost for new password hashes.
    public var passwordCost: UInt8 = 12
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// Adds `Secure` to cookies; on whenever the server itself speaks TLS.
    public var secureCookies = false
    public var minimumPasswordLength = 10
    var throttle = SignInThrottle.Policy()

    public init() {}

    /// Delays and lockout after failed sign-ins (see ``SignInThrottle``).
    public mutating func setThrottle(baseDelay: Duration, maxDelay: Duration, lockoutAfter: Int, lockoutDuration: Duration) {
        throttle = SignInThrottle.Policy(baseDelay: baseDelay, maxDelay: maxDelay, lockoutAfter: lockoutAfter, lockoutDuration: lockoutDuration)
    }
}

/// Finds out who sent a request (session cookie or bearer token), and signs people in and out.
struct Authenticator: Sendable {
    static let sessionCookie = "aula_session"
    static let csrfCookie = "aula_csrf"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    let catalog: AulaCatalog
    let configuration: AuthConfiguration
    let hasher: PasswordHasher
    let throttle: SignInThrottle
    /// Checked when the name is unknown, so that it costs as much time as a wrong password. Made at
    /// the first such sign-in rather than at start-up, which a bcrypt hash would slow down.
    private let decoy = DecoyHash()

    init(catalog: AulaCatalog, configuration: AuthConfiguration) {
        self.catalog = catalog
        self.configuration = configuration
        hasher = PasswordHasher(cost: configuration.passwordCost)
        throttle = SignInThrottle(policy: configuration.throttle)
    }

    /// How long an answer to "whose is this credential" may be reused by requests, when
    /// ``identify(_:answers:)`` is given the node's answers: as long as an open socket may go
    /// unchecked, so that a change made by another process or node is seen as soon by a request
    /// as by a live view. A change made through this node's API drops every answer at once.
    static let answerLife = ConnectionGuard.interval

    /// The identity behind the request's bearer token or session cookie; nil when it has neither.
    /// A credential that is present but wrong is an error, not anonymity.
    func identify(_ request: Request, answers: CredentialChecks? = nil) async throws -> Identity? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw unauthorized("the Authorization header must be \"Bearer TOKEN\"")
            }
            let digest = Self.digest(parts[1].trimmingCharacters(in: .whitespaces))
            guard let identity = try await lookUp(.apiToken(digest: digest), answers) else {
                throw unauthorized("the API token is not valid (revoked, expired, or its user was deleted or reset)")
            }
            return identity
        }
        if let session = request.cookies[Self.sessionCookie]?.value, !session.isEmpty {
            guard let identity = try await lookUp(.session(digest: Self.digest(session), csrf: ""), answers) else {
                throw unauthorized("the session has expired or was ended; sign in again")
            }
            return identity
        }
        return nil
    }

    private func lookUp(_ credential: Identity.Credential, _ answers: CredentialChecks?) async throws -> Identity? {
        guard let answers else { return try await read(credential) }
        return try await answers.current(credential, within: Self.answerLife) { try await read(credential) }
    }

    /// Who the credential belongs to now, from the catalogue (a session with its CSRF token).
    private func read(_ credential: Identity.Credential) async throws -> Identity? {
        switch credential {
        case .session(let digest, _):
            return try await catalog.session(digest: digest).map { Identity(user: $0.user, credential: .session(digest: digest, csrf: $0.csrf)) }
        case .apiToken(let digest):
            return try await catalog.user(tokenDigest: digest).map { Identity(user: $0, credential: credential) }
        }
    }

    /// The identity behind `identity`'s credential now: nil once the session has ended or
    /// expired, the token was revoked or expired, or the user was deleted.
    func current(_ identity: Identity) async throws -> Identity? {
        try await read(identity.credential)
    }

    /// The SHA-256 of a secret in lowercase hex, as ``SecretToken/digest(_:)`` stores it, written
    /// without `String(format:)` (once per character, it was most of a request's token check).
    static func digest(_ secret: some StringProtocol) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func unauthorized(_ detail: String) -> ProblemDetailsWithHeaders {
        ProblemDetailsWithHeaders(
            problem: ProblemDetails(status: .unauthorized, type: "/docs/security.md#sign-in", title: "Sign-in required", detail: detail),
            headers: [.wwwAuthenticate: "Bearer realm=\"aula\""])
    }

    enum SignIn {
        case success(User)
        case wrong(delay: Duration)
        case locked(Duration, firstRefusal: Bool)
    }

    /// Checks a name and password with delays and lockout.
    func check(name: String, password: String, client: String) async throws -> SignIn {
        if case .refused(let left, let first) = throttle.admit(name: name, client: client) { return .locked(left, firstRefusal: first) }
        let user: User?, verified: Bool
        do {
            user = try await catalog.user(named: name)
            let (hasher, decoy) = (self.hasher, self.decoy)
            verified = try await offload { hasher.verify(password, hash: user?.passwordHash ?? decoy.hash(with: hasher)) }
        } catch {
            throttle.abandoned(name: name, client: client)
            throw error
        }
        if let user, verified {
            throttle.succeeded(name: name, client: client)
            return .success(user)
        }
        return .wrong(delay: throttle.failed(name: name, client: client))
    }

    /// A bcrypt hash of a new password, computed off the cooperative pool.
    func hash(_ password: String) async throws -> String {
        try await offload { hasher.hash(password) }
    }

    /// bcrypt is deliberately slow (a quarter of a second): run it on NIO's blocking-work threads
    /// so that sign-ins never stall the tasks that receive and write video.
    private func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { work() }
    }

    /// Starts a session: returns the cookies to set and the CSRF token for the client.
    func startSession(for user: User) async throws -> (cookies: [Cookie], csrf: String) {
        let token = SecretToken.generate()
        let csrf = SecretToken.generate()
        let lifetime = configuration.sessionLifetime
        let expires = Int64((Date().timeIntervalSince1970 + Double(lifetime.components.seconds)) * 1_000_000)
        try await catalog.createSession(digest: SecretToken.digest(token), userID: user.id, csrf: csrf, expiresAt: expires)
        let seconds = Int(lifetime.components.seconds)
        return ([
            Cookie(name: Self.sessionCookie, value: token, maxAge: seconds, path: "/", secure: configuration.secureCookies, httpOnly: true, sameSite: .strict),
            // Readable by the page's script, which echoes it in X-CSRF-Token.
            Cookie(name: Self.csrfCookie, value: csrf, maxAge: seconds, path: "/", secure: configuration.secureCookies, httpOnly: false, sameSite: .strict),
        ], csrf)
    }

    func expiredCookies() -> [Cookie] {
        [Self.sessionCookie, Self.csrfCookie].map {
            Cookie(name: $0, value: "", maxAge: 0, path: "/", secure: configuration.secureCookies, httpOnly: $0 == Self.sessionCookie, sameSite: .strict)
        }
    }

    func passwordProblems(_ password: String, name: String, field: String) -> [FieldError] {
        var errors: [FieldError] = []
        if password.count < configuration.minimumPasswordLength {
            errors.append(FieldError(field: field, message: "must be at least \(configuration.minimumPasswordLength) characters"))
        }
        if password.utf8.count > 72 { errors.append(FieldError(field: field, message: "must be at most 72 bytes (bcrypt ignores the rest)")) }
        if password.lowercased() == name.lowercased() { errors.append(FieldError(field: field, message: "must not be the user name")) }
        return errors
    }
}

/// A bcrypt hash of a random secret, made once on first use.
final class DecoyHash: Sendable {
    private let value = Mutex<String?>(nil)

    func hash(with hasher: PasswordHasher) -> String {
        if let existing = value.withLock({ $0 }) { return existing }
        let made = hasher.hash(SecretToken.generate())
        return value.withLock { stored in
            if stored == nil { stored = made }
            return stored!
        }
    }
}
