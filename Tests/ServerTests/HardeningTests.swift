import APIInput
import Catalog
import CityServices
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Motion
import Simulator
import Snapshot
import Synchronization
import Testing

@testable import App
@testable import Server

/// Issue 15: probes of each class as an attacker or a careless user would send them, over real
/// sockets (`.live`) where the class is about what crosses the network.
@Suite(.serialized) struct HardeningTests {
    // MARK: Class 3: every view of a camera obeys its grants

    @Test func deniedCamerasAreMissingCamerasEverywhere() async throws {
        let data = temporaryDirectory()
        try await CityImport.importCity(file: try CityFixture.write(CityFixture.geojson), name: "Testville", dataDirectory: data)
        let server = try await cityServer(data: data)
        var secret = testCamera("Secret", lat: 43.7301, lon: 7.4210, heading: 90)
        secret.rtspURL = "rtsp://10.0.0.9:554/cam/realmonitor?channel=1&user=admin&password=hunter2"
        secret.username = "admin"
        let hidden = try await server.catalog.insert(secret)
        let open = try await server.catalog.insert(testCamera("Open", lat: 43.7301, lon: 7.4212, heading: 270))
        let deny = [AccessGrant(effect: .deny, scope: .camera, target: String(hidden.id))]
        let analyst = try addUser(server, "ana", .analyst, grants: deny)
        let operatorToken = try addUser(server, "otto", .operator, grants: deny)
        let plainOperator = try addUser(server, "olga", .operator)
        let guardToken = try addUser(server, "gus", .guard, grants: [AccessGrant(effect: .allow, scope: .camera, target: String(open.id))])
        try await Application(router: server.makeRouter()).test(.router) { client in
            // The camera itself: a denied one answers exactly as one that does not exist.
            let denied = try await client.json(.get, "/api/cameras/\(hidden.id)", token: operatorToken)
            let missing = try await client.json(.get, "/api/cameras/999999", token: operatorToken)
            #expect(denied.status == .notFound && missing.status == .notFound)
            #expect(denied.json["title"] as? String == missing.json["title"] as? String)
            #expect(denied.json["detail"] as? String == "camera \(hidden.id) does not exist")
            #expect(try await client.json(.get, "/api/cameras/\(hidden.id)/recordings?start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z", token: operatorToken).status == .notFound)

            // Coverage, "which cameras see this point", the camera layer: only what the analyst may see.
            let layer = try await client.json(.get, "/api/coverage/cameras", token: analyst)
            let ids = (layer.json["features"] as? [[String: Any]] ?? []).compactMap { ($0["properties"] as? [String: Any])?["id"] as? String }
            #expect(ids == [String(open.id)], "\(ids)")
            let at = try await client.json(.get, "/api/coverage/at?lat=43.7301&lon=7.4211", token: analyst)
            let seeing = (at.json["cameras"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(!seeing.contains(String(hidden.id)), "\(seeing)")
            let preview = try await client.json(.post, "/api/coverage/preview", #"{"cameraId": \#(hidden.id), "heading": 10}"#, token: analyst)
            #expect(preview.status == .notFound)
            let everyone = try await client.json(.get, "/api/coverage/cameras")
            #expect((everyone.json["features"] as? [[String: Any]] ?? []).count == 2, "the administrator sees both")

            // Evidence locks and their reasons.
            let start = Time90kText.now(minus: 60), end = Time90kText.now(minus: 30)
            for camera in [hidden.id, open.id] {
                let r = try await client.json(.post, "/api/evidence-locks", #"{"camera": \#(camera), "start": "\#(start)", "end": "\#(end)", "reason": "case \#(camera)"}"#)
                #expect(r.status == .created)
            }
            let locks = try await client.json(.get, "/api/evidence-locks", token: operatorToken)
            #expect(locks.array.map { $0["camera"] as? Int64 ?? Int64($0["camera"] as? Int ?? 0) } == [open.id], "\(locks.array)")

            // Addresses and accounts of cameras: administrators only in full; operators without
            // credentials in the query string; guards and analysts not at all.
            let asGuard = try await client.json(.get, "/api/cameras", token: guardToken)
            #expect(asGuard.array.count == 1 && asGuard.array.allSatisfy { $0["rtspUrl"] == nil && $0["username"] == nil }, "\(asGuard.array)")
            let asAnalyst = try await client.json(.get, "/api/cameras", token: analyst)
            #expect(asAnalyst.array.allSatisfy { $0["rtspUrl"] == nil && $0["username"] == nil }, "\(asAnalyst.array)")
            let asOperator = try await client.json(.get, "/api/cameras/\(hidden.id)", token: plainOperator)
            let shown = asOperator.json["rtspUrl"] as? String ?? ""
            #expect(!shown.contains("hunter2") && !shown.contains("user=admin") && shown.contains("channel=1"), "\(shown)")
            let asAdmin = try await client.json(.get, "/api/cameras/\(hidden.id)")
            #expect((asAdmin.json["rtspUrl"] as? String)?.contains("hunter2") == true)
        }
    }

    // MARK: Class 4: thumbnails made before a privacy zone are masked when served

    @Test func thumbnailsMadeBeforeAZoneAreMaskedWhenServed() async throws {
        let server = try await makeServer()
        let camera = try await server.catalog.insert(Camera(name: "Yard", rtspURL: "rtsp://127.0.0.1:1/x", latitude: 1, longitude: 2))
        // A bright 320 × 180 thumbnail, stored before any zone existed.
        let bright = try Self.grayJPEG(width: 320, height: 180, level: 220)
        let id = try await server.catalog.insertMotionEvent(StoredMotionEvent(cameraID: camera.id, zone: "door", start90k: 90_000, confirmed90k: 90_000, peakScore: 1, box: [0, 0, 1, 1]),
                                                            thumbnail: bright)
        let restricted = try addUser(server, "opi", .operator)
        try await Application(router: server.makeRouter()).test(.router) { client in
            let zone = #"{"enabled": false, "zones": [{"name": "windows", "kind": "privacy", "polygon": {"points": [{"x": 0.25, "y": 0.25}, {"x": 0.75, "y": 0.25}, {"x": 0.75, "y": 0.75}, {"x": 0.25, "y": 0.75}]}}]}"#
            #expect(try await client.json(.put, "/api/cameras/\(camera.id)/motion", zone).status == .ok)
            for (token, masked) in [(restricted, true), (testAdminToken, false)] {
                let body = try await client.execute(uri: "/api/events/\(id)/thumbnail.jpg", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                    Array($0.body.readableBytesView)
                }
                var centre = 0.0, corner = 0.0
                _ = try GrayJPEG.redraw(body) { plane, width, height, stride in
                    centre = Double(plane[height / 2 * stride + width / 2])
                    corner = Double(plane[4 * stride + 4])
                }
                #expect(corner > 180, "outside the zone the picture is unchanged")
                #expect(masked ? centre < 40 : centre > 180, "masked \(masked): the zone's middle is \(centre)")
            }
        }
        let views = try await server.catalog.auditEntries(limit: 100).filter { $0.action == "view.thumbnail" }
        #expect(views.contains { $0.actor == "opi" && $0.detail.contains("privacy masks applied") }, "\(views.map(\.detail))")
    }

    /// A uniform grey JPEG, made by the motion thumbnail encoder as a real event's would be.
    static func grayJPEG(width: Int, height: Int, level: UInt8) throws -> [UInt8] {
        let encoder = try ThumbnailEncoder(width: width, height: height)
        return try encoder.encode(LumaFrame(width: width, height: height, pixels: [UInt8](repeating: level, count: width * height), timestamp: 0))
    }

    // MARK: Class 8: heavy answers off the shared pool, bounded

    @Test(.timeLimit(.minutes(1))) func heavyWorkRunsOffTheCooperativePoolBoundedAndDropsCancelledRequests() async throws {
        let heavy = HeavyWork(threads: 1, queueLimit: 2)
        #expect(try await heavy.run("a name") { Thread.current.name ?? "" }.hasPrefix("TP-"), "a NIO thread-pool thread, not the cooperative pool")
        let gate = DispatchSemaphore(value: 0)
        let running = Atomic(false)
        let blocker = Task { try await heavy.run("the blocker") { running.store(true, ordering: .relaxed); gate.wait() } }
        while !running.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(10)) }
        let first = Task { try await heavy.run("first") { 1 } }
        while heavy.inUse < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let second = Task { try await heavy.run("second") { 2 } }
        while heavy.inUse < 3 { try await Task.sleep(for: .milliseconds(10)) }
        // One running and two waiting: the next is refused at once.
        await #expect(throws: ProblemDetails.self) { try await heavy.run("one too many") { 3 } }
        // The client of the first waiting request goes away: it never runs.
        first.cancel()
        gate.signal()
        try await blocker.value
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(try await second.value == 2)
        #expect(heavy.inUse == 0)
    }

    // MARK: Class 7: sign-in under attack

    @Test func lockoutHoldsAgainstParallelGuessesAndLocksAreOneAuditRow() async throws {
        let server = try await makeServer()
        _ = try addUser(server, "ann", .operator, password: "correct horse battery")
        let app = Application(router: server.makeRouter())
        let statuses = Statuses()
        try await app.test(.live) { client in
            // 25 connections of their own, all sent at once (the test client would queue them on one).
            let port = try #require(client.port)
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 32
            let session = URLSession(configuration: configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<25 {
                    group.addTask {
                        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/session")!)
                        request.httpMethod = "POST"
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.httpBody = Data(#"{"name": "ann", "password": "guess \#(i)"}"#.utf8)
                        let (_, response) = try await session.data(for: request)
                        statuses.list.withLock { $0.append((response as? HTTPURLResponse)?.statusCode ?? 0) }
                    }
                }
                try await group.waitForAll()
            }
            // Still locked: more guesses, and the right password, are refused without a row each.
            for _ in 0..<30 { _ = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "guess again"}"#, token: nil) }
            let right = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "correct horse battery"}"#, token: nil)
            #expect(right.status == .tooManyRequests)
        }
        let codes = statuses.list.withLock { $0 }
        // The test configuration locks after 5 failures: at most 5 passwords were checked.
        #expect(codes.filter { $0 == 401 }.count <= 5, "\(codes.sorted())")
        #expect(codes.filter { $0 == 429 }.count >= 20, "\(codes.sorted())")
        let audit = try await server.catalog.auditEntries(limit: 1000)
        #expect(audit.filter { $0.action == "signin.failed" }.count <= 5)
        #expect(audit.filter { $0.action == "signin.locked" }.count <= 2, "one row per locked key (the name; the address is not locked yet): \(audit.map(\.action))")
    }

    @Test func throttleAdmitsNoMoreThanTheLimitAtOnce() {
        let throttle = SignInThrottle(policy: .init(baseDelay: .milliseconds(10), maxDelay: .seconds(1), lockoutAfter: 3, lockoutDuration: .seconds(60)))
        let admitted = (0..<10).filter { _ in throttle.admit(name: "ann", client: "10.0.0.1") == .admitted }.count
        #expect(admitted == 3)
        for _ in 0..<3 { _ = throttle.failed(name: "ann", client: "10.0.0.1") }
        guard case .refused(_, let first) = throttle.admit(name: "ann", client: "10.0.0.1") else { Issue.record("not locked"); return }
        #expect(first, "the first refusal of a lock is the one that is audited")
        guard case .refused(_, let second) = throttle.admit(name: "ann", client: "10.0.0.2") else { Issue.record("not locked"); return }
        #expect(!second, "later refusals are counted, not audited")
        #expect(throttle.endedLocks().isEmpty, "the lock has not ended")
        #expect(throttle.endedLocks(now: .now + .seconds(61)).map(\.refusals) == [2])
    }

    // MARK: Class 10: headers and defaults

    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        let server = try await makeServer()
        try await Application(router: server.makeRouter()).test(.live) { client in
            for (path, token) in [("/api/health", nil), ("/api/cameras", testAdminToken), ("/api/nothing-here", nil), ("/login.html", nil), ("/live.html", nil)] as [(String, String?)] {
                let r = try await client.json(.get, path, token: token)
                #expect(r.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(path): \(r.headers)")
                #expect(r.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true, "\(path)")
                #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
                #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(path)")
            }
        }
    }

    @Test(arguments: [
        ("http://aula.example:8080", "aula.example:8080", "http", true),
        ("http://aula.example", "aula.example:80", "http", true),
        ("https://aula.example", "aula.example", "https", true),
        ("https://aula.example:8080", "aula.example:8080", "http", false),   // another scheme
        ("http://aula.example:8081", "aula.example:8080", "http", false),    // another port
        ("http://aula.example", "aula.example:8080", "http", false),         // default port is 80, not 8080
        ("http://evil.example:8080", "aula.example:8080", "http", false),
        ("http://aula.example:8080/x", "aula.example:8080", "http", false),
        ("null", "aula.example:8080", "http", false),
        ("ws://aula.example", "aula.example:8080", "http", true),            // a library, not a page
    ])
    func webSocketOriginsCompareSchemeHostAndPort(origin: String, authority: String, scheme: String, allowed: Bool) {
        #expect(LiveRoute.sameOrigin(origin, authority: authority, scheme: scheme) == allowed)
    }

    // MARK: Class 9: every footage byte is audited

    @Test(.timeLimit(.minutes(3))) func playbackFromAnyByteIsAuditedOncePerUserAndRangeAndIndexedOnce() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: RecordingTests.spec())
        let port = try await simulator.start(port: 0)
        // Every range counts as settled (they end seconds ago), so their indexes are kept.
        // A quota of 150 kB (not enforced here: no retention service runs) to measure locks against.
        let server = try await RecordingTests.makeRecordingServer {
            $0.exportSettledSeconds = 0
            $0.retention.quotaBytes = 150_000
        }
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        await server.recorder.update(camera)
        let flusher = Task { try await server.writer.run() }
        let viewer = try addUser(server, "vic", .operator)
        // Wait, by progress, for three seconds of committed footage.
        var first: Int64?, newest: Int64?
        let recorded = try await eventually(timeout: .seconds(60)) {
            guard let u = try await server.catalog.usage()[camera.id] else { return false }
            (first, newest) = (u.oldest90k, u.newest90k)
            return u.newest90k - u.oldest90k >= 3 * 90_000
        }
        await server.recorder.stopAll()
        flusher.cancel()
        await server.writer.stopAll()
        await simulator.stop()
        try #require(recorded, "no footage was recorded")
        let (from, to) = (first!, newest!)
        let range = "start=\(Time90k.format(from))&end=\(Time90k.format(to))"
        let other = "start=\(Time90k.format(first!))&end=\(Time90k.format(newest! - 45_000))"
        try await Application(router: server.makeRouter()).test(.live) { client in
            // Class 8: a lock whose footage would take more than half the recording space is refused.
            let usage = try #require(try await server.catalog.usage()[camera.id])
            #expect(usage.bytes > 75_000, "the test needs more than half the quota recorded: \(usage.bytes)")
            let whole = try await client.json(.post, "/api/evidence-locks", #"{"camera": \#(camera.id), "start": "\#(Time90k.format(from))", "end": "\#(Time90k.format(to))", "reason": "all of it"}"#)
            #expect(whole.status.code == 507, "\(whole.json)")
            let slice = try await client.json(.post, "/api/evidence-locks", #"{"camera": \#(camera.id), "start": "\#(Time90k.format(to - 9_000))", "end": "\#(Time90k.format(to))", "reason": "a moment"}"#)
            #expect(slice.status == .created, "\(slice.json)")
            for (query, byteRange) in [(range, "bytes=1000-1999"), (range, "bytes=0-"), (range, "bytes=500-"), (other, "bytes=200-300")] {
                let status = try await client.execute(uri: "/api/cameras/\(camera.id)/recording.mp4?\(query)", method: .get,
                                                      headers: [.authorization: "Bearer \(viewer)", .range: byteRange]) { $0.status }
                #expect(status == .partialContent)
            }
        }
        let views = try await server.catalog.auditEntries(limit: 1000).filter { $0.action == "view.playback" && $0.actor == "vic" }
        // One row for the first range (whichever byte it started at), one for the other range.
        #expect(views.count == 2, "\(views.map(\.target))")
        // Class 8: each range's index was built once, whatever the number of its Range requests.
        #expect(server.http.exportCache.statistics.builds == 2, "\(server.http.exportCache.statistics)")
        #expect(server.http.exportCache.statistics.hits == 2, "\(server.http.exportCache.statistics)")
    }

    @Test func footageViewsAreFirstSeenOncePerUserAndRange() {
        let views = FootageViews()
        let now = ContinuousClock.now
        #expect(views.firstView(user: "ann", target: "/api/cameras/1/recording.mp4?start=a&end=b", now: now))
        #expect(!views.firstView(user: "ann", target: "/api/cameras/1/recording.mp4?start=a&end=b", now: now + .seconds(5)))
        #expect(views.firstView(user: "bob", target: "/api/cameras/1/recording.mp4?start=a&end=b", now: now))
        #expect(views.firstView(user: "ann", target: "/api/cameras/1/recording.mp4?start=a&end=c", now: now))
        #expect(views.firstView(user: "ann", target: "/api/cameras/1/recording.mp4?start=a&end=b", now: now + FootageViews.window + .seconds(1)))
    }
}

/// RFC 3339 text of a recent moment, for request bodies.
enum Time90kText {
    static func now(minus seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date().addingTimeInterval(-seconds))
    }
}

final class Statuses: Sendable {
    let list = Mutex<[Int]>([])
}
