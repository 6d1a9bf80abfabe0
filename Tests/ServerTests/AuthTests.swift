import AulaSecurity
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import App
@testable import Server

/// Sign-in, session cookies with CSRF, logout, password change, throttling and one-time passwords.
@Suite struct AuthTests {
    static func cookies(_ headers: HTTPFields) -> [String: String] {
        var found: [String: String] = [:]
        for field in headers where field.name == .setCookie {
            let parts = field.value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            if let first = parts.first, let eq = first.firstIndex(of: "=") { found[String(first[..<eq])] = field.value }
        }
        return found
    }

    static func value(_ setCookie: String?) -> String {
        guard let setCookie, let first = setCookie.split(separator: ";").first, let eq = first.firstIndex(of: "=") else { return "" }
        return String(first[first.index(after: eq)...])
    }

    @Test func sessionCookieCSRFAndLogout() async throws {
        let server = try await makeServer()
        _ = try addUser(server, "ann", .administrator, password: "correct horse battery")
        try await Application(router: server.makeRouter()).test(.router) { client in
            let signIn = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "correct horse battery"}"#, token: nil)
            #expect(signIn.status == .ok)
            #expect(signIn.json["role"] as? String == "administrator")
            let csrf = try #require(signIn.json["csrfToken"] as? String)
            let cookies = Self.cookies(signIn.headers)
            let session = try #require(cookies["aula_session"])
            #expect(session.contains("HttpOnly"))
            #expect(session.contains("SameSite=Strict"))
            #expect(!session.contains("Secure"), "plain HTTP here; Secure is added under TLS")
            #expect(Self.value(cookies["aula_csrf"]) == csrf)
            #expect(!(cookies["aula_csrf"] ?? "HttpOnly").contains("HttpOnly"), "the page's script must read it")
            let cookie: HTTPFields = [.cookie: "aula_session=\(Self.value(session))"]

            #expect(try await client.json(.get, "/api/cameras", token: nil, headers: cookie).status == .ok)
            let me = try await client.json(.get, "/api/session", token: nil, headers: cookie)
            #expect(me.json["name"] as? String == "ann")
            #expect(me.json["csrfToken"] as? String == csrf)
            #expect(me.json["passwordHash"] == nil)

            let camera = CameraAPITests.valid
            let forged = try await client.json(.post, "/api/cameras", camera, token: nil, headers: cookie)
            #expect(forged.status == .forbidden, "a cookie alone cannot change anything")
            #expect((forged.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "X-CSRF-Token")
            let wrong = try await client.json(.post, "/api/cameras", camera, token: nil, headers: cookie + [Authenticator.csrfHeader: "nope"])
            #expect(wrong.status == .forbidden)
            let created = try await client.json(.post, "/api/cameras", camera, token: nil, headers: cookie + [Authenticator.csrfHeader: csrf])
            #expect(created.status == .created)

            let out = try await client.json(.delete, "/api/session", token: nil, headers: cookie + [Authenticator.csrfHeader: csrf])
            #expect(out.status == .noContent)
            #expect(Self.cookies(out.headers)["aula_session"]?.contains("Max-Age=0") == true)
            let after = try await client.json(.get, "/api/cameras", token: nil, headers: cookie)
            #expect(after.status == .unauthorized)
        }
        let actions = try await server.catalog.auditEntries().map(\.action)
        #expect(actions.contains("signin") && actions.contains("signout") && actions.contains("camera.create"))
    }

    @Test func signInNamesMissingFields() async throws {
        let server = try await makeServer()
        try await Application(router: server.makeRouter()).test(.router) { client in
            let missing = try await client.json(.post, "/api/session", #"{"name": "ann"}"#, token: nil)
            #expect(missing.status == .unprocessableContent)
            #expect((missing.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["password"])
            let wrongType = try await client.json(.post, "/api/session", #"{"name": 5, "password": ""}"#, token: nil)
            #expect(Set((wrongType.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }) == ["name", "password"])
            let notJSON = try await client.json(.post, "/api/session", "name=ann", token: nil)
            #expect(notJSON.status == .badRequest)
        }
    }

    /// A brute-force run: each wrong password waits longer, then the account is locked even for the
    /// right password; an unknown name is treated the same.
    @Test func bruteForceIsSlowedThenLockedOut() async throws {
        let server = try await makeServer()   // base delay 40 ms, doubling, lockout after 5 failures
        _ = try addUser(server, "ann", .operator, password: "correct horse battery")
        try await Application(router: server.makeRouter()).test(.router) { client in
            let clock = ContinuousClock()
            var durations: [Duration] = []
            for i in 1...4 {
                let start = clock.now
                let answer = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "guess \#(i)"}"#, token: nil)
                durations.append(clock.now - start)
                #expect(answer.status == .unauthorized)
                #expect(answer.json["detail"] as? String == "the name or the password is wrong")
            }
            for (i, d) in durations.enumerated() {
                #expect(d >= .milliseconds(40 << i), "attempt \(i + 1) took \(d)")
            }
            let total = durations.reduce(Duration.zero, +)
            #expect(total >= .milliseconds(600))
            // The fifth failure locks the account.
            _ = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "guess 5"}"#, token: nil)
            let locked = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "correct horse battery"}"#, token: nil)
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 0)

            // Unknown names get the same slow answer as real ones.
            let start = clock.now
            _ = try await client.json(.post, "/api/session", #"{"name": "nobody", "password": "x"}"#, token: nil)
            let second = try await client.json(.post, "/api/session", #"{"name": "nobody", "password": "y"}"#, token: nil)
            #expect(second.status == .unauthorized)
            #expect(clock.now - start >= .milliseconds(40 + 80))
        }
        let failed = try await server.catalog.auditEntries().filter { $0.action == "signin.failed" }
        #expect(failed.count == 7)
        #expect(failed.first?.target == "ann")
        #expect(try await server.catalog.auditEntries().contains { $0.action == "signin.locked" })
    }

    @Test func throttleDelaysGrowAndCapAndSuccessForgives() {
        let throttle = SignInThrottle(policy: .init(baseDelay: .milliseconds(100), maxDelay: .seconds(1), lockoutAfter: 10, lockoutDuration: .seconds(60)))
        let delays = (1...6).map { _ in throttle.failed(name: "Ann", client: "10.0.0.1") }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        #expect(throttle.lockedFor(name: "ann", client: "10.0.0.9") == nil)
        throttle.succeeded(name: "ANN", client: "10.0.0.1")
        // The account is forgiven; the address still remembers.
        #expect(throttle.failed(name: "ann", client: "10.0.0.2") == .milliseconds(100))
        #expect(throttle.failed(name: "bob", client: "10.0.0.1") == .seconds(1))
        for _ in 0..<30 { _ = throttle.failed(name: "user\(Int.random(in: 0...1_000_000))", client: "10.0.0.3") }
        #expect(throttle.lockedFor(name: "someone", client: "10.0.0.3") != nil, "one address trying many names is locked out")
    }

    @Test func passwordChangeChecksTheCurrentOneAndEndsOtherSessions() async throws {
        let server = try await makeServer()
        let token = try addUser(server, "ann", .analyst, password: "correct horse battery")
        try await Application(router: server.makeRouter()).test(.router) { client in
            let other = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "correct horse battery"}"#, token: nil)
            let otherCookie: HTTPFields = [.cookie: "aula_session=\(Self.value(Self.cookies(other.headers)["aula_session"]))"]
            let short = try await client.json(.post, "/api/session/password", #"{"currentPassword": "correct horse battery", "newPassword": "short"}"#, token: token)
            #expect(short.status == .unprocessableContent)
            #expect((short.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "newPassword")
            let wrong = try await client.json(.post, "/api/session/password", #"{"currentPassword": "nope", "newPassword": "a much longer password"}"#, token: token)
            #expect((wrong.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "currentPassword")
            let ok = try await client.json(.post, "/api/session/password", #"{"currentPassword": "correct horse battery", "newPassword": "a much longer password"}"#, token: token)
            #expect(ok.status == .noContent)
            #expect(try await client.json(.get, "/api/session", token: nil, headers: otherCookie).status == .unauthorized)
            #expect(try await client.json(.post, "/api/session", #"{"name": "ann", "password": "correct horse battery"}"#, token: nil).status == .unauthorized)
            #expect(try await client.json(.post, "/api/session", #"{"name": "ann", "password": "a much longer password"}"#, token: nil).status == .ok)
        }
    }

    @Test func firstStartAdministratorHasAOneTimePassword() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var configuration = ServerConfiguration(dataDirectory: temporaryDirectory())
        configuration.auth = testAuthConfiguration()
        let server = try await openApp(configuration: configuration, logger: logger)
        let password = try #require(try await server.accounts.ensureAdministrator())
        #expect(password.count >= 16)
        #expect(try await server.accounts.ensureAdministrator() == nil, "printed once")
        try await Application(router: server.makeRouter()).test(.router) { client in
            let signIn = try await client.json(.post, "/api/session", #"{"name": "admin", "password": "\#(password)"}"#, token: nil)
            #expect(signIn.json["mustChangePassword"] as? Bool == true)
            let csrf = try #require(signIn.json["csrfToken"] as? String)
            let cookie: HTTPFields = [.cookie: "aula_session=\(Self.value(Self.cookies(signIn.headers)["aula_session"]))", Authenticator.csrfHeader: csrf]
            let blocked = try await client.json(.get, "/api/cameras", token: nil, headers: cookie)
            #expect(blocked.status == .forbidden)
            #expect(blocked.json["title"] as? String == "Password change required")
            let changed = try await client.json(.post, "/api/session/password", #"{"currentPassword": "\#(password)", "newPassword": "my own long password"}"#, token: nil, headers: cookie)
            #expect(changed.status == .noContent)
            #expect(try await client.json(.get, "/api/cameras", token: nil, headers: cookie).status == .ok)
        }
    }

    @Test func administratorsManageUsersGrantsAndTokens() async throws {
        let server = try await makeServer()
        try await Application(router: server.makeRouter()).test(.router) { client in
            let bad = try await client.json(.post, "/api/users", #"{"name": "bad name!", "role": "king", "password": "short", "grants": [{"effect": "maybe"}]}"#)
            #expect(bad.status == .unprocessableContent)
            let fields = Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["name", "role", "password", "grants[0].effect"])
            let created = try await client.json(.post, "/api/users", #"{"name": "gus", "role": "guard", "password": "a long enough one", "grants": [{"effect": "allow", "camera": 1}]}"#)
            #expect(created.status == .created)
            #expect(created.json["passwordHash"] == nil && created.json["password"] == nil)
            #expect(try await client.json(.post, "/api/users", #"{"name": "GUS", "role": "guard", "password": "a long enough one"}"#).status == .conflict)
            let token = try await client.json(.post, "/api/users/gus/tokens", #"{"label": "door panel"}"#)
            let secret = try #require(token.json["token"] as? String)
            #expect(try await client.json(.get, "/api/session", token: secret).json["name"] as? String == "gus")
            #expect(try await client.json(.get, "/api/users", token: secret).status == .forbidden)
            let listed = try await client.json(.get, "/api/users")
            #expect(listed.array.contains { $0["name"] as? String == "gus" && ($0["grants"] as? [Any])?.count == 1 })
            #expect(!String(describing: listed.array).contains("$2"), "no bcrypt hashes in responses")
            #expect(try await client.json(.patch, "/api/users/gus", #"{"role": "analyst"}"#).json["role"] as? String == "analyst")
            let second = try #require(try await client.json(.post, "/api/users/gus/tokens").json["token"] as? String)
            #expect(try await client.json(.get, "/api/session", token: second).status == .ok)
            let revoked = try await client.json(.delete, "/api/users/gus/tokens")
            #expect(revoked.json["revoked"] as? String == "2")
            #expect(try await client.json(.get, "/api/session", token: second).status == .unauthorized)
            let third = try #require(try await client.json(.post, "/api/users/gus/tokens").json["token"] as? String)
            #expect(try await client.json(.delete, "/api/users/test-admin").status == .conflict, "the last administrator stays")
            #expect(try await client.json(.delete, "/api/users/gus").status == .noContent)
            #expect(try await client.json(.get, "/api/session", token: third).status == .unauthorized, "a deleted user's tokens die with them")
        }
        let audit = try await server.catalog.auditEntries()
        #expect(audit.contains { $0.action == "user.create" && $0.target == "/api/users/gus" && $0.detail.contains("role guard") })
        #expect(audit.contains { $0.action == "token.create" && !$0.detail.contains("aula_") })
    }
}
