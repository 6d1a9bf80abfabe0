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
