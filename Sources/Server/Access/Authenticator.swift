import AulaSecurity
import Catalog
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
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
        sharedReads = SharedCredentialReads { [catalog] in try await Self.readMany($0, catalog: catalog) }
    }

    /// Where the requests of routes that may wait a moment (``RouteRule/sharesCredentialReads``)
    /// read their credentials together.
    let sharedReads: SharedCredentialReads

    /// How long an answer to "whose is this credential" may be reused by requests, when
    /// ``identify(_:answers:)`` is given the node's answers: as long as an open socket may go
    /// unchecked, so that a change made by another process or node is seen as soon by a request
    /// as by a live view. A change made through this node's API drops every answer at once.
    static let answerLife = ConnectionGuard.interval

    /// The identity behind the request's bearer token or session cookie; nil when it has neither.
    /// A credential that is present but wrong is an error, not anonymity. With `sharing`, a
    /// credential not answered in the last ``answerLife`` is read together with those of the
    /// other requests of the next moment (``SharedCredentialReads``), not on its own.
    func identify(_ request: Request, answers: CredentialChecks? = nil, sharing: Bool = false) async throws -> Identity? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw unauthorized("the Authorization header must be \"Bearer TOKEN\"")
            }
            let digest = Self.digest(parts[1].trimmingCharacters(in: .whitespaces))
            guard let identity = try await lookUp(.apiToken(digest: digest), answers, sharing: sharing) else {
                throw unauthorized("the API token is not valid (revoked, expired, or its user was deleted or reset)")
            }
            return identity
        }
        if let session = request.cookies[Self.sessionCookie]?.value, !session.isEmpty {
            guard let identity = try await lookUp(.session(digest: Self.digest(session), csrf: ""), answers, sharing: sharing) else {
                throw unauthorized("the session has expired or was ended; sign in again")
            }
            return identity
        }
        return nil
    }

    private func lookUp(_ credential: Identity.Credential, _ answers: CredentialChecks?, sharing: Bool) async throws -> Identity? {
        let read = { [self] in sharing ? try await sharedReads.owner(of: credential) : try await self.read(credential) }
        guard let answers else { return try await read() }
        return try await answers.current(credential, within: Self.answerLife, read: read)
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

    /// Who each credential belongs to now, in one catalogue read, by ``Identity/Credential/key``;
    /// a credential without an owner any more is missing from the answer.
    func readMany(_ credentials: [Identity.Credential]) async throws -> [String: Identity] {
        try await Self.readMany(credentials, catalog: catalog)
    }

    static func readMany(_ credentials: [Identity.Credential], catalog: AulaCatalog) async throws -> [String: Identity] {
        var sessions: [String] = [], tokens: [String] = []
        for credential in credentials {
            switch credential {
            case .session(let digest, _): sessions.append(digest)
            case .apiToken(let digest): tokens.append(digest)
            }
        }
        let owners = try await catalog.owners(sessionDigests: sessions, tokenDigests: tokens)
        var answers: [String: Identity] = [:]
        for (digest, owner) in owners.sessions {
            let credential = Identity.Credential.session(digest: digest, csrf: owner.csrf)
            answers[credential.key] = Identity(user: owner.user, credential: credential)
        }
        for (digest, user) in owners.tokens {
            let credential = Identity.Credential.apiToken(digest: digest)
            answers[credential.key] = Identity(user: user, credential: credential)
        }
        return answers
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

/// Credentials of requests that arrive within ``window`` of each other, read from the catalogue
/// together in one call. For the guards' position reports: 500 phones reporting every 5 s by HTTP
/// made 100 reads a second, each about 0.7 ms of CPU (mostly waking threads to hop to the
/// database and back); together they are a few. The answer is read after the request arrived,
/// so it is as fresh as a read of the request's own; the request waits at most ``window`` longer.
final class SharedCredentialReads: Sendable {
    static let window: Duration = .milliseconds(50)
    private typealias Waiting = (credential: Identity.Credential, answer: CheckedContinuation<Identity?, any Error>)
    /// The requests of the moment, waiting for the read; nil when none is gathering.
    private let gathering = Mutex<[Waiting]?>(nil)
    private let read: @Sendable ([Identity.Credential]) async throws -> [String: Identity]

    init(read: @escaping @Sendable ([Identity.Credential]) async throws -> [String: Identity]) {
        self.read = read
    }

    /// Who `credential` belongs to now (nil: nobody), read with the others of this moment.
    func owner(of credential: Identity.Credential) async throws -> Identity? {
        try await withCheckedThrowingContinuation { (answer: CheckedContinuation<Identity?, any Error>) in
            let first = gathering.withLock { gathering -> Bool in
                guard gathering != nil else {
                    gathering = [(credential, answer)]
                    return true
                }
                gathering!.append((credential, answer))
                return false
            }
            guard first else { return }
            let window = Self.window.components
            NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: .nanoseconds(window.seconds * 1_000_000_000 + window.attoseconds / 1_000_000_000)) { [self] in
                let waiting = gathering.withLock { gathering in
                    defer { gathering = nil }
                    return gathering ?? []
                }
                Task {
                    do {
                        let answers = try await read(waiting.map(\.credential))
                        for (credential, answer) in waiting { answer.resume(returning: answers[credential.key]) }
                    } catch {
                        for (_, answer) in waiting { answer.resume(throwing: error) }
                    }
                }
            }
        }
    }
}
