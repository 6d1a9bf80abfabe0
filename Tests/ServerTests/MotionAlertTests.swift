import APIInput
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import Logging
import Media
import Motion
import Simulator
import Synchronization
import Testing
import WSClient

@testable import App
@testable import Server

/// Motion detection wired into a real server: a simulated camera behind a TCP relay (so that it
/// can really go offline), events stored and listed with privacy-masked thumbnails, alerts
/// streamed to operators and granted guards over WebSocket, acknowledged, escalated and audited.
@Suite(.serialized) struct MotionAlertTests {
    static func spec() -> SceneSpec {
        var spec = SceneSpec()
        spec.width = 320
        spec.height = 240
        spec.bitRate = 300_000
        spec.gopFrames = 25
        spec.loopSeconds = 20
        return spec
    }

    /// Alert zone "yard" (the ground, where people and cars cross), privacy zone "windows" (the façade).
    static let configuration = """
        {"enabled": true, "settings": {"sensitivity": 60},
         "zones": [
           {"name": "yard", "kind": "alert", "polygon": {"points": [{"x": 0, "y": 0.36}, {"x": 1, "y": 0.36}, {"x": 1, "y": 1}, {"x": 0, "y": 1}]}},
           {"name": "windows", "kind": "privacy", "polygon": {"points": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 1, "y": 0.34}, {"x": 0, "y": 0.34}]}}
         ]}
        """

    @Test(.timeLimit(.minutes(3))) func motionRaisesEventsAndAlertsThatAreAcknowledgedEscalatedAndFiltered() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: Self.spec(), cacheDirectory: NSTemporaryDirectory() + "aula-motion-server-tests")
        let rtspPort = try await simulator.start(port: 0)
        let relay = try TCPRelay(target: rtspPort)
        defer { relay.stop() }
        let server = try await makeServer { c in
            c.flushInterval = .milliseconds(500)
            c.rotateSeconds = 2
            c.alerts.escalateAfter = .seconds(5)
            c.alerts.offlineAfter = .seconds(2)
            c.alerts.checkInterval = .milliseconds(200)
        }
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(relay.port)/sim/1", latitude: 1, longitude: 2, district: "Centre"))
        let other = try await server.catalog.insert(.init(name: "Gate", rtspURL: "rtsp://127.0.0.1:1/none", latitude: 1, longitude: 2, district: "North"))
        let operatorToken = try addUser(server, "olga", .operator)
        let guardToken = try addUser(server, "gani", .guard, grants: [AccessGrant(effect: .allow, scope: .camera, target: "\(camera.id)")])
        let otherGuardToken = try addUser(server, "oraz", .guard, grants: [AccessGrant(effect: .allow, scope: .camera, target: "\(other.id)")])
        let flusher = Task { try await server.writer.run() }
        let monitor = Task { try await server.alertMonitor.run() }
        let router = server.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        let operatorAlerts = AlertCollector(), guardAlerts = AlertCollector(), otherGuardAlerts = AlertCollector()

        try await app.test(.live) { client in
            let put = try await client.json(.put, "/api/cameras/\(camera.id)/motion", Self.configuration)
            #expect(put.status == .ok, "\(put.json)")
            let listeners = [(operatorToken, operatorAlerts), (guardToken, guardAlerts), (otherGuardToken, otherGuardAlerts)].map { token, collector in
                Task { try await collector.listen(client, token: token) }
            }
            #expect(await eventually(timeout: .seconds(5)) { server.alerts.subscriberCount == 3 })
            await server.recorder.update(camera)
            await server.recorder.update(other)

            // A person or car crosses the yard: an event, and an alert to the operator and the granted guard.
            #expect(await eventually(timeout: .seconds(30)) { operatorAlerts.first { $0.kind == "motion" } != nil }, "no motion alert")
            let alert = try #require(operatorAlerts.first { $0.kind == "motion" })
            #expect(alert.cameraId == camera.id && alert.zone == "yard" && alert.state == "open")
            #expect(await eventually(timeout: .seconds(5)) { guardAlerts.first { $0.kind == "motion" } != nil }, "the granted guard got no alert")

            // Acknowledged by the operator: on record, sent to listeners, not open any more.
            let ack = try await client.json(.post, "/api/alerts/\(alert.id)/ack", token: operatorToken)
            #expect(ack.status == .ok && ack.json["state"] as? String == "acknowledged" && ack.json["acknowledgedBy"] as? String == "olga", "\(ack.json)")
            #expect(try await client.json(.post, "/api/alerts/\(alert.id)/ack", token: guardToken).status == .conflict)
            #expect(await eventually(timeout: .seconds(5)) { operatorAlerts.all.contains { $0.id == alert.id && $0.state == "acknowledged" } })
            let open = try await client.json(.get, "/api/alerts?state=open", token: operatorToken)
            #expect((open.json["alerts"] as? [[String: Any]])?.contains { $0["id"] as? Int == Int(alert.id) } == false)
            #expect(try await client.json(.post, "/api/alerts/\(alert.id)/ack", token: otherGuardToken).status == .notFound)

            let listing = try await client.json(.get, "/api/events?camera=\(camera.id)&zone=yard&district=Centre&start=2000-01-01T00:00:00Z&end=2100-01-01T00:00:00Z", token: operatorToken)
            let events = try #require(listing.json["events"] as? [[String: Any]], "\(listing.status) \(listing.json)")
            let event = try #require(events.first { ($0["id"] as? Int).map(Int64.init) == alert.eventId }, "\(events)")
            #expect(event["cameraId"] as? Int == Int(camera.id) && event["zone"] as? String == "yard")
            let start = try #require(Time90k.parse(event["start"] as? String ?? ""))
            let raised = try #require(Time90k.parse(alert.time))
            // Raised within a few seconds of the first moving picture (minimum duration 0.8 s), and
            // received within a second of being raised.
            #expect(raised - start >= 0 && raised - start < 3 * 90_000, "alert \(Double(raised - start) / 90_000) s after the motion began")
            #expect(alert.receivedAt.timeIntervalSince1970 * 90_000 - Double(raised) < 90_000)
            print("motion alert: raised \(Double(raised - start) / 90_000) s after the motion began, received \(alert.receivedAt.timeIntervalSince1970 - Double(raised) / 90_000) s after it was raised")
            #expect(event["thumbnail"] as? String == "/api/events/\(alert.eventId!)/thumbnail.jpg")
            #expect((event["clip"] as? String)?.hasPrefix("/api/cameras/\(camera.id)/recording.mp4?start=") == true)
            #expect((event["peakScore"] as? Double ?? 0) > 0)
            // Filters: another zone, another district, a time range before it: nothing.
            for query in ["zone=door", "district=North", "end=2001-01-01T00:00:00Z"] {
                #expect((try await client.json(.get, "/api/events?\(query)", token: operatorToken).json["events"] as? [Any])?.isEmpty == true, "\(query)")
            }
            #expect(try await client.json(.get, "/api/events?start=yesterday", token: operatorToken).status == .unprocessableContent)

            // The thumbnail is a JPEG with the façade (privacy zone) blacked out.
            let jpeg = try await client.execute(uri: "/api/events/\(alert.eventId!)/thumbnail.jpg", method: .get, headers: [.authorization: "Bearer \(operatorToken)"]) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/jpeg")
                return Data(response.body.readableBytesView)
            }
            let picture = try await GrayPicture.decoded(jpeg)
            #expect(picture.width == 320 && picture.height == 240)
            let facade = picture.mean(rows: 0..<(picture.height * 30 / 100)), ground = picture.mean(rows: (picture.height * 40 / 100)..<picture.height)
            #expect(facade < 24, "privacy zone mean luma \(facade) (black is 16)")
            #expect(ground > 50, "ground mean luma \(ground)")
            let refused = try await client.json(.get, "/api/events/\(alert.eventId!)/thumbnail.jpg", token: otherGuardToken)
            #expect(refused.status == .notFound)

            // An alert nobody acknowledges is escalated after 5 s and sent again, flagged.
            #expect(await eventually(timeout: .seconds(30)) { operatorAlerts.all.contains { $0.escalated && $0.state == "open" } }, "nothing escalated")
            #expect(operatorAlerts.all.contains { $0.id == alert.id && $0.escalated } == false, "an acknowledged alert escalated")

            // The camera goes offline (its connection is cut), then comes back.
            relay.stop()
            #expect(await eventually(timeout: .seconds(20)) { operatorAlerts.first { $0.kind == "cameraOffline" && $0.cameraId == camera.id } != nil }, "no offline alert")
            try relay.start()
            #expect(await eventually(timeout: .seconds(40)) { operatorAlerts.first { $0.kind == "cameraOnline" && $0.cameraId == camera.id } != nil }, "no back-online alert")
            #expect(guardAlerts.first { $0.kind == "cameraOffline" } != nil)

            let counters = try #require(server.motion.counters()[camera.id])
            #expect(counters.analysed > 100 && counters.events >= 1 && counters.decoderErrors == 0, "\(counters)")
            #expect(server.motion.counters()[other.id] == nil, "a camera without motion settings has an analyzer")

            operatorAlerts.stop(); guardAlerts.stop(); otherGuardAlerts.stop()
            for listener in listeners { _ = await listener.result }
        }
        monitor.cancel()
        await server.recorder.stopAll()
        await server.motion.stopAll()
        flusher.cancel()
        await simulator.stop()

        // The guard of another camera received nothing of this one (only that its own camera is offline).
        #expect(otherGuardAlerts.all.allSatisfy { $0.cameraId == other.id }, "\(otherGuardAlerts.all.map(\.kind))")
        #expect(otherGuardAlerts.all.contains { $0.kind == "cameraOffline" }, "the other guard's own camera alert is missing")
        #expect(guardAlerts.all.allSatisfy { $0.cameraId == camera.id })
        let audit = try await server.catalog.auditEntries()
        #expect(audit.contains { $0.action == "camera.motion" && $0.actor == "test-admin" })
        #expect(audit.contains { $0.action == "alert.raise" && $0.target == "/api/alerts/\(alert0(operatorAlerts))" })
        #expect(audit.contains { $0.action == "alert.ack" && $0.actor == "olga" })
        #expect(audit.contains { $0.action == "alert.escalate" })
        #expect(audit.contains { $0.action == "view.thumbnail" && $0.actor == "olga" })
    }

    /// Schedules gate events through the whole server: of two alert zones over the same ground,
    /// only the one whose schedule includes now raises events.
    @Test(.timeLimit(.minutes(2))) func aZoneOutsideItsScheduleRaisesNothing() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: Self.spec(), cacheDirectory: NSTemporaryDirectory() + "aula-motion-server-tests")
        let rtspPort = try await simulator.start(port: 0)
        let server = try await makeServer()
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(rtspPort)/sim/1", latitude: 1, longitude: 2))
        let c = Calendar.current.dateComponents([.hour, .minute], from: Date())
        let now = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", (m % 1440) / 60, m % 60) }
        let later = "\(hm(now + 120))-\(hm(now + 180))", current = "\(hm(now + 1440 - 60))-\(hm(now + 60))"
        let ground = #"{"points": [{"x": 0, "y": 0.36}, {"x": 1, "y": 0.36}, {"x": 1, "y": 1}, {"x": 0, "y": 1}]}"#
        let body = #"{"zones": [{"name": "now", "kind": "alert", "polygon": \#(ground), "schedule": "\#(current)"}, {"name": "later", "kind": "alert", "polygon": \#(ground), "schedule": "\#(later)"}]}"#
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let put = try await client.json(.put, "/api/cameras/\(camera.id)/motion", body)
            #expect(put.status == .ok, "\(put.json)")
            await server.recorder.update(camera)
            #expect(try await eventually(timeout: .seconds(30)) {
                (try await client.json(.get, "/api/events?zone=now").json["events"] as? [Any])?.isEmpty == false
            }, "the zone in its schedule raised nothing")
            try await Task.sleep(for: .seconds(2))
            #expect((try await client.json(.get, "/api/events?zone=later").json["events"] as? [Any])?.isEmpty == true, "a zone outside its schedule (\(later)) raised an event")
            let alerts = try await client.json(.get, "/api/alerts").json["alerts"] as? [[String: Any]] ?? []
            #expect(alerts.contains { $0["zone"] as? String == "now" } && !alerts.contains { $0["zone"] as? String == "later" })
        }
        await server.recorder.stopAll()
        await server.motion.stopAll()
        await simulator.stop()
    }

    func alert0(_ c: AlertCollector) -> Int64 { c.first { $0.kind == "motion" }?.id ?? -1 }
}

/// Alerts received over `GET /api/alerts/stream`, with their arrival times.
final class AlertCollector: Sendable {
    struct Alert: Decodable, Sendable {
        var id: Int64
        var kind: String
        var cameraId: Int64?
        var zone: String?
        var eventId: Int64?
        var time: String
        var state: String
        var escalated: Bool
        var receivedAt = Date()
        enum CodingKeys: String, CodingKey { case id, kind, cameraId, zone, eventId, time, state, escalated }
    }
    struct Message: Decodable { var type: String; var alert: Alert }

    private let received = Mutex<[Alert]>([])
    private let stopped = Atomic<Bool>(false)

    var all: [Alert] { received.withLock { $0 } }
    func first(where match: (Alert) -> Bool) -> Alert? { all.first(where: match) }
    func stop() { stopped.store(true, ordering: .relaxed) }

    func listen(_ client: some TestClientProtocol, token: String) async throws {
        try await client.ws("/api/alerts/stream", configuration: .init(additionalHeaders: [.authorization: "Bearer \(token)"])) { inbound, outbound, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        let decoded = try JSONDecoder().decode(Message.self, from: Data(text.utf8))
                        self.received.withLock { $0.append(decoded.alert) }
                    }
                }
                group.addTask {
                    while !self.stopped.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(100)) }
                    try await outbound.close(.normalClosure, reason: nil)
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// A TCP relay in a child process (`/usr/bin/python3`): stopping it cuts every connection through
/// it, as a camera losing power or network would; starting it again on the same port brings the
/// camera back.
final class TCPRelay: Sendable {
    let port: Int
    let target: Int
    private let process = Mutex<Process?>(nil)

    static let script = """
        import asyncio, sys
        async def pipe(r, w):
            try:
                while data := await r.read(65536):
                    w.write(data); await w.drain()
            except Exception: pass
            finally: w.close()
        async def handle(r, w):
            try: tr, tw = await asyncio.open_connection('127.0.0.1', int(sys.argv[2]))
            except Exception: w.close(); return
            await asyncio.gather(pipe(r, tw), pipe(tr, w))
        async def main():
            server = await asyncio.start_server(handle, '127.0.0.1', int(sys.argv[1]), reuse_address=True)
            print('ready', flush=True)
            await server.serve_forever()
        asyncio.run(main())
        """

    init(target: Int) throws {
        self.target = target
        // A free port: bind to 0, read it, release it.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) } }
        close(probe)
        port = Int(UInt16(bigEndian: address.sin_port))
        try start()
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", Self.script, "\(port)", "\(target)"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        // Wait for "ready" so that the first connection is not refused.
        _ = out.fileHandleForReading.availableData
        process.withLock { $0 = p }
    }

    func stop() {
        guard let p = process.withLock({ c -> Process? in defer { c = nil }; return c }) else { return }
        // SIGKILL and poll: `waitUntilExit` can wait forever when called from a concurrency thread.
        kill(p.processIdentifier, SIGKILL)
        for _ in 0..<100 where p.isRunning { usleep(50_000) }
    }
}

/// A greyscale picture decoded from a JPEG by ffmpeg (an independent decoder).
struct GrayPicture {
    var width: Int
    var height: Int
    var pixels: [UInt8]

    /// Decodes on a thread of its own (see ``offPool(_:)``): two child processes.
    static func decoded(_ jpeg: Data) async throws -> GrayPicture {
        try await offPool { try GrayPicture(jpeg: jpeg) }
    }

    init(jpeg: Data) throws {
        let path = NSTemporaryDirectory() + "aula-thumb-\(UUID().uuidString).jpg"
        try jpeg.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (size, _) = try FFprobe.shellBlocking("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", path])
        let wh = size.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        guard wh.count == 2 else { throw ProbeError(message: "ffprobe could not read the JPEG: \(size)") }
        width = wh[0]
        height = wh[1]
        let raw = NSTemporaryDirectory() + "aula-thumb-\(UUID().uuidString).gray"
        defer { try? FileManager.default.removeItem(atPath: raw) }
        let (_, err) = try FFprobe.shellBlocking("/usr/bin/ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", raw])
        pixels = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: raw))) ?? Data())
        guard pixels.count == width * height else { throw ProbeError(message: "ffmpeg decoded \(pixels.count) bytes: \(err)") }
    }

    func mean(rows: Range<Int>) -> Double {
        var sum = 0
        for y in rows { for x in 0..<width { sum += Int(pixels[y * width + x]) } }
        return Double(sum) / Double(max(1, rows.count * width))
    }

    struct ProbeError: Error { var message: String }
}
