import Analytics
import APIInput
import Catalog
import Media
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import Synchronization
import TestPeers
import Testing
import WSClient

@testable import App
@testable import Server

extension RecordingTests {
/// Main and sub streams (issue 19), with a GStreamer camera that sends H.265 as its main stream and
/// H.264 at 160×120 as its sub stream, as new cameras do: both streams are received and reported,
/// motion analyses the sub stream, and a browser that decodes only H.264 (Debian's Chromium) gets
/// the sub stream, or without one an H.264 conversion of the main stream; every stream received
/// is checked with ffprobe. Nested in ``RecordingTests`` so that it takes turns with the other
/// tests that record.
@Suite(.serialized) struct SubStreamTests {
    @Test func anH265CameraIsWatchedInH264ThroughItsSubStreamOrAConversion() async throws {
        let camera = try await GStreamerCamera.start(frames: 0, keyint: 25)
        let server = try await RecordingTests.makeRecordingServer(readPacing: nil)
        try await server.startRecorder()
        let flusher = Task { try await server.writer.run() }
        let router = server.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        try await app.test(.live) { client in
            let base = "rtsp://127.0.0.1:\(camera.port)"
            // A sub stream that names the main stream's address is refused, naming the field.
            let same = try await client.json(.post, "/api/cameras", #"{"name":"Yard","rtspUrl":"\#(base)/h265","subStream":{"rtspUrl":"\#(base)/h265"},"location":{"lat":1,"lon":2}}"#)
            #expect(same.status == .unprocessableContent)
            #expect("\(same.json["errors"] ?? "")".contains("subStream.rtspUrl"))
            let created = try await client.json(.post, "/api/cameras", #"{"name":"Yard","rtspUrl":"\#(base)/h265","subStream":{"rtspUrl":"\#(base)/sub"},"location":{"lat":1,"lon":2}}"#)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? Int)
            #expect((created.json["subStream"] as? [String: Any])?["rtspUrl"] as? String == "\(base)/sub")

            // Both streams stream, each with its own codec and size.
            let both = try await eventually(timeout: .seconds(60)) {
                let shown = try await client.json(.get, "/api/cameras/\(id)").json
                let main = shown["status"] as? [String: Any]
                let sub = (shown["subStream"] as? [String: Any])?["status"] as? [String: Any]
                return main?["state"] as? String == "streaming" && main?["codec"] as? String == "H.265"
                    && sub?["state"] as? String == "streaming" && sub?["codec"] as? String == "H.264" && sub?["width"] as? Int == 160
            }
            let shown = try await client.json(.get, "/api/cameras/\(id)").json
            #expect(both, "\(shown)")

            // Motion analyses the sub stream.
            let motion = try await client.json(.put, "/api/cameras/\(id)/motion", #"{"enabled":true}"#)
            #expect(motion.status == .ok, "\(motion.json)")
            let analysesSub = await eventually(timeout: .seconds(60)) {
                let counters = server.motion.counters()[Int64(id)]
                return (counters?.analysed ?? 0) > 10 && counters?.width == 160 && counters?.height == 120
            }
            #expect(analysesSub, "\(String(describing: server.motion.counters()[Int64(id)]))")

            // A wall tile in a browser that decodes only H.264: the sub stream.
            let tile = try await Self.watch(client, camera: id, query: "stream=sub&codecs=h264", frames: 30)
            #expect(tile.source == "sub")
            #expect(tile.mime?.contains("avc1.") == true, "\(tile.mime ?? "no init")")
            try await Self.expectDecodes(tile, width: 160, height: 120, frames: 30)
            // The camera full size in that browser: the main stream cannot be decoded there, so the
            // sub stream it can.
            let single = try await Self.watch(client, camera: id, query: "stream=main&codecs=h264", frames: 5)
            #expect(single.source == "sub")
            // A browser that decodes H.265 gets the main stream as it came.
            let hevc = try await Self.watch(client, camera: id, query: "stream=main&codecs=h264,h265", frames: 30)
            #expect(hevc.source == "main")
            #expect(hevc.mime?.contains("hvc1.") == true || hevc.mime?.contains("hev1.") == true, "\(hevc.mime ?? "no init")")
            try await Self.expectDecodes(hevc, width: 320, height: 240, frames: 30)

            // Without a sub stream, an H.264-only browser gets the main stream converted to H.264.
            let removed = try await client.json(.patch, "/api/cameras/\(id)", #"{"subStream":null}"#)
            #expect(removed.status == .ok && removed.json["subStream"] == nil)
            _ = await eventually(timeout: .seconds(60)) { await server.recorder.status(of: Int64(id))?.state == .streaming }
            let converted = try await Self.watch(client, camera: id, query: "stream=sub&codecs=h264", frames: 30)
            #expect(converted.source == "transcoded")
            #expect(converted.mime?.contains("avc1.") == true, "\(converted.mime ?? "no init")")
            try await Self.expectDecodes(converted, width: 320, height: 240, frames: 30)
            // Recorded H.265 footage converted to H.264 on request, for players without HEVC.
            // Three seconds of one recorded run, once the index has them.
            var range = ""
            var lastListing: [String: Any] = [:]
            let indexed = try await eventually(timeout: .seconds(60)) {
                let now = Int64(Date().timeIntervalSince1970 * 90_000)
                let listing = try await client.json(.get, "/api/cameras/\(id)/recordings?start=\(Time90k.format(now - 600 * 90_000))&end=\(Time90k.format(now))").json
                lastListing = listing
                for run in listing["runs"] as? [[String: Any]] ?? [] {
                    guard let start = (run["start"] as? String).flatMap(Time90k.parse), let end = (run["end"] as? String).flatMap(Time90k.parse),
                          end - start >= 4 * 90_000 else { continue }
                    range = "start=\(Time90k.format(start + 90_000))&end=\(Time90k.format(start + 4 * 90_000))"
                    return true
                }
                return false
            }
            #expect(indexed, "\(lastListing)")
            let recorded = try await RecordingTests.PlaybackTests.get(client, "/api/cameras/\(id)/recording.mp4?\(range)")
            let recordedProbe = try await FFprobe.run(Data(recorded.bytes))
            #expect(recorded.status == .ok && recordedProbe.codec == "hevc", "\(recorded.status) \(recordedProbe)")
            let h264 = try await RecordingTests.PlaybackTests.get(client, "/api/cameras/\(id)/recording.mp4?\(range)&codec=h264")
            let h264Probe = try await FFprobe.run(Data(h264.bytes))
            #expect(h264.status == .ok && h264Probe.codec == "h264" && h264Probe.errors.isEmpty, "\(h264.status) \(h264Probe)")
            #expect(h264Probe.frames == recordedProbe.frames && h264Probe.width == 320, "\(h264Probe) against \(recordedProbe)")
            #expect(h264.headers[.contentDisposition]?.contains("-h264.mp4") == true)
            let otherCodec = try await client.json(.get, "/api/cameras/\(id)/recording.mp4?\(range)&codec=vp9")
            #expect(otherCodec.status == .unprocessableContent && "\(otherCodec.json)".contains("codec"), "\(otherCodec.json)")

            let audit = try await server.catalog.auditEntries(limit: 100)
            #expect(audit.contains { $0.action == "view.live" && $0.detail.contains("transcoded") }, "\(audit.map(\.action))")
            #expect(audit.contains { $0.action == "view.playback" && $0.detail.contains("converted to H.264") }, "\(audit.map(\.detail))")

            // Beyond the bound of conversions, a clear 503 rather than a socket that shows nothing.
            // A bad stream name is named.
            await #expect(throws: (any Error).self) {
                try await client.ws("/api/cameras/\(id)/live?stream=side", configuration: .init(additionalHeaders: adminHeaders)) { _, _, _ in
                    Issue.record("upgraded with a bad stream name")
                }
            }
            let problem = try await client.json(.get, "/api/cameras/\(id)/live?stream=side", headers: [.secWebSocketKey: "dGhlIHNhbXBsZSBub25jZQ=="])
            #expect(problem.status == .unprocessableContent && "\(problem.json)".contains("stream"), "\(problem.json)")
        }
        await server.recorder.stopAll()
        flusher.cancel()
        await server.writer.stopAll()
        await server.liveSources.transcoded.stopAll()
        _ = camera
    }

    struct Watched: Sendable {
        var mime: String?
        var source: String?
        var bytes: [UInt8] = []
        var frames = 0
    }

    /// Opens the camera's live view with `query` and keeps what arrives until `frames` fragments came.
    static func watch(_ client: some TestClientProtocol, camera: Int, query: String, frames: Int) async throws -> Watched {
        let received = Mutex(Watched())
        try await client.ws("/api/cameras/\(camera)/live?\(query)", configuration: .init(additionalHeaders: adminHeaders)) { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 4 << 20) {
                switch message {
                case .text(let text):
                    let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                    if json?["type"] as? String == "init" {
                        received.withLock {
                            $0.mime = json?["mime"] as? String
                            $0.source = json?["source"] as? String
                        }
                    }
                case .binary(let buffer):
                    let bytes = Array(buffer.readableBytesView)
                    let done = received.withLock { r -> Bool in
                        if !(bytes.count > 8 && Array(bytes[4..<8]) == Array("ftyp".utf8)) { r.frames += 1 }
                        r.bytes += bytes
                        return r.frames == frames
                    }
                    if done { try await outbound.close(.normalClosure, reason: nil); return }
                }
            }
        }
        return received.withLock { $0 }
    }

    static func expectDecodes(_ watched: Watched, width: Int, height: Int, frames: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let probe = try await FFprobe.run(Data(watched.bytes))
        #expect(probe.errors.isEmpty, "\(probe.errors.prefix(1000))", sourceLocation: sourceLocation)
        #expect(probe.frames == frames, sourceLocation: sourceLocation)
        #expect(probe.width == width && probe.height == height, "\(probe.width)×\(probe.height)", sourceLocation: sourceLocation)
    }
}
}

/// The rule that picks a viewer's stream (`LiveSources.choose`), case by case, and the wall saved
/// per user (`/api/wall`).
@Suite struct LiveChoiceAndWallTests {
    typealias R = LiveSources.Request

    @Test func theStreamChosenIsOneTheBrowserDecodes() throws {
        let h264: Set<VideoCodec> = [.h264]
        // A restricted viewer: the masked stream, whatever was asked.
        #expect(LiveSources.choose(R(stream: .sub, decodes: h264, masked: true), main: "H.265", sub: "H.264", hasSub: true) == .masked)
        // The stream asked for, when decodable; a wall tile on a camera without a sub stream: main.
        #expect(LiveSources.choose(R(stream: .sub, decodes: h264), main: "H.264", sub: "H.264", hasSub: true) == .sub)
        #expect(LiveSources.choose(R(stream: .sub, decodes: h264), main: "H.264", sub: nil, hasSub: false) == .main)
        #expect(LiveSources.choose(R(stream: .main, decodes: h264), main: "H.264", sub: "H.264", hasSub: true) == .main)
        // H.265 main in a browser without HEVC: the H.264 sub stream, else the conversion.
        #expect(LiveSources.choose(R(stream: .main, decodes: h264), main: "H.265", sub: "H.264", hasSub: true) == .sub)
        #expect(LiveSources.choose(R(stream: .main, decodes: h264), main: "H.265", sub: nil, hasSub: false) == .transcoded)
        #expect(LiveSources.choose(R(stream: .sub, decodes: h264), main: "H.265", sub: "H.265", hasSub: true) == .transcoded)
        // A sub stream not streaming yet is not chosen in place of an undecodable main.
        #expect(LiveSources.choose(R(stream: .main, decodes: h264), main: "H.265", sub: nil, hasSub: true) == .transcoded)
        // A browser that decodes both, or did not say: as asked.
        #expect(LiveSources.choose(R(stream: .main, decodes: [.h264, .h265]), main: "H.265", sub: "H.264", hasSub: true) == .main)
        #expect(LiveSources.choose(R(stream: .main, decodes: nil), main: "H.265", sub: nil, hasSub: false) == .main)
        // A codec not known yet counts as decodable.
        #expect(LiveSources.choose(R(stream: .main, decodes: h264), main: nil, sub: nil, hasSub: false) == .main)
        // Query parsing: names the browser may use, a bad stream named.
        #expect(try R.parse(stream: "sub", codecs: "avc1,hvc1,mp4a", masked: false).get() == R(stream: .sub, decodes: [.h264, .h265]))
        #expect(throws: (any Error).self) { try R.parse(stream: "side", codecs: nil, masked: false).get() }
    }

    @Test func eachViewerHasTheirOwnWallAndBadWallsAreRefusedByField() async throws {
        let server = try await makeServer()
        let operatorToken = try addUser(server, "olga", .operator)
        try await server.makeApplication().test(.router) { client in
            let fresh = try await client.json(.get, "/api/wall", token: operatorToken)
            #expect(fresh.status == .ok && fresh.json["tiles"] as? Int == 4 && fresh.json["group"] as? String == "all")
            let saved = try await client.json(.put, "/api/wall", #"{"tiles":36,"group":"district:Nord","cameras":[3,1]}"#, token: operatorToken)
            #expect(saved.status == .ok, "\(saved.json)")
            let again = try await client.json(.get, "/api/wall", token: operatorToken)
            #expect(again.json["tiles"] as? Int == 36 && again.json["group"] as? String == "district:Nord" && again.json["cameras"] as? [Int] == [3, 1])
            // Another user's wall is their own.
            #expect(try await client.json(.get, "/api/wall").json["tiles"] as? Int == 4)
            for (body, field) in [(#"{"tiles":37}"#, "tiles"), (#"{"tiles":0}"#, "tiles"), (#"{"group":"all"}"#, "tiles"),
                                  (#"{"tiles":2,"cameras":[1,2,3]}"#, "cameras"), (#"{"tiles":4,"cameras":[1.5]}"#, "cameras[0]"),
                                  (#"{"tiles":4,"group":"post:x"}"#, "group"), (#"{"tiles":4,"colour":"red"}"#, "colour")] {
                let refused = try await client.json(.put, "/api/wall", body, token: operatorToken)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect("\(refused.json["errors"] ?? "")".contains(field), "\(body): \(refused.json)")
            }
            #expect(try await client.json(.get, "/api/wall", token: operatorToken).json["tiles"] as? Int == 36)
        }
    }
}
