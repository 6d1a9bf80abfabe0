import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import Simulator
import Synchronization
import Testing

@testable import App
@testable import Server

/// Issue 15, class 4: open connections follow the rights within 1 s. A live-view socket (frames
/// flowing) or an alert stream is opened over a real WebSocket, the right behind it is taken away
/// through the API, and the socket must end within a second of that request being sent.
@Suite(.serialized) struct ConnectionRightsTests {
    static let limit: Duration = .seconds(1)
    static let zoneBody = #"{"enabled": false, "zones": [{"name": "windows", "kind": "privacy", "polygon": {"points": [{"x": 0.25, "y": 0.25}, {"x": 0.75, "y": 0.25}, {"x": 0.75, "y": 0.75}, {"x": 0.25, "y": 0.75}]}}]}"#

    /// A user with a way in: a bearer token or a session cookie (with its CSRF token).
    struct Login {
        var headers: HTTPFields
        var csrf: String?
    }

    static func signIn(_ client: some TestClientProtocol, _ name: String) async throws -> Login {
        let answer = try await client.json(.post, "/api/session", #"{"name": "\#(name)", "password": "correct horse battery"}"#, token: nil)
        #expect(answer.status == .ok)
        let cookies = AuthTests.cookies(answer.headers)
        let session = AuthTests.value(cookies["aula_session"])
        let login = Login(headers: [.cookie: "aula_session=\(session)"], csrf: AuthTests.value(cookies["aula_csrf"]))
        let me = try await client.json(.get, "/api/session", token: nil, headers: login.headers)
        #expect(me.status == .ok, "\(name) signed in: \(me.json)")
        return login
    }

    /// How long a socket stayed open after its right was taken away.
    struct Closure: CustomStringConvertible, Sendable {
        /// From the answer to the revoking request (the change is in effect) to the socket's end;
        /// zero when the socket ended before the answer arrived.
        var afterAnswer: Duration
        /// How long the revoking request itself took (on a busy disk a commit may be slow).
        var request: Duration
        var description: String { "\(afterAnswer) after the answer (the request took \(request))" }
    }

    /// Opens `path` as `login`, waits for the first binary message (live) or for the upgrade
    /// (alerts), runs `revoke`, and returns how long after the change took effect the server ended
    /// the socket; nil when it was still open 5 s later.
    static func closesAfter(_ client: some TestClientProtocol, _ path: String, _ login: Login, waitForVideo: Bool, giveUp: Duration = .seconds(5),
                            revoke: @escaping @Sendable () async throws -> Void) async throws -> Closure? {
        let result = Mutex<Closure?>(nil)
        let clock = ContinuousClock()
        let answered = AsyncStream<(sent: ContinuousClock.Instant, answered: ContinuousClock.Instant)>.makeStream()
        try await client.ws(path, configuration: .init(additionalHeaders: login.headers)) { inbound, outbound, _ in
            let work: @Sendable () async throws -> Void = {
                let sent = clock.now
                try await revoke()
                answered.continuation.yield((sent, clock.now))
                answered.continuation.finish()
                try await Task.sleep(for: giveUp)
                try await outbound.close(.normalClosure, reason: "test gave up")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                var started = !waitForVideo
                if started { group.addTask(operation: work) }
                for try await message in inbound.messages(maxSize: 4 << 20) {
                    if case .binary = message, !started {
                        started = true
                        group.addTask(operation: work)
                    }
                }
                let closed = clock.now
                if started {
                    // The socket may end before the revoking request is answered: wait for the answer.
                    var times = answered.stream.makeAsyncIterator()
                    if let times = await times.next() {
                        let after = max(.zero, closed - times.answered)
                        if closed - times.sent < giveUp {
                            result.withLock { $0 = Closure(afterAnswer: after, request: times.answered - times.sent) }
                        }
                    }
                }
                group.cancelAll()
            }
        }
        return result.withLock { $0 }
    }

    @Test(.timeLimit(.minutes(5))) func liveViewAndAlertStreamsEndWhenTheirRightsDo() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: RecordingTests.spec(), subStreams: true)
        let port = try await simulator.start(port: 0)
        let server = try await RecordingTests.makeRecordingServer()
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2,
                                                           subStream: CameraStream(rtspURL: "rtsp://127.0.0.1:\(port)/sim/1/sub")))
        await server.recorder.update(camera)
        for name in ["signout", "deleted", "denied", "subdenied", "zoned", "unseeing", "alerts"] { _ = try addUser(server, name, .operator) }
        let resetToken = try addUser(server, "reset", .operator)
        let router = server.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        let live = "/api/cameras/\(camera.id)/live"
        let results = Mutex<[String: Closure?]>([:])
        try await app.test(.live) { client in
            // Signed out: the session's own request ends it.
            let signout = try await Self.signIn(client, "signout")
            results.set("sign-out", try await Self.closesAfter(client, live, signout, waitForVideo: true) {
                let r = try await client.json(.delete, "/api/session", token: nil, headers: signout.headers + [Authenticator.csrfHeader: signout.csrf ?? ""])
                #expect(r.status == .noContent)
            })
            // The user deleted by an administrator.
            results.set("user deleted", try await Self.closesAfter(client, live, try await Self.signIn(client, "deleted"), waitForVideo: true) {
                let answer = try await client.json(.delete, "/api/users/deleted")
                #expect(answer.status == .noContent)
            })
            // A grant lost on this camera.
            results.set("grant lost", try await Self.closesAfter(client, live, try await Self.signIn(client, "denied"), waitForVideo: true) {
                let answer = try await client.json(.patch, "/api/users/denied", #"{"grants": [{"effect": "deny", "camera": \#(camera.id)}]}"#)
                #expect(answer.status == .ok)
            })
            // The same, watching the camera's sub stream (a wall tile).
            results.set("grant lost (sub stream)", try await Self.closesAfter(client, live + "?stream=sub&codecs=h264", try await Self.signIn(client, "subdenied"), waitForVideo: true) {
                let answer = try await client.json(.patch, "/api/users/subdenied", #"{"grants": [{"effect": "deny", "camera": \#(camera.id)}]}"#)
                #expect(answer.status == .ok)
            })
            // A password reset ends the user's API tokens, and so their sockets.
            results.set("password reset (token)", try await Self.closesAfter(client, live, Login(headers: [.authorization: "Bearer \(resetToken)"]), waitForVideo: true) {
                let answer = try await client.json(.patch, "/api/users/reset", #"{"password": "another long password"}"#)
                #expect(answer.status == .ok)
            })
            // A privacy zone added while a restricted user watches the original picture.
            results.set("privacy zone added", try await Self.closesAfter(client, live, try await Self.signIn(client, "zoned"), waitForVideo: true) {
                let answer = try await client.json(.put, "/api/cameras/\(camera.id)/motion", Self.zoneBody)
                #expect(answer.status == .ok)
            })
            // The right to see behind masks withdrawn while watching the original picture.
            let answer = try await client.json(.patch, "/api/users/unseeing", #"{"seeBehindMasks": true}"#)
            #expect(answer.status == .ok)
            results.set("seeBehindMasks withdrawn", try await Self.closesAfter(client, live, try await Self.signIn(client, "unseeing"), waitForVideo: true) {
                let answer = try await client.json(.patch, "/api/users/unseeing", #"{"seeBehindMasks": false}"#)
                #expect(answer.status == .ok)
            })
            // The alert stream of a session that signs out.
            let alerts = try await Self.signIn(client, "alerts")
            results.set("alert stream sign-out", try await Self.closesAfter(client, "/api/alerts/stream", alerts, waitForVideo: false) {
                try await Task.sleep(for: .milliseconds(300))
                _ = try await client.json(.delete, "/api/session", token: nil, headers: alerts.headers + [Authenticator.csrfHeader: alerts.csrf ?? ""])
            })
        }
        await server.recorder.stopAll()
        await simulator.stop()
        let took = results.withLock { $0 }
        #expect(took.count == 8)
        for (what, duration) in took.sorted(by: { $0.key < $1.key }) {
            let d = try #require(duration, "\(what): the socket was still open 5 s after the right was taken away")
            #expect(d.afterAnswer <= Self.limit, "\(what): the socket ended \(d)")
        }
        print("ConnectionRightsTests: \(took.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.map { "\($0)" } ?? "never")" }.joined(separator: ", "))")
    }
}

extension ConnectionRightsTests {
    /// A guard's duty stream (`/api/duty/stream`) follows the rights too: it closes at once when
    /// the guard signs out or the account is deleted through the API, and within the stream's
    /// check interval when the account is deleted or its token revoked by another process (here
    /// straight in the catalogue, as `aula users` does, so this node hears nothing of it).
    @Test(.timeLimit(.minutes(3))) func aGuardsDutyStreamEndsWhenTheirRightsDo() async throws {
        let server = try await makeServer()
        for name in ["guard-out", "guard-deleted", "guard-gone"] { _ = try addUser(server, name, .guard) }
        let revokedToken = try addUser(server, "guard-revoked", .guard)
        let router = server.http.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        let stream = "/api/duty/stream"
        let results = Mutex<[String: Closure?]>([:])
        // Another process's change is seen by the next check: at most one interval, plus the read.
        let outside = GuardRoutes.streamCheck + .seconds(2)
        try await app.test(.live) { client in
            let out = try await Self.signIn(client, "guard-out")
            results.set("sign-out", try await Self.closesAfter(client, stream, out, waitForVideo: false) {
                try await Task.sleep(for: .milliseconds(100))
                let r = try await client.json(.delete, "/api/session", token: nil, headers: out.headers + [Authenticator.csrfHeader: out.csrf ?? ""])
                #expect(r.status == .noContent)
            })
            results.set("account deleted", try await Self.closesAfter(client, stream, try await Self.signIn(client, "guard-deleted"), waitForVideo: false) {
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await client.json(.delete, "/api/users/guard-deleted").status == .noContent)
            })
            // Other sockets of the node had the session checked a moment ago: that must not hide
            // a change made elsewhere beyond the interval.
            let gone = try await Self.signIn(client, "guard-gone")
            results.set("account deleted by another process", try await Self.closesAfter(client, stream, gone, waitForVideo: false, giveUp: outside) {
                try await Task.sleep(for: .milliseconds(100))
                let user = try #require(try await server.catalog.user(named: "guard-gone"))
                #expect(try await server.catalog.deleteUser(id: user.id))
            })
            results.set("token revoked by another process", try await Self.closesAfter(client, stream, Login(headers: [.authorization: "Bearer \(revokedToken)"]),
                                                                                      waitForVideo: false, giveUp: outside) {
                try await Task.sleep(for: .milliseconds(100))
                let user = try #require(try await server.catalog.user(named: "guard-revoked"))
                #expect(try await server.catalog.deleteAPITokens(userID: user.id) == 1)
            })
        }
        let took = results.withLock { $0 }
        #expect(took.count == 4)
        for (what, duration) in took.sorted(by: { $0.key < $1.key }) {
            let d = try #require(duration, "\(what): the duty stream was still open after the right was taken away")
            let limit = what.hasSuffix("another process") ? outside : Self.limit
            #expect(d.afterAnswer <= limit, "\(what): the duty stream ended \(d)")
        }
        print("ConnectionRightsTests (duty stream): \(took.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.map { "\($0)" } ?? "never")" }.joined(separator: ", "))")
    }
}

extension Mutex where Value == [String: ConnectionRightsTests.Closure?] {
    func set(_ key: String, _ value: ConnectionRightsTests.Closure?) { withLock { $0[key] = value } }
}

extension ConnectionRightsTests {
    /// The wall's socket (`/api/live`, issue 19) carries many cameras: a grant withdrawn on one of
    /// them ends that camera's tile within the bound, and the other tile streams on over the
    /// same socket; a sign-out still closes the socket.
    @Test(.timeLimit(.minutes(3))) func aGrantLostOnAWallSocketEndsThatTileOnly() async throws {
        try await LiveWallSocketTests.withCameras(2, subStreams: true) { server, cameras, client in
            _ = try addUser(server, "wall", .operator)
            let login = try await Self.signIn(client, "wall")
            let wall = LiveWallSocketTests.Wall()
            let timing = Mutex<(answered: ContinuousClock.Instant?, ended: ContinuousClock.Instant?)>((nil, nil))
            try await client.ws("/api/live", configuration: .init(additionalHeaders: login.headers)) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 4 << 20).makeAsyncIterator()
                try await outbound.write(.text(LiveWallSocketTests.add(0, cameras[0].id)))
                try await outbound.write(.text(LiveWallSocketTests.add(1, cameras[1].id)))
                #expect(try await wall.untilFragments(&messages, [0: 3, 1: 3]))
                let from = wall.count
                let denied = #"{"grants": [{"effect": "deny", "camera": \#(cameras[0].id)}]}"#
                let revoke = Task {
                    let answer = try await client.json(.patch, "/api/users/wall", denied)
                    #expect(answer.status == .ok)
                    return ContinuousClock.now
                }
                let ended = try await wall.until(&messages, from: from) { $0["type"] as? String == "ended" }
                let endedAt = ContinuousClock.now
                let answeredAt = try await revoke.value
                timing.withLock { $0 = (answeredAt, endedAt) }
                #expect(ended?["tile"] as? Int == 0 && ended?["reason"] as? String == "access", "\(ended ?? [:])")
                // The other camera goes on: frames keep coming for tile 1 and none for tile 0.
                let before = wall.withLock { $0.fragments }
                #expect(try await wall.untilFragments(&messages, [1: (before[1] ?? 0) + 25]))
                #expect(wall.withLock { $0.fragments[0] } == before[0])
                // Asked again, the camera is one this user may not see: it answers as a missing one.
                let again = wall.count
                try await outbound.write(.text(LiveWallSocketTests.add(0, cameras[0].id)))
                let refused = try await wall.until(&messages, from: again) { $0["tile"] as? Int == 0 }
                #expect(refused?["type"] as? String == "error" && refused?["field"] as? String == "camera", "\(refused ?? [:])")
                // Signed out: the whole socket closes.
                let out = try await client.json(.delete, "/api/session", token: nil, headers: login.headers + [Authenticator.csrfHeader: login.csrf ?? ""])
                #expect(out.status == .noContent)
                do { while let message = try await messages.next() { wall.take(message) } } catch {}
            }
            let (answered, ended) = timing.withLock { $0 }
            let after = max(.zero, try #require(ended) - (try #require(answered)))
            #expect(after <= Self.limit, "the tile ended \(after) after the grant was withdrawn")
            #expect(try await LiveWallSocketTests.released(server, cameras))
            print("ConnectionRightsTests (wall socket): tile ended \(after) after the answer")
        }
    }
}
