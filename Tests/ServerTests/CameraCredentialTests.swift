import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App
@testable import Server

/// Issue 15, class 5: camera credentials go to the camera only. Real sockets to a fake peer
/// (`scripts/fake_rtsp_service.py`) that logs every request it receives.
@Suite(.serialized) struct CameraCredentialTests {
    /// A running fake peer: its port and the requests it has received.
    final class Peer: @unchecked Sendable {
        // @unchecked: `process` and `log` are set once in init and only read afterwards.
        let process: Process
        let port: Int
        let log: String

        init(_ mode: String, _ argument: String = "") throws {
            log = temporaryDirectory() + "/requests.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/fake_rtsp_service.py").path
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script, mode, log] + (argument.isEmpty ? [] : [argument])
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // The first line is the port; reading it waits for the peer to listen.
            var text = ""
            while !text.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        /// Starts a peer on a thread of its own (see ``offPool(_:)``): the start waits for a Python
        /// process to listen, which on a busy machine takes seconds.
        static func started(_ mode: String, _ argument: String = "") async throws -> Peer {
            try await offPool { try Peer(mode, argument) }
        }

        var requests: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func stop() {
            // SIGKILL: a child of a process that ignores SIGTERM inherits that.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static let basic = "Basic " + Data("admin:s3cret-camera-pass".utf8).base64EncodedString()

    @Test func theConnectionTestSendsTheStoredPasswordOnlyToTheCamerasOwnAddress() async throws {
        let camera = try await Peer.started("challenge"), elsewhere = try await Peer.started("challenge")
        defer { camera.stop(); elsewhere.stop() }
        let server = try await makeServer()
        let stored = try await server.catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://127.0.0.1:\(camera.port)/main", username: "admin",
                                                            password: "s3cret-camera-pass", latitude: 1, longitude: 2))
        try await Application(router: server.makeRouter()).test(.router) { client in
            // Another address with the stored camera: refused before any connection, naming the field.
            let other = try await client.json(.post, "/api/cameras/test", #"{"camera": \#(stored.id), "rtspUrl": "rtsp://127.0.0.1:\#(elsewhere.port)/main", "timeoutSeconds": 3}"#)
            #expect(other.status == .unprocessableContent, "\(other.json)")
            #expect((other.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "camera")
            // Its own address: the stored password is used (and refused by this fake camera).
            let own = try await client.json(.post, "/api/cameras/test", #"{"camera": \#(stored.id), "rtspUrl": "rtsp://127.0.0.1:\#(camera.port)/main", "timeoutSeconds": 30}"#)
            #expect(own.status == .ok && own.json["ok"] as? Bool == false)
        }
        #expect(!elsewhere.requests.contains(Self.basic), "the stored password reached another address:\n\(elsewhere.requests)")
        #expect(camera.requests.contains(Self.basic), "the camera itself never got its password:\n\(camera.requests)")
    }

    @Test func aRedirectToAnotherHostOrPortCarriesNoCredentials() async throws {
        let target = try await Peer.started("challenge")
        let camera = try await Peer.started("redirect", String(target.port))
        defer { camera.stop(); target.stop() }
        let server = try await makeServer()
        let stored = try await server.catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://127.0.0.1:\(camera.port)/main", username: "admin",
                                                            password: "s3cret-camera-pass", latitude: 1, longitude: 2))
        try await Application(router: server.makeRouter()).test(.router) { client in
            let r = try await client.json(.post, "/api/cameras/test", #"{"camera": \#(stored.id), "rtspUrl": "rtsp://127.0.0.1:\#(camera.port)/main", "timeoutSeconds": 30}"#)
            #expect(r.json["ok"] as? Bool == false)
            #expect((r.json["error"] as? String ?? "").contains("only to its own address"), "\(r.json)")
        }
        #expect(target.requests.contains("/elsewhere RTSP/1.0"), "the redirect was not followed:\n\(target.requests)")
        #expect(!target.requests.contains("Authorization"), "credentials followed the redirect:\n\(target.requests)")
    }

    @Test func whatAServiceThatIsNotACameraAnswersIsNotEchoed() async throws {
        let service = try await Peer.started("banner")
        defer { service.stop() }
        let server = try await makeServer()
        try await Application(router: server.makeRouter()).test(.router) { client in
            let r = try await client.json(.post, "/api/cameras/test", #"{"rtspUrl": "rtsp://127.0.0.1:\#(service.port)/", "timeoutSeconds": 3}"#)
            #expect(r.json["ok"] as? Bool == false)
            let error = r.json["error"] as? String ?? ""
            #expect(!error.contains("SECRET-BANNER") && !error.contains("OpenSSH"), "\(error)")
        }
    }
}
