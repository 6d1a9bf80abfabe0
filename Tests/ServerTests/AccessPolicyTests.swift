import AulaSecurity
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App
@testable import Server

/// "No open doors": every route the router has was registered with its rule (``Routes``) and refuses an
/// anonymous request and every role its rule does not name. A route added without a rule fails here.
@Suite struct AccessPolicyTests {
    static let open: Set<String> = ["GET /api/health", "POST /api/session"]
    /// Open to every signed-in user: their own account, and the API document.
    /// Open only to other nodes of the cluster, by signature (docs/cluster.md).
    static let peerOnly: Set<String> = ["GET /api/peer/cameras/{id}/recordings/{recording}", "GET /api/peer/cameras/{id}/live", "GET /api/peer/cameras/{id}/snapshot.jpg"]
    static let ownAccount: Set<String> = ["GET /api/session", "DELETE /api/session", "POST /api/session/password", "GET /api/openapi.json"]

    @Test func everyRouteRefusesAnonymousAndWrongRoles() async throws {
        let server = try await makeServer()
        let router = server.makeRouter()
        let rules = server.http.accessRules
        // (method, path) pairs: Hummingbird's route descriptions are not Sendable.
        let routes = router.routes.map { (method: $0.method, path: "\($0.path)") }
        #expect(routes.count >= 38, "\(routes.count) routes")
        var roleTokens: [Role: String] = [:]
        for role in Role.allCases { roleTokens[role] = try addUser(server, "user-\(role.rawValue)", role) }
        let tokens = roleTokens
        let camera = try await server.catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://127.0.0.1:1/x", latitude: 1, longitude: 2, district: "Centre"))
        let app = Application(router: router)
        try await app.test(.router) { client in
            for route in routes {
                let key = "\(route.method.rawValue) \(route.path)"
                let rule = try #require(rules[key], "\(key) has no rule")
                let uri = route.path.replacingOccurrences(of: "{id}", with: "\(camera.id)").replacingOccurrences(of: "{name}", with: "user-guard")
                switch rule.access {
                case .everyone:
                    #expect(Self.open.contains(key), "\(key) is open to everyone")
                    continue
                case .signedIn:
                    #expect(Self.ownAccount.contains(key), "\(key) is open to every role")
                case .roles(let roles):
                    #expect(roles.contains(.administrator))
                    #expect(roles.count < Role.allCases.count, "\(key) allows every role: declare it .signedIn instead")
                case .peerNode:
                    #expect(Self.peerOnly.contains(key), "\(key) is open to other nodes")
                }
                let anonymous = try await client.json(route.method, uri, token: nil)
                #expect(anonymous.status == .unauthorized, "\(key) anonymous → \(anonymous.status)")
                if route.method != .head {
                    #expect(anonymous.headers[.contentType] == "application/problem+json", "\(key)")
                }
                #expect(anonymous.headers[.wwwAuthenticate] != nil, "\(key)")
                let forged = try await client.json(route.method, uri, token: "aula_not-a-real-token")
                #expect(forged.status == .unauthorized, "\(key) with a forged token → \(forged.status)")
                for role in Role.allCases where !rule.allows(role) {
                    let refused = try await client.json(route.method, uri, token: tokens[role])
                    // A node's route knows no users: every one of them, administrators too, is unknown there.
                    #expect(refused.status == (rule.access == .peerNode ? .unauthorized : .forbidden), "\(key) as \(role) → \(refused.status)")
                }
            }
        }
        // No stale rules: every rule belongs to a route.
        let registered = Set(routes.map { "\($0.method.rawValue) \($0.path)" })
        #expect(Set(rules.keys).subtracting(registered).isEmpty)
        #expect(Set(rules.keys) == registered)
    }

    @Test func aRouteWithoutARuleIsRefusedEvenToAdministrators() async throws {
        let server = try await makeServer()
        let router = server.makeRouter()
        router.get("api/forgotten") { _, _ in "open?" }
        try await Application(router: router).test(.router) { client in
            let answer = try await client.json(.get, "/api/forgotten")
            #expect(answer.status == .forbidden)
            #expect((answer.json["detail"] as? String)?.contains("no access rule") == true)
        }
    }

    @Test func unknownAPIPathsNeedSignInButStaticFilesDoNot() async throws {
        let server = try await makeServer()
        try await Application(router: server.makeRouter()).test(.router) { client in
            let anonymous = try await client.json(.get, "/api/nothing-here", token: nil)
            #expect(anonymous.status == .unauthorized)
            let signedIn = try await client.json(.get, "/api/nothing-here")
            #expect(signedIn.status == .notFound)
            let health = try await client.json(.get, "/api/health", token: nil)
            #expect(health.status == .ok)
            for file in ["/map.html", "/login.html", "/audit.html", "/js/api.js"] {
                let page = try await client.execute(uri: file, method: .get) { $0.status }
                #expect(page == (WebRoot.locate() != nil ? .ok : .notFound), "static files are public: \(file)")
            }
        }
    }

    /// Guards see and watch only the cameras granted to them; analysts see every camera's metadata
    /// but video only where granted; a deny beats an allow, for operators too.
    @Test func grantsPerCameraAndDistrictWithDenyBeatingAllow() async throws {
        let server = try await makeServer()
        let a = try await server.catalog.insert(Camera(name: "A", rtspURL: "rtsp://127.0.0.1:1/a", latitude: 1, longitude: 2, district: "North"))
        let b = try await server.catalog.insert(Camera(name: "B", rtspURL: "rtsp://127.0.0.1:1/b", latitude: 1, longitude: 2, district: "North"))
        let c = try await server.catalog.insert(Camera(name: "C", rtspURL: "rtsp://127.0.0.1:1/c", latitude: 1, longitude: 2, district: "South"))
        let guardToken = try addUser(server, "gus", .guard, grants: [AccessGrant(effect: .allow, scope: .district, target: "North"),
                                                                    AccessGrant(effect: .deny, scope: .camera, target: "\(b.id)")])
        let analyst = try addUser(server, "ana", .analyst, grants: [AccessGrant(effect: .allow, scope: .camera, target: "\(c.id)")])
        let operatorToken = try addUser(server, "opi", .operator, grants: [AccessGrant(effect: .allow, scope: .camera, target: "\(a.id)"),
                                                                         AccessGrant(effect: .deny, scope: .district, target: "North")])
        let range = "start=2026-01-01T00:00:00Z&end=2026-01-01T01:00:00Z"
        try await Application(router: server.makeRouter()).test(.router) { client in
            let seen = try await client.json(.get, "/api/cameras", token: guardToken).array.compactMap { $0["name"] as? String }
            #expect(seen == ["A"])
            // A camera the grants exclude answers as a missing one (issue 15).
            #expect(try await client.json(.get, "/api/cameras/\(c.id)", token: guardToken).status == .notFound)
            #expect(try await client.json(.get, "/api/cameras/\(a.id)", token: guardToken).status == .ok)

            #expect(try await client.json(.get, "/api/cameras", token: analyst).array.count == 3)
            #expect(try await client.json(.get, "/api/cameras/\(a.id)/recordings?\(range)", token: analyst).status == .notFound)
            #expect(try await client.json(.get, "/api/cameras/\(c.id)/recordings?\(range)", token: analyst).status == .ok)

            #expect(try await client.json(.get, "/api/cameras/\(a.id)/recordings?\(range)", token: operatorToken).status == .notFound)
            #expect(try await client.json(.get, "/api/cameras/\(c.id)/recordings?\(range)", token: operatorToken).status == .ok)
            #expect(try await client.json(.get, "/api/cameras", token: operatorToken).array.compactMap { $0["name"] as? String } == ["C"])
        }
        let denied = try await server.catalog.auditEntries().filter { $0.action == "access.denied" }
        #expect(denied.count == 3)
        #expect(denied.first?.actor == "gus")
    }
}
