import Analytics
import AulaSecurity
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import HummingbirdWSTesting
import Logging
import Media
import Motion
import Simulator
import Synchronization
import Testing
import WSClient

@testable import App
@testable import Server

extension RecordingTests {
/// Privacy masks in playback, evidence exports and live view (docs/motion.md, "Privacy masks"):
/// a user without the right to see behind them gets a re-encoded stream whose privacy zone is
/// black, decoded by ffmpeg; holders of the right get the recorded bytes. Nested in
/// ``RecordingTests`` so that it takes turns with the other tests that record from a simulator.
@Suite(.serialized) struct PrivacyMaskTests {
    /// The privacy zone: the middle of the picture.
    static let zone = (x0: 0.25, y0: 0.25, x1: 0.75, y1: 0.75)
    static let zoneBody = #"{"enabled": false, "zones": [{"name": "windows", "kind": "privacy", "polygon": {"points": [{"x": 0.25, "y": 0.25}, {"x": 0.75, "y": 0.25}, {"x": 0.75, "y": 0.75}, {"x": 0.25, "y": 0.75}]}}]}"#
    static let noPrivacyBody = #"{"enabled": false, "zones": [{"name": "gate", "kind": "alert", "polygon": {"points": [{"x": 0.25, "y": 0.25}, {"x": 0.75, "y": 0.25}, {"x": 0.75, "y": 0.75}, {"x": 0.25, "y": 0.75}]}}]}"#

    /// Mean luma, over every decoded frame, inside the zone (shrunk by a margin, for chroma and
    /// block edges) and outside it (the bands above and below it, with the same margin).
    struct Luma {
        var frames: Int
        var inside: Double
        var outside: Double
    }

    static func luma(ofFile path: String, width: Int = 320, height: Int = 240) throws -> Luma {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = [UInt8](out.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        let size = width * height
        let frames = data.count / size
        var inside = 0.0, insideCount = 0.0, outside = 0.0, outsideCount = 0.0
        let margin = 0.04
        for f in 0..<frames {
            for y in 0..<height {
                let fy = (Double(y) + 0.5) / Double(height)
                for x in 0..<width {
                    let fx = (Double(x) + 0.5) / Double(width)
                    let v = Double(data[f * size + y * width + x])
                    if fx > zone.x0 + margin && fx < zone.x1 - margin && fy > zone.y0 + margin && fy < zone.y1 - margin {
                        inside += v; insideCount += 1
                    } else if fy < zone.y0 - margin || fy > zone.y1 + margin {
                        outside += v; outsideCount += 1
                    }
                }
            }
        }
        return Luma(frames: frames, inside: inside / max(1, insideCount), outside: outside / max(1, outsideCount))
    }

    /// Decoded by ffmpeg on a thread of its own (see ``offPool(_:)``).
    static func luma(of bytes: [UInt8], suffix: String = ".mp4") async throws -> Luma {
        try await offPool { try lumaBlocking(of: bytes, suffix: suffix) }
    }

    static func lumaBlocking(of bytes: [UInt8], suffix: String = ".mp4") throws -> Luma {
        let path = NSTemporaryDirectory() + "aula-mask-\(UUID().uuidString)" + suffix
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try luma(ofFile: path)
    }

    static func get(_ client: some TestClientProtocol, _ url: String, token: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields) {
        try await client.execute(uri: url, method: method, headers: [.authorization: "Bearer \(token)"] + headers) {
            ($0.status, [UInt8]($0.body.readableBytesView), $0.headers)
        }
    }

    static func evidence(_ client: some TestClientProtocol, camera: Int, start: String, end: String, token: String) async throws -> [UInt8] {
        try await client.execute(uri: "/api/cameras/\(camera)/evidence", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                 body: ByteBuffer(string: #"{"start": "\#(start)", "end": "\#(end)"}"#)) { response in
            #expect(response.status == .ok)
            return [UInt8](response.body.readableBytesView)
        }
    }

    @Test(.timeLimit(.minutes(3))) func playbackAndExportAreMaskedForUsersWithoutTheRight() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 5)
        let (start, end) = try await EvidenceTests.runRange(server, camera: camera)
        let restricted = try addUser(server, "opi", .operator)
        let seer = try addUser(server, "seer", .operator)
        let url = "/api/cameras/\(camera)/recording.mp4?start=\(start)&end=\(end)"
        let key = try #require(EvidencePackage.parseKeyHex(server.signer.publicKeyHex))
        try await Application(router: server.makeRouter()).test(.router) { client in
            // The right: refused to non-administrators, bad values named, changes audited.
            let refused = try await client.json(.patch, "/api/users/seer", #"{"seeBehindMasks": true}"#, token: seer)
            #expect(refused.status == .forbidden)
            let bad = try await client.json(.patch, "/api/users/seer", #"{"seeBehindMasks": "yes"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect((bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "seeBehindMasks")
            let granted = try await client.json(.patch, "/api/users/seer", #"{"seeBehindMasks": true}"#)
            #expect(granted.status == .ok && granted.json["seeBehindMasks"] as? Bool == true)
            let listed = try await client.json(.get, "/api/users")
            #expect(listed.array.first { $0["name"] as? String == "opi" }?["seeBehindMasks"] as? Bool == false)

            // Before any privacy zone: everyone gets the recorded bytes, and nothing is transcoded.
            let original = try await Self.get(client, url, token: testAdminToken)
            #expect(original.status == .ok)
            #expect(try await Self.get(client, url, token: restricted).bytes == original.bytes)
            #expect(await server.http.maskedExports.made == 0)

            // A privacy zone over the middle of the picture.
            let put = try await client.json(.put, "/api/cameras/\(camera)/motion", Self.zoneBody)
            #expect(put.status == .ok, "\(put.json)")

            // Holders of the right: the recorded bytes, unchanged.
            #expect(try await Self.get(client, url, token: testAdminToken).bytes == original.bytes)
            #expect(try await Self.get(client, url, token: seer).bytes == original.bytes)

            // Without it: a masked transcode that plays cleanly, same size and about the same length.
            let masked = try await Self.get(client, url, token: restricted)
            #expect(masked.status == .ok)
            #expect(masked.bytes != original.bytes)
            #expect(masked.headers[.contentDisposition]?.contains("-masked.mp4") == true)
            #expect(masked.headers[.eTag] != original.headers[.eTag])
            let probeOriginal = try await FFprobe.run(Data(original.bytes)), probe = try await FFprobe.run(Data(masked.bytes))
            #expect(probe.errors.isEmpty, "\(probe.errors.prefix(500))")
            #expect(probe.codec == "h264" && probe.width == 320 && probe.height == 240)
            #expect(probe.firstFrameIsKey)
            #expect(abs(probe.frames - probeOriginal.frames) <= 1, "\(probe.frames) vs \(probeOriginal.frames)")
            #expect(abs(probe.duration - probeOriginal.duration) <= 0.05, "\(probe.duration) vs \(probeOriginal.duration)")
            let before = try await Self.luma(of: original.bytes), after = try await Self.luma(of: masked.bytes)
            #expect(before.inside > 40, "the scene must not be black already: \(before)")
            #expect(after.inside < 20, "the privacy zone is black: \(after)")
            #expect(abs(after.outside - before.outside) < 6, "outside the zone the picture stays: \(after) vs \(before)")

            // HEAD and Range on the same masked file; one transcode serves them all.
            let head = try await Self.get(client, url, token: restricted, method: .head)
            #expect(head.headers[.contentLength] == String(masked.bytes.count))
            let part = try await Self.get(client, url, token: restricted, headers: [.range: "bytes=100-4099"])
            #expect(part.status == .partialContent && part.bytes == Array(masked.bytes[100..<4100]))
            #expect(await server.http.maskedExports.made == 1)

            // Evidence: the restricted user's package is its own, signed, says it is masked and
            // names the recorded clip by its digest; the administrator's is the recorded clip.
            let maskedPackage = try await Self.evidence(client, camera: camera, start: start, end: end, token: restricted)
            let m = try EvidencePackage.verify(maskedPackage, trustedKey: key).manifest
            let derived = try #require(m.privacyMasked)
            #expect(derived.sourceMediaSHA256 == EvidencePackage.sha256Hex(original.bytes))
            #expect(derived.sourceMediaBytes == original.bytes.count)
            #expect(m.mediaSHA256 == EvidencePackage.sha256Hex(masked.bytes), "the same transcode as playback")
            let clip = try Tar.read(maskedPackage).first { $0.name == m.mediaFile }?.data ?? []
            #expect(try await Self.luma(of: clip).inside < 20)
            let plainPackage = try await Self.evidence(client, camera: camera, start: start, end: end, token: testAdminToken)
            let plain = try EvidencePackage.verify(plainPackage, trustedKey: key).manifest
            #expect(plain.privacyMasked == nil && plain.mediaSHA256 == EvidencePackage.sha256Hex(original.bytes))

            // Without privacy zones (an alert zone only), the restricted user gets the original again.
            _ = try await client.json(.put, "/api/cameras/\(camera)/motion", Self.noPrivacyBody)
            #expect(try await Self.get(client, url, token: restricted).bytes == original.bytes)
        }
        let audit = try await server.catalog.auditEntries(limit: 200)
        let views = audit.filter { $0.action == "view.playback" && $0.actor == "opi" }
        #expect(views.contains { $0.detail.contains("privacy masks applied") })
        #expect(audit.contains { $0.action == "user.update" && $0.target.contains("seer") && $0.detail.contains("see behind masks false → true") },
                "\(audit.map { ($0.action, $0.target, $0.detail) })")
        #expect(audit.contains { $0.action == "export.evidence" && $0.actor == "opi" && $0.detail.contains("privacy masks applied") })
        #expect(audit.contains { $0.action == "access.denied" && $0.actor == "seer" })
    }

    @Test(.timeLimit(.minutes(3))) func liveViewIsMaskedForViewersWithoutTheRight() async throws {
        var spec = RecordingTests.spec()
        spec.gopFrames = 25
        let simulator = try await CameraSimulator.make(cameras: 2, base: spec)
        let port = try await simulator.start(port: 0)
        let server = try await RecordingTests.makeRecordingServer(maxMaskedLiveCameras: 1)
        try await server.startRecorder()
        let masked = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        let open = try await server.catalog.insert(.init(name: "Gate", rtspURL: "rtsp://127.0.0.1:\(port)/sim/2", latitude: 1, longitude: 2))
        await server.recorder.update(masked)
        await server.recorder.update(open)
        let restricted = try addUser(server, "opi", .operator)
        let router = server.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        try await app.test(.live) { client in
            let put = try await client.json(.put, "/api/cameras/\(masked.id)/motion", Self.zoneBody)
            #expect(put.status == .ok)
            #expect(server.maskedLive.runningEncoders().isEmpty, "no encoder before a restricted viewer")

            let running = Mutex<Set<Int64>>([])
            let urgent = Mutex(false)
            let maskedStream = try await Self.watch(client, camera: masked.id, token: restricted, frames: 30) {
                running.withLock { $0.formUnion(server.maskedLive.runningEncoders()) }
                // A camera watched masked is read as frames arrive (no read pacing).
                if server.maskedLive.isWatched(camera: masked.id) { urgent.withLock { $0 = true } }
            }
            #expect(urgent.withLock { $0 })
            let adminStream = try await Self.watch(client, camera: masked.id, token: testAdminToken, frames: 30) {}
            let openStream = try await Self.watch(client, camera: open.id, token: restricted, frames: 30) {
                running.withLock { $0.formUnion(server.maskedLive.runningEncoders()) }
            }
            #expect(running.withLock { $0 } == [masked.id], "one encoder, for the masked camera only")

            for (name, stream) in [("masked", maskedStream), ("administrator", adminStream), ("no zones", openStream)] {
                let probe = try await FFprobe.run(Data(stream.bytes))
                #expect(probe.errors.isEmpty, "\(name): \(probe.errors.prefix(500))")
                #expect(probe.frames == 30 && probe.width == 320 && probe.height == 240, "\(name): \(probe)")
                #expect(stream.firstKey == true, "\(name)")
            }
            let maskedLuma = try await Self.luma(of: maskedStream.bytes), adminLuma = try await Self.luma(of: adminStream.bytes), openLuma = try await Self.luma(of: openStream.bytes)
            #expect(maskedLuma.inside < 20, "\(maskedLuma)")
            #expect(maskedLuma.outside > 40, "\(maskedLuma)")
            #expect(adminLuma.inside > 40, "\(adminLuma)")
            #expect(openLuma.inside > 40, "\(openLuma)")
            // The administrator's stream is the camera's own (both simulated cameras send the same
            // parameter sets); the masked one has the masking encoder's.
            #expect(!adminStream.initSegment.isEmpty && adminStream.initSegment == openStream.initSegment)
            #expect(maskedStream.initSegment != adminStream.initSegment)

            // The snapshot (the newest key frame as a JPEG) is masked the same way.
            let snapshot = try await Self.get(client, "/api/cameras/\(masked.id)/snapshot.jpg", token: restricted)
            let adminSnapshot = try await Self.get(client, "/api/cameras/\(masked.id)/snapshot.jpg", token: testAdminToken)
            #expect(snapshot.status == .ok && adminSnapshot.status == .ok)
            let snapshotLuma = try await Self.luma(of: snapshot.bytes, suffix: ".jpg"), adminSnapshotLuma = try await Self.luma(of: adminSnapshot.bytes, suffix: ".jpg")
            #expect(snapshotLuma.frames == 1 && snapshotLuma.inside < 20 && snapshotLuma.outside > 40, "\(snapshotLuma)")
            #expect(adminSnapshotLuma.inside > 40, "\(adminSnapshotLuma)")

            // The last restricted viewer left: the encoder stops.
            #expect(await eventually(timeout: .seconds(5)) { server.maskedLive.runningEncoders().isEmpty })
            #expect(server.maskedLive.counters()[masked.id]?.starts == 1)
            #expect(server.maskedLive.counters()[open.id] == nil, "a camera without zones is never queued")

            // At most one camera masked at once here: a restricted viewer of a second masked
            // camera is refused (503) while the first one's encoder runs; an administrator is not.
            #expect(try await client.json(.put, "/api/cameras/\(open.id)/motion", Self.zoneBody).status == .ok)
            let holder = Task { try await Self.watch(client, camera: masked.id, token: restricted, frames: 50) {} }
            #expect(await eventually(timeout: .seconds(5)) { server.maskedLive.runningEncoders() == [masked.id] })
            await #expect(throws: (any Error).self) {
                try await client.ws("/api/cameras/\(open.id)/live", configuration: .init(additionalHeaders: [.authorization: "Bearer \(restricted)"])) { _, _, _ in
                    Issue.record("a second masked camera was upgraded")
                }
            }
            let adminOfSecond = try await Self.watch(client, camera: open.id, token: testAdminToken, frames: 5) {}
            #expect(adminOfSecond.frames == 5)
            #expect(try await holder.value.frames == 50)
        }
        await server.recorder.stopAll()
        await simulator.stop()
        let audit = try await server.catalog.auditEntries(limit: 100).filter { $0.action == "view.live" }
        #expect(audit.contains { $0.actor == "opi" && $0.target.contains("/\(masked.id)/") && $0.detail.contains("privacy masks applied") }, "\(audit.map(\.detail))")
        #expect(audit.contains { $0.actor == "opi" && $0.target.contains("/\(open.id)/") && !$0.detail.contains("privacy masks") })
        let snapshots = try await server.catalog.auditEntries(limit: 200).filter { $0.action == "view.snapshot" && $0.actor == "opi" }
        #expect(snapshots.contains { $0.detail.contains("privacy masks applied") }, "\(snapshots.map(\.detail))")
    }

    /// H.265 cameras and cameras with B-frames: the masked copy is H.264 without B-frames, as
    /// long and as many frames as the original, and black inside the zone.
    @Test(.timeLimit(.minutes(3)), arguments: [(SimCodec.h265, 0), (.h264, 2)])
    func maskedPlaybackOfH265AndBFrames(codec: SimCodec, bFrames: Int) async throws {
        let (server, camera) = try await RecordingTests.record(codec: codec, bFrames: bFrames, seconds: 4)
        let (start, end) = try await EvidenceTests.runRange(server, camera: camera)
        let restricted = try addUser(server, "opi", .operator)
        let url = "/api/cameras/\(camera)/recording.mp4?start=\(start)&end=\(end)"
        try await Application(router: server.makeRouter()).test(.router) { client in
            #expect(try await client.json(.put, "/api/cameras/\(camera)/motion", Self.zoneBody).status == .ok)
            let original = try await Self.get(client, url, token: testAdminToken)
            let masked = try await Self.get(client, url, token: restricted)
            #expect(masked.status == .ok)
            let before = try await FFprobe.run(Data(original.bytes)), after = try await FFprobe.run(Data(masked.bytes))
            #expect(before.codec == (codec == .h264 ? "h264" : "hevc"))
            #expect(after.errors.isEmpty, "\(after.errors.prefix(500))")
            #expect(after.codec == "h264" && after.reorderedPackets == 0 && after.firstFrameIsKey)
            #expect(abs(after.frames - before.frames) <= 1, "\(after.frames) vs \(before.frames)")
            #expect(abs(after.duration - before.duration) <= 0.05, "\(after.duration) vs \(before.duration)")
            let luma = try await Self.luma(of: masked.bytes)
            #expect(luma.inside < 20 && luma.outside > 40, "\(luma)")
        }
    }

    /// The command line grants and withdraws the right, audited.
    @Test func usersAddGrantsTheRightFromTheCommandLine() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary))
        let data = temporaryDirectory()
        let granted = try await SecurityCommandTests.aula(["users", "add", "ann", "--role", "operator", "--see-behind-masks", "--data", data], stdin: "long enough password\n")
        #expect(granted.status == 0, "\(granted.output)")
        var configuration = ServerConfiguration(dataDirectory: data)
        configuration.auth = testAuthConfiguration()
        #expect(try await AulaApp(configuration: configuration).catalog.user(named: "ann")?.seeBehindMasks == true)
        let withdrawn = try await SecurityCommandTests.aula(["users", "add", "ann", "--role", "operator", "--no-see-behind-masks", "--data", data], stdin: "long enough password\n")
        #expect(withdrawn.status == 0, "\(withdrawn.output)")
        let server = try await openApp(configuration: configuration)
        #expect(try await server.catalog.user(named: "ann")?.seeBehindMasks == false)
        let unchanged = try await SecurityCommandTests.aula(["users", "add", "ann", "--role", "analyst", "--data", data], stdin: "long enough password\n")
        #expect(unchanged.status == 0)
        #expect(try await server.catalog.user(named: "ann")?.seeBehindMasks == false)
        let details = try await server.catalog.auditEntries().filter { $0.target == "ann" }.map(\.detail)
        #expect(details.count == 3)
        #expect(details.first?.contains("see behind masks true") == true, "\(details)")
        #expect(details.dropFirst().first?.contains("see behind masks true → false") == true, "\(details)")
    }

    /// Fed far faster than it can encode, the masked encoder drops whole GOP tails and counts
    /// them; ingest never waits, and a camera without zones is never queued.
    @Test(.timeLimit(.minutes(2))) func aSlowMaskedEncoderDropsWholeGOPsAndNeverBlocksIngest() async throws {
        var spec = RecordingTests.spec()
        spec.width = 640
        spec.height = 360
        spec.gopFrames = 10
        spec.loopSeconds = 4
        let stream = try SimulatedStream(spec: spec)
        let parameters = try VideoParameters(codec: .h264, parameterSets: stream.parameterSets)
        let zones = PrivacyZones()
        let zone = try ZonePolygon([.init(x: 0.25, y: 0.25), .init(x: 0.75, y: 0.25), .init(x: 0.75, y: 0.75), .init(x: 0.25, y: 0.75)])
        zones.set(camera: 1, zones: [Zone(name: "windows", kind: .privacy, polygon: zone)])
        let sink = MaskedLive(zones: zones, maxQueuedUnits: 20, logger: Logger(label: "test"))
        let lease = sink.subscribe(camera: 1)
        #expect(sink.runningEncoders() == [1])
        let units = stream.accessUnits
        var slowest = Duration.zero
        for round in 0..<4 {
            for (i, unit) in units.enumerated() {
                var u = unit
                u.timestamp += Int64(round * units.count) * 3600
                let t0 = ContinuousClock.now
                sink.accessUnit(camera: 1, unit: u, parameters: parameters, wallTime: Int64(i))
                sink.accessUnit(camera: 2, unit: u, parameters: parameters, wallTime: Int64(i))
                slowest = max(slowest, ContinuousClock.now - t0)
            }
        }
        #expect(slowest < .milliseconds(50), "ingest waited \(slowest)")
        #expect(await eventually(timeout: .seconds(60)) { (sink.counters()[1]?.transcoded ?? 0) + (sink.counters()[1]?.dropped ?? 0) >= units.count * 4 })
        let counters = try #require(sink.counters()[1])
        #expect(counters.dropped > 0 && counters.overflows > 0, "\(counters)")
        #expect(counters.errors == 0, "no unit reached the decoder without its reference: \(counters)")
        #expect(sink.counters()[2] == nil)
        lease.release()
        #expect(sink.runningEncoders().isEmpty)
    }

    struct Stream: Sendable {
        var mime: String?
        var bytes: [UInt8] = []
        var frames = 0
        var firstKey: Bool?
        var initSegment: [UInt8] = []
    }

    /// Watches a camera over the WebSocket until `frames` fragments arrived (calling `during` on
    /// each); returns init segment + fragments as one file.
    static func watch(_ client: some TestClientProtocol, camera: Int64, token: String, frames: Int, during: @escaping @Sendable () -> Void) async throws -> Stream {
        let received = Mutex(Stream())
        try await client.ws("/api/cameras/\(camera)/live", configuration: .init(additionalHeaders: [.authorization: "Bearer \(token)"])) { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 4 << 20) {
                switch message {
                case .text(let text):
                    let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                    received.withLock { $0.mime = json?["mime"] as? String }
                case .binary(let buffer):
                    let bytes = Array(buffer.readableBytesView)
                    during()
                    let done = received.withLock { r -> Bool in
                        let isInit = bytes.count > 8 && Array(bytes[4..<8]) == Array("ftyp".utf8)
                        if isInit && r.frames > 0 { return false }  // a restart mid-way: keep the first stream
                        if isInit { r.initSegment = bytes }
                        if !isInit {
                            r.frames += 1
                            if r.firstKey == nil { r.firstKey = LiveRouteTests.isKeyFragment(bytes) }
                        }
                        r.bytes += bytes
                        return r.frames == frames
                    }
                    if done { try await outbound.close(.normalClosure, reason: nil); return }
                }
            }
        }
        return received.withLock { $0 }
    }
}
}
