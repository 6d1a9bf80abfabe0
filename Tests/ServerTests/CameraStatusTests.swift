import Foundation
import Hummingbird
import HummingbirdTesting
import RTSP
import Simulator
import Testing

@testable import App
@testable import Server

/// The live status of cameras, driven by real RTSP sessions against the simulator.
@Suite struct CameraStatusTests {
    static func spec() -> SceneSpec {
        var spec = SceneSpec()
        spec.width = 320
        spec.height = 240
        spec.bitRate = 300_000
        spec.loopSeconds = 2
        return spec
    }

    @Test func streamingFailedAndUnreachableCameras() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: Self.spec(), credentials: Credentials(username: "admin", password: "right"))
        let rtspPort = try await simulator.start(port: 0)
        let server = try await makeServer()
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            func create(_ name: String, _ url: String, password: String?) async throws -> Int {
                let pw = password.map { #", "username": "admin", "password": "\#($0)""# } ?? ""
                let r = try await client.json(.post, "/api/cameras", #"{"name": "\#(name)", "rtspUrl": "\#(url)", "location": {"lat": 1, "lon": 2}\#(pw)}"#)
                return try #require(r.json["id"] as? Int)
            }
            let good = try await create("good", "rtsp://127.0.0.1:\(rtspPort)/sim/1", password: "right")
            let wrong = try await create("wrong", "rtsp://127.0.0.1:\(rtspPort)/sim/1", password: "bad")
            let missing = try await create("missing", "rtsp://127.0.0.1:\(rtspPort)/sim/7", password: "right")
            let dead = try await create("dead", "rtsp://127.0.0.1:1/x", password: nil)

            func status(_ id: Int) async throws -> [String: Any] {
                try await client.json(.get, "/api/cameras/\(id)").json["status"] as? [String: Any] ?? [:]
            }
            let streamed = try await eventually {
                let s = try await status(good)
                return s["state"] as? String == "streaming" && (s["framesReceived"] as? Int ?? 0) >= 60 && s["fps"] != nil
            }
            #expect(streamed)
            let s = try await status(good)
            #expect(s["codec"] as? String == "H.264")
            #expect(s["width"] as? Int == 320)
            #expect(s["height"] as? Int == 240)
            #expect(abs((s["fps"] as? Double ?? 0) - 25) < 3)
            #expect((s["bitrate"] as? Int ?? 0) > 50_000)
            #expect(s["gaps"] as? Int == 0)
            #expect(s["lastFrameTime"] as? String != nil)

            #expect(try await eventually { try await status(wrong)["state"] as? String == "failed" })
            #expect(try await status(wrong)["lastError"] as? String == "the camera refused the password for user \"admin\"")
            #expect(try await eventually { try await status(missing)["state"] as? String == "failed" })
            #expect(try await status(missing)["lastError"] as? String == "the camera has no stream at /sim/7")
            #expect(try await eventually { try await status(dead)["state"] as? String == "retrying" })
            #expect(try await status(dead)["lastError"] as? String == "nothing answers at 127.0.0.1:1 (connection refused)")

            // Fixing the password through the API restarts the session, which then streams.
            _ = try await client.json(.patch, "/api/cameras/\(wrong)", #"{"password": "right"}"#)
            #expect(try await eventually { try await status(wrong)["state"] as? String == "streaming" })
        }
        await server.recorder.stopAll()
        await simulator.stop()
    }
}
