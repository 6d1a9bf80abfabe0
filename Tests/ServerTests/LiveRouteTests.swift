import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import Logging
import Simulator
import Synchronization
import Testing
import WSClient

@testable import App
@testable import Server

/// `GET /api/cameras/{id}/live` over a real WebSocket: what a browser's Media Source Extensions
/// would receive, checked with ffprobe; and the upgrade refused without the right to watch.
@Suite(.serialized) struct LiveRouteTests {
    @Test func liveViewSendsAnInitSegmentThenFragmentsFromAKeyFrame() async throws {
        var spec = RecordingTests.spec()
        spec.gopFrames = 25
        let simulator = try await CameraSimulator.make(cameras: 1, base: spec)
        let port = try await simulator.start(port: 0)
        let server = try await RecordingTests.makeRecordingServer()
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        await server.recorder.update(camera)
        let analystToken = try addUser(server, "ana", .analyst)
        let router = server.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        let received = Received()
        try await app.test(.live) { client in
            try await client.ws("/api/cameras/\(camera.id)/live", configuration: .init(additionalHeaders: adminHeaders)) { inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 4 << 20) {
                    switch message {
                    case .text(let text):
                        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                        #expect(json?["type"] as? String == "init")
                        received.withLock { $0.mime = json?["mime"] as? String }
                    case .binary(let buffer):
                        let bytes = Array(buffer.readableBytesView)
                        let done = received.withLock { r -> Bool in
                            let isInit = bytes.count > 8 && Array(bytes[4..<8]) == Array("ftyp".utf8)
                            if !isInit {
                                r.frames += 1
                                if r.firstKey == nil { r.firstKey = Self.isKeyFragment(bytes) }
                            }
                            r.bytes += bytes
                            return r.frames == 40
                        }
                        if done { try await outbound.close(.normalClosure, reason: nil); return }
                    }
                }
            }
            // Without a credential, with a role that may not watch, or from another site: no upgrade.
            for headers: HTTPFields in [[:], [.authorization: "Bearer \(analystToken)"], adminHeaders + [.origin: "https://evil.example"]] {
                await #expect(throws: (any Error).self) {
                    try await client.ws("/api/cameras/\(camera.id)/live", configuration: .init(additionalHeaders: headers)) { _, _, _ in
                        Issue.record("upgraded with \(headers)")
                    }
                }
            }
            // A plain GET is told that this is a WebSocket.
            let plain = try await client.json(.get, "/api/cameras/\(camera.id)/live")
            #expect(plain.status == .badRequest)
        }
        await server.recorder.stopAll()
        await simulator.stop()
        let r = received.withLock { $0 }
        #expect(r.mime?.hasPrefix("video/mp4; codecs=\"avc1.") == true, "\(r.mime ?? "no init")")
        #expect(r.firstKey == true)
        let probe = try await FFprobe.run(Data(r.bytes))
        #expect(probe.errors.isEmpty, "\(probe.errors.prefix(1000))")
        #expect(probe.frames == 40)
        #expect(probe.width == 320 && probe.height == 240)
        // The view is on record.
        let audit = try await server.catalog.auditEntries(limit: 100).map(\.action)
        #expect(audit.contains("view.live"), "\(audit)")
    }

    final class Received: Sendable {
        struct Value { var mime: String?; var bytes: [UInt8] = []; var frames = 0; var firstKey: Bool? }
        let value = Mutex(Value())
        func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try value.withLock { try body(&$0) } }
    }

    /// The `trun` sample flags of a one-sample fragment say whether it is a sync sample.
    static func isKeyFragment(_ bytes: [UInt8]) -> Bool? {
        guard let trun = bytes.indices.dropLast(4).first(where: { Array(bytes[$0..<$0 + 4]) == Array("trun".utf8) }) else { return nil }
        // trun: type, version+flags (4), sample_count (4), data_offset (4), then per sample: duration, size, flags.
        let flagsAt = trun + 4 + 4 + 4 + 4 + 4 + 4
        guard flagsAt + 4 <= bytes.count else { return nil }
        return bytes[flagsAt] & 0x01 == 0 && bytes[flagsAt + 1] & 0x01 == 0
    }
}

/// `GET /api/live`: every tile of a wall on one WebSocket (docs/live.md, "The wall's socket"),
/// with real simulated cameras: each tile's messages, taken apart by their tag, are a stream
/// ffprobe decodes at the size of the stream asked for; bad messages are answered by field and
/// leave the socket serving; a bound reached says why instead of failing the upgrade.
@Suite(.serialized) struct LiveWallSocketTests {
    /// Reads a wall socket's messages: text ones as JSON, binary ones split into tile and bytes.
    final class Wall: @unchecked Sendable {  // its value behind a lock
        struct Value {
            var texts: [[String: Any]] = []
            var streams: [Int: [UInt8]] = [:]
            var fragments: [Int: Int] = [:]
            var firstKey: [Int: Bool] = [:]
        }
        private var value = Value()
        private let lock = NSLock()
        func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
            lock.lock()
            defer { lock.unlock() }
            return try body(&value)
        }

        func take(_ message: WebSocketMessage) {
            switch message {
            case .text(let text):
                let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? ["unreadable": text]
                withLock { $0.texts.append(json) }
            case .binary(let buffer):
                let bytes = Array(buffer.readableBytesView)
                guard bytes.count > 2 else { return }
                let tile = Int(bytes[0]) << 8 | Int(bytes[1])
                let body = Array(bytes[2...])
                let isInit = body.count > 8 && Array(body[4..<8]) == Array("ftyp".utf8)
                withLock { v in
                    v.streams[tile, default: []] += body
                    if !isInit {
                        v.fragments[tile, default: 0] += 1
                        if v.firstKey[tile] == nil { v.firstKey[tile] = LiveRouteTests.isKeyFragment(body) }
                    }
                }
            }
        }

        /// The first text message since `index` that `matches`, reading `inbound` until it comes.
        func until(_ inbound: inout WebSocketInboundMessageStream.AsyncIterator, from index: Int = 0,
                   _ matches: ([String: Any]) -> Bool) async throws -> [String: Any]? {
            while true {
                if let found = withLock({ $0.texts.dropFirst(index).first(where: matches) }) { return found }
                guard let message = try await inbound.next() else { return nil }
                take(message)
            }
        }

        func untilFragments(_ inbound: inout WebSocketInboundMessageStream.AsyncIterator, _ counts: [Int: Int]) async throws -> Bool {
            while !withLock({ v in counts.allSatisfy { (v.fragments[$0.key] ?? 0) >= $0.value } }) {
                guard let message = try await inbound.next() else { return false }
                take(message)
            }
            return true
        }

        var count: Int { withLock { $0.texts.count } }
    }

    static func add(_ tile: Int, _ camera: Int64, stream: String = "sub", codecs: String = "h264", start: String? = nil) -> String {
        #"{"type":"add","tile":\#(tile),"camera":\#(camera),"stream":"\#(stream)","codecs":"\#(codecs)"\#(start.map { #","start":"\#($0)""# } ?? "")}"#
    }

    static func withCameras(_ count: Int, codec: SimCodec = .h264, subStreams: Bool,
                            configure: (inout ServerConfiguration) -> Void = { _ in },
                            _ body: @escaping @Sendable (AulaApp, [Camera], any TestClientProtocol) async throws -> Void) async throws {
        var spec = RecordingTests.spec(codec: codec)
        spec.gopFrames = 25
        let simulator = try await CameraSimulator.make(cameras: count, base: spec, subStreams: subStreams)
        let port = try await simulator.start(port: 0)
        let server = try await RecordingTests.makeRecordingServer(configure: configure)
        try await server.startRecorder()
        var cameras: [Camera] = []
        for n in 1...count {
            let camera = try await server.catalog.insert(.init(name: "Yard \(n)", rtspURL: "rtsp://127.0.0.1:\(port)/sim/\(n)", latitude: 1, longitude: 2,
                                                               subStream: subStreams ? CameraStream(rtspURL: "rtsp://127.0.0.1:\(port)/sim/\(n)/sub") : nil))
            await server.recorder.update(camera)
            cameras.append(camera)
        }
        let router = server.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        let all = cameras
        try await app.test(.live) { client in try await body(server, all, client) }
        await server.recorder.stopAll()
        await simulator.stop()
    }

    @Test(.timeLimit(.minutes(3))) func everyTileOfTheWallComesTaggedOnOneSocket() async throws {
        try await Self.withCameras(2, subStreams: true) { server, cameras, client in
            let wall = Wall()
            try await client.ws("/api/live", configuration: .init(additionalHeaders: adminHeaders)) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 4 << 20).makeAsyncIterator()
                // A wall tile (sub stream) and a camera full size (main stream), and one camera twice.
                try await outbound.write(.text(Self.add(0, cameras[0].id)))
                try await outbound.write(.text(Self.add(5, cameras[1].id, stream: "main")))
                try await outbound.write(.text(Self.add(7, cameras[1].id, start: "key-frame")))
                #expect(try await wall.untilFragments(&messages, [0: 30, 5: 30, 7: 5]))
                try await outbound.close(.normalClosure, reason: nil)
            }
            let v = wall.withLock { $0 }
            let inits = v.texts.filter { $0["type"] as? String == "init" }
            #expect(Set(inits.compactMap { $0["tile"] as? Int }) == [0, 5, 7], "\(v.texts)")
            #expect(inits.first { $0["tile"] as? Int == 0 }?["source"] as? String == "sub")
            #expect(inits.first { $0["tile"] as? Int == 5 }?["source"] as? String == "main")
            #expect(v.firstKey == [0: true, 5: true, 7: true])
            for (tile, size) in [(0, (160, 120)), (5, (320, 240)), (7, (160, 120))] {
                let probe = try await FFprobe.run(Data(v.streams[tile] ?? []))
                #expect(probe.errors.isEmpty, "tile \(tile): \(probe.errors.prefix(1000))")
                #expect(probe.frames == v.fragments[tile], "tile \(tile)")
                #expect(probe.width == size.0 && probe.height == size.1, "tile \(tile): \(probe.width)x\(probe.height)")
            }
            // Each camera is a view on record, and every place and subscription is given back.
            var audit = try await server.catalog.auditEntries(limit: 100).filter { $0.action == "view.live" }
            for _ in 0..<40 where audit.count < 3 {
                audit = try await server.catalog.auditEntries(limit: 100).filter { $0.action == "view.live" }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(audit.count == 3, "\(audit.map(\.target))")
            #expect(try await Self.released(server, cameras))
        }
    }

    /// Every subscription and live-view place given back after the socket closed (no leak).
    static func released(_ server: AulaApp, _ cameras: [Camera]) async throws -> Bool {
        for _ in 0..<40 {
            if server.http.liveSockets.count == 0, !cameras.contains(where: { server.liveSources.isWatched(camera: $0.id) }) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test(.timeLimit(.minutes(3))) func badMessagesAreAnsweredByFieldAndTheSocketServesOn() async throws {
        try await Self.withCameras(1, subStreams: true) { server, cameras, client in
            let wall = Wall()
            let id = cameras[0].id
            let closed = Mutex<Bool>(false)
            try await client.ws("/api/live", configuration: .init(additionalHeaders: adminHeaders)) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 4 << 20).makeAsyncIterator()
                let bad: [(String, String)] = [
                    ("not json", "message"), ("[1, 2]", "message"), (#"{"type": "add", "tile": 0, "camera": 999999}"#, "camera"),
                    (#"{"type": "add", "tile": 36, "camera": \#(id)}"#, "tile"), (#"{"type": "add", "tile": -1, "camera": \#(id)}"#, "tile"),
                    (#"{"type": "add", "tile": 0.5, "camera": \#(id)}"#, "tile"), (#"{"type": "add", "tile": 0, "camera": "1"}"#, "camera"),
                    (#"{"type": "add", "tile": 0}"#, "camera"), (#"{"type": "add", "tile": 0, "camera": \#(id), "stream": "huge"}"#, "stream"),
                    (#"{"type": "add", "tile": 0, "camera": \#(id), "codecs": "\#(String(repeating: "h264,", count: 60))"}"#, "codecs"),
                    (#"{"type": "add", "tile": 0, "camera": \#(id), "start": "yesterday"}"#, "start"),
                    (#"{"type": "add", "tile": 0, "camera": \#(id), "cameras": [1, 2, 3]}"#, "cameras"),
                    (#"{"type": "dance", "tile": 0}"#, "type"), (#"{"tile": 0}"#, "type"), (#"{"type": "remove"}"#, "tile"),
                    (#"{"type": "remove", "tile": "all"}"#, "tile"),
                ]
                for (text, field) in bad {
                    let from = wall.count
                    try await outbound.write(.text(text))
                    let answer = try await wall.until(&messages, from: from) { $0["type"] as? String == "error" }
                    #expect(answer?["field"] as? String == field, "\(text): \(answer ?? [:])")
                }
                var from = wall.count
                try await outbound.write(.binary(ByteBuffer(bytes: [1, 2, 3])))
                #expect(try await wall.until(&messages, from: from) { $0["type"] as? String == "error" }?["field"] as? String == "message")
                // A tile shown, the same tile asked again, the same camera in another tile.
                try await outbound.write(.text(Self.add(1, id)))
                #expect(try await wall.until(&messages) { $0["type"] as? String == "init" && $0["tile"] as? Int == 1 } != nil)
                from = wall.count
                try await outbound.write(.text(Self.add(1, id)))
                #expect(try await wall.until(&messages, from: from) { $0["type"] as? String == "error" }?["field"] as? String == "tile")
                try await outbound.write(.text(Self.add(2, id)))
                #expect(try await wall.until(&messages) { $0["type"] as? String == "init" && $0["tile"] as? Int == 2 } != nil)
                // A thousand add/remove messages at once: told to slow down, and the tiles go on.
                from = wall.count
                for _ in 0..<500 {
                    try await outbound.write(.text(Self.add(3, id)))
                    try await outbound.write(.text(#"{"type": "remove", "tile": 3}"#))
                }
                let slow = try await wall.until(&messages, from: from) { $0["type"] as? String == "error" && $0["field"] as? String == "type" }
                #expect((slow?["message"] as? String)?.contains("messages a second") == true, "\(slow ?? [:])")
                try await Task.sleep(for: .seconds(1))
                try await outbound.write(.text(#"{"type": "remove", "tile": 3}"#))
                try await outbound.write(.text(Self.add(4, id)))
                #expect(try await wall.until(&messages) { $0["type"] as? String == "init" && $0["tile"] as? Int == 4 } != nil)
                let before = wall.withLock { $0.fragments }
                #expect(try await wall.untilFragments(&messages, [1: (before[1] ?? 0) + 10, 2: (before[2] ?? 0) + 10, 4: 10]))
                // A message beyond the limit closes the socket, saying why.
                try await outbound.write(.text(String(repeating: " ", count: 10_000)))
                do { while let message = try await messages.next() { wall.take(message) } } catch {}
                closed.withLock { $0 = true }
            }
            #expect(closed.withLock { $0 })
            #expect(try await Self.released(server, cameras))
        }
    }

    /// Issue 19: an H.265 camera without a sub stream needs a conversion for this browser; with
    /// the server's conversions all in use, the tile is told why and when to ask again (the
    /// single-camera socket's 503 is a body a browser's WebSocket cannot read).
    @Test(.timeLimit(.minutes(3))) func aRefusedConversionSaysWhyAndAskingAgainLaterWorks() async throws {
        try await Self.withCameras(2, codec: .h265, subStreams: false, configure: { $0.maxTranscodedLiveCameras = 1 }) { server, cameras, client in
            // Both cameras known to send H.265 first (an unknown codec counts as decodable).
            for _ in 0..<100 {
                let (a, _, _) = await server.recorder.codecs(of: cameras[0].id)
                let (b, _, _) = await server.recorder.codecs(of: cameras[1].id)
                if a != nil && b != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let wall = Wall()
            try await client.ws("/api/live", configuration: .init(additionalHeaders: adminHeaders)) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 4 << 20).makeAsyncIterator()
                try await outbound.write(.text(Self.add(0, cameras[0].id)))
                let first = try await wall.until(&messages) { $0["tile"] as? Int == 0 && $0["type"] as? String != "frame" }
                #expect(first?["source"] as? String == "transcoded", "\(first ?? [:])")
                try await outbound.write(.text(Self.add(1, cameras[1].id)))
                let refused = try await wall.until(&messages) { $0["tile"] as? Int == 1 }
                #expect(refused?["type"] as? String == "ended" && refused?["reason"] as? String == "transcode-limit", "\(refused ?? [:])")
                #expect(refused?["retry"] as? Int == 30)
                #expect((refused?["message"] as? String)?.contains("H.264 sub stream") == true)
                // The first tile goes on meanwhile; once it is removed the second is served.
                #expect(try await wall.untilFragments(&messages, [0: 10]))
                try await outbound.write(.text(#"{"type": "remove", "tile": 0}"#))
                for _ in 0..<50 where server.liveSources.transcoded.isWatched(camera: cameras[0].id) { try await Task.sleep(for: .milliseconds(100)) }
                let from = wall.count
                try await outbound.write(.text(Self.add(1, cameras[1].id)))
                let served = try await wall.until(&messages, from: from) { $0["tile"] as? Int == 1 }
                #expect(served?["type"] as? String == "init" && served?["source"] as? String == "transcoded", "\(served ?? [:])")
                #expect(try await wall.untilFragments(&messages, [1: 10]))
                try await outbound.close(.normalClosure, reason: nil)
            }
            let stream = wall.withLock { $0.streams[1] ?? [] }
            let probe = try await FFprobe.run(Data(stream))
            #expect(probe.errors.isEmpty && probe.width == 320, "\(probe.errors.prefix(500)) \(probe.width)")
        }
    }
}
