import APIInput
import AulaSecurity
import Catalog
import CatalogSQLite
import Alerts
import CityServices
import Foundation
import Guards
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Simulator
import Testing

@testable import App
@testable import Server

/// Issue 15, class 1: no input stops the process. Every route of the access table is called as an
/// administrator (allowed everywhere) with extreme values in its path, its query and every field of
/// its body, against the real `aula serve` binary recording a simulated camera. After each request
/// the process must still run and no request may end in a 500; after each route the server must
/// answer its health check and the camera's recording must have moved on.
@Suite(.serialized) struct HostileInputTests {
    /// A JSON body as a tree whose leaves are raw JSON text, so that a test can put any literal
    /// (`1e19`, a 100 kB string) where a field goes.
    indirect enum Body {
        case object([(String, Body)])
        case array([Body])
        case raw(String)

        var text: String {
            switch self {
            case .raw(let r): return r
            case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
            case .object(let members): return "{" + members.map { "\"\($0.0)\":\($0.1.text)" }.joined(separator: ",") + "}"
            }
        }

        /// Every way of replacing one member, element or the whole value with `value`, labelled
        /// with the member's path; and every way of leaving one member out.
        func mutations(_ values: [String], path: String = "") -> [(String, Body)] {
            var out = values.map { (path.isEmpty ? "body" : path, Body.raw($0)) }
            switch self {
            case .raw: break
            case .array(let items):
                for (i, item) in items.enumerated() {
                    for (p, m) in item.mutations(values, path: "\(path)[\(i)]") {
                        var copy = items
                        copy[i] = m
                        out.append((p, .array(copy)))
                    }
                }
            case .object(let members):
                for (i, member) in members.enumerated() {
                    let name = path.isEmpty ? member.0 : "\(path).\(member.0)"
                    for (p, m) in member.1.mutations(values, path: name) {
                        var copy = members
                        copy[i].1 = m
                        out.append((p, .object(copy)))
                    }
                    var without = members
                    without.remove(at: i)
                    out.append(("-\(name)", .object(without)))
                }
            }
            return out
        }
    }

    /// What to send to one route: valid path parameters (so that the query and body are reached),
    /// the query names it reads, and a valid body whose every field is then replaced.
    struct RouteProbe {
        var path: [String: String] = [:]
        var query: [String] = []
        var body: Body?
        /// Sent as another node of the cluster (signed with the key derived from `secrets.key`), not as a user.
        var signedByNode = false
    }

    static let long = String(repeating: "x", count: 100_000)
    /// Extreme values for ids, numbers, times and strings in paths and queries.
    static let texts = ["1e19", "-1e19", "-1", "0", "18446744073709551616", "9223372036854775807", "9223372036854775808", "0.5",
                        "", "nan", "inf", "0001-01-01T00:00:00Z", "99999-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                        "+99999-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "%00", long]
    /// The same, as JSON values.
    static let literals = ["1e19", "-1e19", "-1", "0", "18446744073709551616", "1e308", "-1e308", "0.5", "true", "null", "\"\"",
                           "\"\(long)\"", "\"0001-01-01T00:00:00Z\"", "\"99999-01-01T00:00:00Z\"", "\"+99999-01-01T00:00:00Z\"",
                           "\"-1\"", "\"1e19\"", "[]", "{}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"]
    /// Whole bodies that are not what any route expects.
    static let bodies = ["", "null", "[]", "1e19", "\"\(long)\"", "{", String(repeating: "[", count: 100_000), "{\"a\":" + String(repeating: "[", count: 5000) + "]"]

    static func t(_ secondsAgo: Int) -> String { "\"\(Time90k.format(Int64(Date().timeIntervalSince1970 - Double(secondsAgo)) * 90_000))\"" }
    static let ring = Body.array([.raw("[7.4200, 43.7296]"), .raw("[7.4222, 43.7296]"), .raw("[7.4222, 43.7312]"), .raw("[7.4200, 43.7312]")])
    static let location = Body.object([("lat", .raw("43.7301")), ("lon", .raw("7.4210"))])
    static let camera: [(String, Body)] = [
        ("name", .raw("\"Probe\"")), ("rtspUrl", .raw("\"rtsp://127.0.0.1:9/none\"")), ("username", .raw("\"u\"")), ("password", .raw("\"p\"")),
        ("location", location), ("heading", .raw("90")), ("fieldOfView", .raw("80")), ("range", .raw("30")),
        ("mountingHeight", .raw("4")), ("address", .raw("\"Rue Test 1\"")), ("district", .raw("\"Nord\"")), ("site", .raw("\"street\"")),
        ("subStream", .object([("rtspUrl", .raw("\"rtsp://127.0.0.1:9/sub\"")), ("username", .raw("\"s\"")), ("password", .raw("\"q\""))])),
    ]

    /// Every route with its access rule; `{id}` is the recording camera unless the route says otherwise.
    static let probes: [String: RouteProbe] = [
        "GET /api/health": RouteProbe(),
        "POST /api/session": RouteProbe(body: .object([("name", .raw("\"nobody\"")), ("password", .raw("\"wrong password\""))])),
        "GET /api/session": RouteProbe(),
        "GET /api/openapi.json": RouteProbe(),
        "DELETE /api/session": RouteProbe(),
        "POST /api/session/password": RouteProbe(body: .object([("currentPassword", .raw("\"wrong\"")), ("newPassword", .raw("\"another long password\""))])),
        "GET /api/cameras": RouteProbe(),
        "GET /api/cameras/{id}": RouteProbe(),
        "POST /api/cameras": RouteProbe(body: .object(camera)),
        "PATCH /api/cameras/{id}": RouteProbe(path: ["id": "2"], body: .object(camera)),
        "DELETE /api/cameras/{id}": RouteProbe(path: ["id": "999999"]),
        "GET /api/cameras/{id}/recordings": RouteProbe(query: ["start", "end"]),
        "GET /api/cameras/{id}/recording.mp4": RouteProbe(query: ["start", "end", "codec"]),
        "HEAD /api/cameras/{id}/recording.mp4": RouteProbe(query: ["start", "end", "codec"]),
        "GET /api/cameras/{id}/frame.jpg": RouteProbe(query: ["at"]),
        "GET /api/cameras/{id}/live": RouteProbe(query: ["timing", "stream", "codecs"]),
        "GET /api/live": RouteProbe(query: ["timing"]),
        "GET /api/wall": RouteProbe(),
        "PUT /api/wall": RouteProbe(body: .object([("tiles", .raw("16")), ("group", .raw("\"district:Nord\"")), ("cameras", .array([.raw("1"), .raw("2")]))])),
        "GET /api/cameras/{id}/snapshot.jpg": RouteProbe(),
        "GET /api/camera-health": RouteProbe(),
        "POST /api/cameras/test": RouteProbe(body: .object([("rtspUrl", .raw("\"rtsp://127.0.0.1:9/none\"")), ("camera", .raw("1")), ("stream", .raw("\"sub\"")), ("timeoutSeconds", .raw("1"))])),
        "POST /api/cameras/{id}/evidence": RouteProbe(body: .object([("start", .raw(t(4))), ("end", .raw(t(2)))])),
        "GET /api/storage": RouteProbe(),
        "GET /api/cameras/{id}/retention": RouteProbe(),
        "PUT /api/cameras/{id}/retention": RouteProbe(body: .object([("maxAgeDays", .raw("30"))])),
        "GET /api/evidence-locks": RouteProbe(),
        "POST /api/evidence-locks": RouteProbe(body: .object([("camera", .raw("1")), ("start", .raw(t(4))), ("end", .raw(t(2))), ("reason", .raw("\"probe\""))])),
        "DELETE /api/evidence-locks/{id}": RouteProbe(path: ["id": "999999"]),
        "GET /api/city": RouteProbe(),
        "GET /api/city/geometry": RouteProbe(),
        "GET /api/coverage": RouteProbe(),
        "GET /api/coverage/cameras": RouteProbe(),
        "GET /api/coverage/streets": RouteProbe(query: ["main"]),
        "GET /api/coverage/at": RouteProbe(query: ["lat", "lon"]),
        "POST /api/coverage/preview": RouteProbe(body: .object([("cameraId", .raw("1")), ("location", location), ("heading", .raw("90")),
                                                                ("fieldOfView", .raw("80")), ("range", .raw("30")), ("mountingHeight", .raw("4"))])),
        "GET /api/offences": RouteProbe(query: ["from", "to", "types", "start", "end"]),
        "POST /api/offences": RouteProbe(body: .object([("time", .raw("\"2025-03-04T21:15:00Z\"")), ("location", location), ("type", .raw("\"theft\"")),
                                                        ("status", .raw("\"registered\"")), ("address", .raw("\"Rue Test 1\"")), ("footageLinks", .array([.raw("\"/x\"")]))])),
        "GET /api/hotspots": RouteProbe(query: ["from", "to", "types", "cell", "bandwidth"]),
        "POST /api/plan": RouteProbe(body: .object([("cameras", .raw("2")), ("fieldOfView", .raw("90")), ("range", .raw("30")), ("headings", .raw("4")),
                                                    ("sites", .raw("40")), ("excludeCovered", .raw("true")), ("title", .raw("\"probe\""))])),
        "GET /api/plan/report": RouteProbe(),
        "POST /api/evaluation": RouteProbe(body: .object([("pilot", .object([("name", .raw("\"Pilot\"")), ("ring", ring)])), ("start", .raw("\"2025-01-01\"")),
                                                          ("suggestControls", .raw("2")), ("beforeMonths", .raw("6")), ("afterMonths", .raw("6")),
                                                          ("bufferWidth", .raw("50")), ("types", .array([.raw("\"theft\"")]))])),
        "GET /api/users": RouteProbe(),
        "POST /api/users": RouteProbe(body: .object([("name", .raw("\"probe-new\"")), ("role", .raw("\"operator\"")), ("password", .raw("\"a long enough password\"")),
                                                     ("grants", .array([.object([("effect", .raw("\"allow\"")), ("camera", .raw("1"))])])), ("seeBehindMasks", .raw("false"))])),
        "PATCH /api/users/{name}": RouteProbe(path: ["name": "probe-target"], body: .object([("role", .raw("\"operator\"")), ("password", .raw("\"a long enough password\"")),
                                                                                             ("grants", .array([.object([("effect", .raw("\"deny\"")), ("district", .raw("\"Nord\""))])])),
                                                                                             ("seeBehindMasks", .raw("true"))])),
        "DELETE /api/users/{name}": RouteProbe(path: ["name": "nobody-at-all"]),
        "POST /api/users/{name}/tokens": RouteProbe(path: ["name": "probe-target"], body: .object([("label", .raw("\"probe\""))])),
        "DELETE /api/users/{name}/tokens": RouteProbe(path: ["name": "nobody-at-all"]),
        "GET /api/audit": RouteProbe(query: ["from", "to", "after", "limit"]),
        "GET /api/audit.csv": RouteProbe(query: ["from", "to", "after", "limit"]),
        "GET /api/audit/verify": RouteProbe(),
        "GET /api/cameras/{id}/motion": RouteProbe(),
        "PUT /api/cameras/{id}/motion": RouteProbe(path: ["id": "2"], body: .object([
            ("enabled", .raw("false")), ("timeZone", .raw("\"Asia/Almaty\"")),
            ("settings", .object([("sensitivity", .raw("60")), ("minimumObjectArea", .raw("0.002")), ("minimumDuration", .raw("0.8")), ("endAfter", .raw("2")),
                                  ("analysisFPS", .raw("5")), ("analysisWidth", .raw("320")), ("backgroundAdaptation", .raw("8"))])),
            ("zones", .array([.object([("name", .raw("\"door\"")), ("kind", .raw("\"alert\"")),
                                       ("polygon", .object([("points", .array([.raw(#"{"x": 0.1, "y": 0.1}"#), .raw(#"{"x": 0.5, "y": 0.1}"#), .raw(#"{"x": 0.5, "y": 0.5}"#)]))]))])])),
        ])),
        "GET /api/events": RouteProbe(query: ["start", "end", "camera", "limit", "district", "zone"]),
        "GET /api/events/{id}/thumbnail.jpg": RouteProbe(path: ["id": "999999"]),
        "GET /api/alerts": RouteProbe(query: ["state"]),
        "GET /api/alerts/stream": RouteProbe(),
        "POST /api/alerts/{id}/ack": RouteProbe(path: ["id": "999999"]),
        "GET /metrics": RouteProbe(),
        "GET /api/cluster/nodes": RouteProbe(),
        "GET /api/peer/cameras/{id}/recordings/{recording}": RouteProbe(path: ["recording": "1"], query: ["offset", "length"], signedByNode: true),
        // A camera this node does not record (a recorded one streams for as long as it is read).
        "GET /api/peer/cameras/{id}/live": RouteProbe(path: ["id": "999999"], query: ["masked"], signedByNode: true),
        "GET /api/peer/cameras/{id}/snapshot.jpg": RouteProbe(query: ["masked"], signedByNode: true),
        // Guards: LiveServer makes post 1, shift 2, item 3 and incident 4 before it starts.
        "GET /api/posts": RouteProbe(),
        "POST /api/posts": RouteProbe(body: .object(post)),
        "PUT /api/posts/{id}": RouteProbe(path: ["id": "1"], body: .object(post)),
        "DELETE /api/posts/{id}": RouteProbe(path: ["id": "999999"]),
        "GET /api/shifts": RouteProbe(query: ["start", "end"]),
        "POST /api/shifts": RouteProbe(body: .object([("post", .raw("1")), ("guardName", .raw("\"probe-guard-1\"")), ("start", .raw(t(3600))), ("end", .raw(t(60)))])),
        "PUT /api/shifts/{id}": RouteProbe(path: ["id": "2"], body: .object([("post", .raw("1")), ("guardName", .raw("\"probe-guard-1\"")), ("start", .raw(t(3600))), ("end", .raw(t(60)))])),
        "DELETE /api/shifts/{id}": RouteProbe(path: ["id": "999999"]),
        "GET /api/duty": RouteProbe(),
        "GET /api/duty/stream": RouteProbe(),
        "PUT /api/duty": RouteProbe(body: .object([("onDuty", .raw("true")), ("latitude", .raw("43.7301")), ("longitude", .raw("7.4210")), ("accuracy", .raw("5"))])),
        "GET /api/equipment": RouteProbe(query: ["holder", "number"]),
        "GET /api/equipment.csv": RouteProbe(),
        "GET /api/equipment/{id}": RouteProbe(path: ["id": "3"]),
        "POST /api/equipment": RouteProbe(body: .object([("kind", .raw("\"radio\"")), ("number", .raw("\"R-1\"")), ("serial", .raw("\"SN-1\"")), ("condition", .raw("\"good\""))])),
        "POST /api/equipment/{id}/issue": RouteProbe(path: ["id": "3"], body: .object([("to", .raw("\"guard:probe-guard-1\"")), ("note", .raw("\"probe\""))])),
        "POST /api/equipment/{id}/return": RouteProbe(path: ["id": "3"], body: .object([("condition", .raw("\"worn\"")), ("note", .raw("\"probe\""))])),
        "POST /api/equipment/{id}/condition": RouteProbe(path: ["id": "3"], body: .object([("condition", .raw("\"damaged\"")), ("note", .raw("\"probe\""))])),
        "GET /api/incidents": RouteProbe(query: ["state", "start", "end"]),
        "GET /api/incidents/{id}": RouteProbe(path: ["id": "4"]),
        "POST /api/incidents": RouteProbe(body: .object([("cameraId", .raw("1")), ("latitude", .raw("43.7301")), ("longitude", .raw("7.4210")), ("summary", .raw("\"probe\""))])),
        "POST /api/incidents/{id}/accept": RouteProbe(path: ["id": "4"], body: .object([("note", .raw("\"probe\""))])),
        "POST /api/incidents/{id}/decline": RouteProbe(path: ["id": "4"], body: .object([("note", .raw("\"probe\""))])),
        "POST /api/incidents/{id}/depart": RouteProbe(path: ["id": "4"], body: .object([("note", .raw("\"probe\""))])),
        "POST /api/incidents/{id}/arrive": RouteProbe(path: ["id": "4"], body: .object([("note", .raw("\"probe\""))])),
        "POST /api/incidents/{id}/clear": RouteProbe(path: ["id": "4"], body: .object([("note", .raw("\"probe\""))])),
        "POST /api/incidents/{id}/cancel": RouteProbe(path: ["id": "4"], body: .object([("note", .raw("\"probe\""))])),
        "POST /api/incidents/{id}/photos": RouteProbe(path: ["id": "4"]),
        "GET /api/incidents/{id}/photos": RouteProbe(path: ["id": "4"]),
        "GET /api/incidents/{id}/photos/{photo}": RouteProbe(path: ["id": "4", "photo": "1"]),
        "GET /api/checkpoints": RouteProbe(query: ["post"]),
        "POST /api/checkpoints": RouteProbe(body: .object([("post", .raw("1")), ("name", .raw("\"Gate\"")), ("latitude", .raw("43.7301")), ("longitude", .raw("7.4210")),
                                                           ("everyMinutes", .raw("30"))])),
        "DELETE /api/checkpoints/{id}": RouteProbe(path: ["id": "999999"]),
        "GET /api/checkpoints/{id}/code.svg": RouteProbe(path: ["id": "999999"]),
        "POST /api/checkpoints/scan": RouteProbe(body: .object([("code", .raw("\"not-a-code\"")), ("latitude", .raw("43.7301")), ("longitude", .raw("7.4210")), ("accuracy", .raw("5"))])),
        "GET /api/checkpoint-scans": RouteProbe(query: ["post", "start", "end"]),
        "POST /api/incidents/{id}/dispatch": RouteProbe(path: ["id": "4"], body: .object([("guardName", .raw("\"probe-guard-1\""))])),
        "POST /api/incidents/{id}/offence": RouteProbe(path: ["id": "4"], body: .object([("type", .raw("\"vandalism\"")), ("status", .raw("\"solved\""))])),
        "POST /api/panic": RouteProbe(body: .object([("latitude", .raw("43.7301")), ("longitude", .raw("7.4210"))])),
        "GET /api/response-figures": RouteProbe(query: ["start", "end", "by"]),
        "GET /api/response-figures.csv": RouteProbe(query: ["start", "end", "by"]),
    ]
    static let post: [(String, Body)] = [
        ("name", .raw("\"Probe post\"")), ("latitude", .raw("43.7301")), ("longitude", .raw("7.4210")), ("district", .raw("\"Nord\"")),
        ("cameras", .array([.raw("1")])), ("guards", .array([.raw("\"probe-guard-1\"")])), ("autoDispatch", .raw("false")),
    ]

    @Test func everyRouteOfTheAccessTableHasAProbe() async throws {
        let rules = try await makeServer().http.accessRules
        #expect(Set(Self.probes.keys) == Set(rules.keys),
                "probes without a route: \(Set(Self.probes.keys).subtracting(rules.keys).sorted()); routes without a probe: \(Set(rules.keys).subtracting(Self.probes.keys).sorted())")
    }

    @Test(.timeLimit(.minutes(30))) func extremeValuesOnEveryRouteNeitherStopTheServerNorTheRecording() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary), "build the aula product first (swift build --build-tests builds it)")
        let server = try await LiveServer.start()
        defer { server.stop() }

        for key in Self.probes.keys.sorted() where key != "DELETE /api/session" {
            try await probe(key, server: server)
        }
        // Last: signing out ends the probe's own session.
        try await probe("DELETE /api/session", server: server)
    }

    private func probe(_ key: String, server: LiveServer) async throws {
        let probe = try #require(Self.probes[key])
        let parts = key.split(separator: " ", maxSplits: 1)
        let method = String(parts[0]), pattern = String(parts[1])
        let token = key.hasPrefix("DELETE /api/session") || key.hasPrefix("POST /api/session/password") ? server.spareToken : server.token
        func path(_ values: [String: String]) -> String {
            var p = pattern
            for name in ["id", "name", "recording"] { p = p.replacingOccurrences(of: "{\(name)}", with: values[name] ?? probe.path[name] ?? "1") }
            return p
        }
        let written = try await server.framesWritten()
        var requests: [(label: String, path: String, query: String, body: String?)] = []
        let validBody = probe.body?.text
        // The path: each parameter replaced by each extreme value.
        for name in ["id", "name", "recording"] where pattern.contains("{\(name)}") {
            for v in Self.texts { requests.append(("path \(name)=\(v.prefix(24))", path([name: Self.escape(v)]), "", validBody)) }
        }
        // The query: each name given each extreme value, then ranges that end before they start or span every year.
        for name in probe.query {
            for v in Self.texts { requests.append(("query \(name)=\(v.prefix(24))", path([:]), "\(name)=\(Self.escape(v))", validBody)) }
        }
        for (a, b) in [("start", "end"), ("from", "to")] where probe.query.contains(a) {
            requests.append(("\(b) before \(a)", path([:]), "\(a)=2026-01-02T00:00:00Z&\(b)=2026-01-01T00:00:00Z", validBody))
            requests.append(("\(a) 0001, \(b) 9999", path([:]), "\(a)=0001-01-01T00:00:00Z&\(b)=9999-12-31T23:59:59Z", validBody))
            requests.append(("\(a) 9999, \(b) 0001", path([:]), "\(a)=9999-12-31T23:59:59Z&\(b)=0001-01-01T00:00:00Z", validBody))
        }
        // The body: every field (nested ones included) given each extreme value or left out, then whole bodies.
        if let body = probe.body {
            for (label, mutated) in body.mutations(Self.literals) { requests.append(("body \(label) in \(mutated.text.prefix(120))", path([:]), "", mutated.text)) }
            for b in Self.bodies { requests.append(("whole body \(b.prefix(24))", path([:]), "", b)) }
        }
        if requests.isEmpty { requests.append(("plain", path([:]), "", nil)) }

        var failures: [String] = []
        for r in requests {
            let status = await server.send(method, r.path, query: r.query, body: r.body, token: probe.signedByNode ? nil : token, signedByNode: probe.signedByNode)
            guard server.isRunning else {
                Issue.record("\(key) \(r.label): the server process died (exit \(server.exitStatus)); its log: \(server.log)")
                throw CancellationError()
            }
            // No answer at all is allowed only for a request line of 100 kB, which the HTTP parser refuses.
            if status == 500 || (status == 0 && !(r.path.count + r.query.count > 50_000)) {
                failures.append("\(r.label) → \(status)")
            }
        }
        #expect(failures.isEmpty, "\(key): \(failures.count) of \(requests.count) requests failed: \(failures.prefix(12).joined(separator: "; "))")
        #expect(await server.send("GET", "/api/health", token: nil) == 200, "\(key): the health check does not answer")
        let moved = try await server.waitForFrames(beyond: written)
        #expect(moved, "\(key): the recording did not move on after \(requests.count) requests")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? text
    }
}

/// The real `aula serve` binary on a fresh data folder with a tiny city, synthetic offences, one
/// simulated camera that records, a second that never connects, and API tokens.
final class LiveServer: @unchecked Sendable {
    // @unchecked: every stored property is a `let` set before the instance is shared; `Process`
    // and `URLSession` are thread-safe for the calls made here.
    let process: Process
    let port: Int
    let token: String
    let spareToken: String
    /// The API token of `probe-ROLE` for each role asked for at start.
    let roleTokens: [Role: String]
    let simulator: CameraSimulator
    let session: URLSession
    /// The server's standard error (a crash's backtrace).
    let log: String
    /// The server's data folder.
    let data: String

    private init(process: Process, port: Int, token: String, spareToken: String, roleTokens: [Role: String], simulator: CameraSimulator, log: String) {
        self.log = log
        data = (log as NSString).deletingLastPathComponent
        self.roleTokens = roleTokens
        self.process = process
        self.port = port
        self.token = token
        self.spareToken = spareToken
        self.simulator = simulator
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
    }

    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.isRunning ? 0 : process.terminationStatus }

    static func start(roles: [Role] = []) async throws -> LiveServer {
        let simulator = try await CameraSimulator.make(cameras: 1, base: RecordingTests.spec())
        let rtspPort = try await simulator.start(port: 0)
        let data = temporaryDirectory()
        let token = SecretToken.generate(prefix: "aula_"), spare = SecretToken.generate(prefix: "aula_")
        var roleTokens: [Role: String] = [:]
        do {
            let catalog = try AulaCatalog.openSQLite(directory: data)
            _ = try await catalog.insert(Camera(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(rtspPort)/sim/1", latitude: 43.7301, longitude: 7.4210, district: "Nord"))
            _ = try await catalog.insert(Camera(name: "Dark", rtspURL: "rtsp://127.0.0.1:9/none", latitude: 43.7302, longitude: 7.4211))
            let hash = PasswordHasher(cost: 4).hash("probe-password-1")
            _ = try catalog.sqlite.insertSynchronously(User(name: "probe-admin", role: .administrator, passwordHash: hash), apiTokenDigest: SecretToken.digest(token))
            _ = try catalog.sqlite.insertSynchronously(User(name: "probe-spare", role: .administrator, passwordHash: hash), apiTokenDigest: SecretToken.digest(spare))
            _ = try catalog.sqlite.insertSynchronously(User(name: "probe-target", role: .operator, passwordHash: hash), apiTokenDigest: SecretToken.digest(SecretToken.generate(prefix: "aula_")))
            _ = try catalog.sqlite.insertSynchronously(User(name: "probe-guard-1", role: .guard, passwordHash: hash), apiTokenDigest: SecretToken.digest(SecretToken.generate(prefix: "aula_")))
            // The guards' records the probes' paths name: post 1, shift 2, item 3, incident 4.
            let guards = GuardService(catalog: catalog, alerts: AlertHub(catalog: catalog, logger: Logger(label: "probe")), city: CityStore(catalog), logger: Logger(label: "probe"))
            let now = GuardService.nowMicros()
            let post = try await guards.addPost(Post(name: "Probe post", latitude: 43.7301, longitude: 7.4210, cameras: [1], guards: ["probe-guard-1"]))
            let shift = try await guards.addShift(Shift(post: post.id, guardName: "probe-guard-1", startMicros: now, endMicros: now + 3_600_000_000))
            let item = try await guards.addEquipment(EquipmentItem(kind: "radio", number: "R-0", serial: "SN-0", condition: .good), by: "probe-admin")
            let incident = try await guards.create(Incident(source: .operator, cameraID: 1, latitude: 43.7301, longitude: 7.4210, summary: "probe",
                                                            createdMicros: now, createdBy: "probe-admin"), key: nil).incident
            try #require([post.id, shift.id, item?.id, incident.id] == [1, 2, 3, 4])
            for role in roles {
                roleTokens[role] = SecretToken.generate(prefix: "aula_")
                _ = try catalog.sqlite.insertSynchronously(User(name: "probe-\(role.rawValue)", role: role, passwordHash: hash), apiTokenDigest: SecretToken.digest(roleTokens[role]!))
            }
        }
        let city = try CityFixture.write(CityFixture.geojson)
        for arguments in [["import", "osm", city, "--city", "Probe", "--data", data], ["import", "offences", "--synthetic", "--data", data]] {
            let run = Process()
            run.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
            run.arguments = arguments
            run.standardOutput = FileHandle.nullDevice
            run.standardError = FileHandle.nullDevice
            try run.run()
            run.waitUntilExit()
            try #require(run.terminationStatus == 0, "aula \(arguments.joined(separator: " ")) failed")
        }
        let log = data + "/serve.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
        process.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--flush-seconds", "0.5", "--rotate-seconds", "2", "--log-level", "notice"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        // The port from the log line "Aula is listening url=http://127.0.0.1:PORT/".
        var port: Int?
        for _ in 0..<600 where port == nil && process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: "http://127.0.0.1:") {
                port = Int(text[r.upperBound...].prefix { $0.isNumber })
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let found = try #require(port, "aula serve did not say where it listens: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let server = LiveServer(process: process, port: found, token: token, spareToken: spare, roleTokens: roleTokens, simulator: simulator, log: log)
        let recording = try await server.waitForFrames(beyond: 0)
        try #require(recording, "the camera never started recording")
        return server
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let simulator = self.simulator
        Task { await simulator.stop() }
    }

    /// The HTTP status, or 0 when no response came.
    func send(_ method: String, _ path: String, query: String = "", body: String? = nil, token: String? = nil, signedByNode: Bool = false) async -> Int {
        let target = path + (query.isEmpty ? "" : "?" + query)
        guard let url = URL(string: "http://127.0.0.1:\(port)\(target)") else { return -1 }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if signedByNode, let box = try? SecretBox(keyFile: data + "/secrets.key") {
            for (name, value) in PeerSignature(secrets: box).headers(node: "probe-node", method: method, target: target) {
                request.setValue(value, forHTTPHeaderField: name)
            }
        }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        guard let (_, response) = try? await session.data(for: request), let http = response as? HTTPURLResponse else { return 0 }
        return http.statusCode
    }

    /// Frames the recording camera has written so far.
    func framesWritten() async throws -> Int {
        let url = URL(string: "http://127.0.0.1:\(port)/api/cameras/1")!
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        guard let (data, _) = try? await session.data(for: request),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let recording = object["recording"] as? [String: Any] else { return 0 }
        return recording["framesWritten"] as? Int ?? 0
    }

    /// Waits, by progress, until the camera has written more than `count` frames; false when it
    /// stops making progress for 30 s.
    func waitForFrames(beyond count: Int) async throws -> Bool {
        await eventually(timeout: .seconds(30)) { (try? await self.framesWritten()) ?? 0 > count }
    }
}
