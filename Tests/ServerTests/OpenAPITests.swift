import AulaSecurity
import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App
@testable import Server

/// The API document (`GET /api/openapi.json`) describes every route and nothing else, with the
/// roles its rule allows; and schemathesis (PyPI), generating requests from the document against
/// a running `aula serve` as every role, finds no 5xx, no crash and no answer the document does
/// not describe.
@Suite struct OpenAPITests {
    @Test func theDocumentNamesEveryRouteAndNothingElse() async throws {
        let server = try await makeServer()
        let router = server.makeRouter()
        let routes = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let rules = server.http.accessRules
        var tokens: [Role: String] = [:]
        for role in Role.allCases { tokens[role] = try addUser(server, "reader-\(role.rawValue)", role) }
        let readers = tokens
        try await Application(router: router).test(.router) { client in
            let answer = try await client.json(.get, "/api/openapi.json")
            #expect(answer.status == .ok)
            #expect(answer.json["openapi"] as? String == "3.1.0")
            let paths = try #require(answer.json["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, operations) in paths {
                for (method, operation) in operations {
                    let key = "\(method.uppercased()) \(path)"
                    documented.insert(key)
                    let operation = try #require(operation as? [String: Any])
                    #expect((operation["summary"] as? String)?.isEmpty == false, "\(key) has no summary")
                    // The roles the document names are the ones the rule lets in.
                    let roles = Set(operation["x-aula-roles"] as? [String] ?? [])
                    let rule = try #require(rules[key], "\(key) is documented but has no rule")
                    if rule.access == .everyone {
                        #expect(roles == ["everyone"], "\(key)")
                    } else if rule.access == .peerNode {
                        #expect(roles == ["node"], "\(key): only other nodes of the cluster")
                    } else {
                        #expect(roles == Set(Role.allCases.filter(rule.allows).map(\.rawValue)), "\(key): \(roles.sorted())")
                    }
                    // Every {parameter} of the path is described.
                    let named = Set(((operation["parameters"] as? [[String: Any]]) ?? []).filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
                    #expect(named == Set(OpenAPIDocument.parameterNames(path)), "\(key)")
                }
            }
            #expect(documented == routes, "routes without a description: \(routes.subtracting(documented).sorted()); described but not routed: \(documented.subtracting(routes).sorted())")
            #expect(documented.count >= 55)
            // Every role may read it; nobody signed out may.
            for (role, token) in readers {
                #expect(try await client.json(.get, "/api/openapi.json", token: token).status == .ok, "\(role)")
            }
            #expect(try await client.json(.get, "/api/openapi.json", token: nil).status == .unauthorized)
        }
    }

    /// Runs schemathesis's CLI (coverage and fuzzing phases) against a live server.
    static func schemathesis(document: String, port: Int, token: String, phases: String, examples: Int, extra: [String] = []) async throws -> (status: Int32, output: String) {
        try await RecordingTests.EvidenceTests.run("/usr/bin/env", [
            "python3", "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
            "run", document, "--url", "http://127.0.0.1:\(port)", "-H", "Authorization: Bearer \(token)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--phases", phases, "--max-examples", "\(examples)", "--workers", "1", "--request-timeout", "60",
            "--suppress-health-check", "all", "--no-color", "--seed", "16",
        ] + extra)
    }

    @Test(.timeLimit(.minutes(20))) func schemathesisAsEveryRoleFindsNoServerErrorAndNoUndocumentedAnswer() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary), "build the aula product first (swift build --build-tests builds it)")
        let server = try await LiveServer.start(roles: [.operator, .guard, .analyst, .auditor])
        defer { server.stop() }
        let document = temporaryDirectory() + "/openapi.json"
        let (data, response) = try await server.session.data(for: {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/api/openapi.json")!)
            request.setValue("Bearer \(server.token)", forHTTPHeaderField: "Authorization")
            return request
        }())
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        try data.write(to: URL(fileURLWithPath: document))
        // The other roles are refused most routes, so a few random requests show that a refusal
        // never depends on what the request carries; they run side by side, as the users of a
        // city would. Signing in (bcrypt, throttled) is the same for every role and is left to the
        // administrator's run, which comes last (its requests may delete the cameras) and reaches
        // every handler: boundary values of every field (coverage) and random ones (fuzzing).
        let restricted = try await withThrowingTaskGroup(of: (Role, (status: Int32, output: String), Duration).self) { group in
            for (role, token) in server.roleTokens {
                group.addTask {
                    let clock = ContinuousClock(), started = clock.now
                    let run = try await Self.schemathesis(document: document, port: server.port, token: token, phases: "fuzzing", examples: 3,
                                                          extra: ["--exclude-path-regex", "^/api/session"])
                    return (role, run, clock.now - started)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let clock = ContinuousClock(), started = clock.now
        let administrator = try await Self.schemathesis(document: document, port: server.port, token: server.token, phases: "coverage,fuzzing", examples: 10)
        for (role, run, took) in restricted.sorted(by: { $0.0.rawValue < $1.0.rawValue }) + [(Role.administrator, administrator, clock.now - started)] {
            let summary = run.output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("failed") || $0.contains("passed") }.joined(separator: "\n")
            #expect(run.status == 0, "schemathesis as \(role.rawValue):\n\(run.output.suffix(6000))")
            #expect(run.output.contains("generated"), "schemathesis as \(role.rawValue) ran no test case:\n\(run.output.suffix(2000))")
            print("schemathesis as \(role.rawValue) (\(took)): \(summary)")
        }
        #expect(server.isRunning, "aula serve stopped (exit \(server.exitStatus)): \((try? String(contentsOfFile: server.log, encoding: .utf8))?.suffix(4000) ?? "")")
        #expect(await server.send("GET", "/api/health") == 200)
    }
}
