import APIInput
import AulaSecurity
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Recorder
import Testing

@testable import App
@testable import Server

extension RecordingTests {
/// Signed evidence export of real recorded video, checked with tar, ffprobe and `aula verify`;
/// evidence locks against retention. Nested in ``RecordingTests`` so that it takes turns with the
/// other tests that record from a simulator, rather than adding to their load.
@Suite struct EvidenceTests {
    static func runRange(_ server: AulaApp, camera: Int) async throws -> (start: String, end: String) {
        let recordings = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        let first = try #require(recordings.first), last = try #require(recordings.last)
        return (Time90k.format(first.start90k), Time90k.format(last.end90k))
    }

    @discardableResult
    /// Runs a tool and waits for it on a thread of its own (see ``offPool(_:)``).
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil) async throws -> (status: Int32, output: String) {
        try await offPool { try runBlocking(executable, arguments, in: directory) }
    }

    static func runBlocking(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(2))) func signedExportVerifiesOfflineAndTamperingIsDetected() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 5)
        let (start, end) = try await Self.runRange(server, camera: camera)
        let folder = temporaryDirectory()
        let package = try await Application(router: server.makeRouter()).test(.router) { client in
            let missing = try await client.json(.post, "/api/cameras/\(camera)/evidence", #"{"start": "\#(start)"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect((missing.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "end")
            let backwards = try await client.json(.post, "/api/cameras/\(camera)/evidence", #"{"start": "\#(end)", "end": "\#(start)"}"#)
            #expect((backwards.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "end")
            return try await client.execute(uri: "/api/cameras/\(camera)/evidence", method: .post, headers: adminHeaders + [.contentType: "application/json"],
                                            body: ByteBuffer(string: #"{"start": "\#(start)", "end": "\#(end)"}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-tar")
                return [UInt8](response.body.readableBytesView)
            }
        }
        let file = folder + "/evidence.tar"
        try Data(package).write(to: URL(fileURLWithPath: file))

        // Independent readers: tar unpacks it, ffprobe plays the clip.
        #expect(try await Self.run("/usr/bin/tar", ["-xf", file], in: folder).status == 0)
        let verified = try EvidencePackage.verify(package, trustedKey: EvidencePackage.parseKeyHex(server.signer.publicKeyHex)!)
        let m = verified.manifest
        #expect(m.cameraID == Int64(camera) && m.cameraName == "Yard" && m.exportedBy == "test-admin")
        #expect(m.start == start && m.end == end)
        let clip = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + m.mediaFile))
        #expect(EvidencePackage.sha256Hex([UInt8](clip)) == m.mediaSHA256)
        let probe = try await Self.run("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", folder + "/" + m.mediaFile])
        #expect(probe.status == 0 && probe.output.hasPrefix("h264,"), "\(probe.output)")

        // The real command, offline, with the server's key from its data folder.
        let aula = DemoCommandTests.binary
        let good = try await Self.run(aula, ["verify", file, "--data", server.configuration.dataDirectory])
        #expect(good.status == 0 && good.output.hasPrefix("VALID"), "\(good.output)")

        // One flipped bit in the clip.
        var tampered = package
        let clipOffset = package.count - 1024 - Tar.padding(after: m.mediaBytes).count - m.mediaBytes
        tampered[clipOffset + m.mediaBytes / 2] ^= 0x01
        try Data(tampered).write(to: URL(fileURLWithPath: folder + "/tampered.tar"))
        let bad = try await Self.run(aula, ["verify", folder + "/tampered.tar", "--data", server.configuration.dataDirectory])
        #expect(bad.status == 1 && bad.output.contains("INVALID") && bad.output.contains("clip was altered"), "\(bad.output)")

        // The right package checked against another key.
        let other = try EvidenceSigner(keyFile: temporaryDirectory() + "/other.key")
        let wrongKey = try await Self.run(aula, ["verify", file, "--public-key", other.publicKeyHex])
        #expect(wrongKey.status == 1 && wrongKey.output.contains("signature"), "\(wrongKey.output)")

        let audit = try await server.catalog.auditEntries().filter { $0.action == "export.evidence" }
        #expect(audit.count == 1)
        #expect(audit.first?.detail.contains(m.mediaSHA256) == true)
    }

    @Test(.timeLimit(.minutes(2))) func evidenceLockKeepsFootagePastRetentionUntilUnlocked() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 6)
        let before = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(before.count >= 3)
        let locked = before[0]
        let operatorToken = try addUser(server, "opi", .operator)
        let lockID = try await Application(router: server.makeRouter()).test(.router) { client in
            let bad = try await client.json(.post, "/api/evidence-locks", #"{"camera": -1, "start": "x"}"#, token: operatorToken)
            #expect(Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }) == ["camera", "reason", "start", "end"])
            let body = #"{"camera": \#(camera), "start": "\#(Time90k.format(locked.start90k + locked.duration90k / 4))", "end": "\#(Time90k.format(locked.start90k + locked.duration90k / 2))", "reason": "incident 42"}"#
            let created = try await client.json(.post, "/api/evidence-locks", body, token: operatorToken)
            #expect(created.status == .created)
            return try #require(created.json["id"] as? Int)
        }
        var enforcer = RetentionEnforcer(store: server.catalog, layout: server.writer.layout, policy: RetentionPolicy(defaultMaxAgeSeconds: 1), logger: Logger(label: "test"))
        enforcer.locks = server.catalog
        let farFuture = before.last!.end90k + 90_000 * 86_400
        try await enforcer.enforce(now90k: farFuture)
        let kept = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2).map(\.id)
        #expect(kept == [locked.id, before.last!.id], "the locked recording and the newest stay: \(before.map { ($0.id, $0.start90k, $0.end90k) })")
        #expect(FileManager.default.fileExists(atPath: server.writer.layout.path(camera: Int64(camera), recording: locked.id)))

        try await Application(router: server.makeRouter()).test(.router) { client in
            let refused = try await client.json(.delete, "/api/evidence-locks/\(lockID)", token: operatorToken)
            #expect(refused.status == .forbidden, "only administrators unlock")
            let unlocked = try await client.json(.delete, "/api/evidence-locks/\(lockID)")
            #expect(unlocked.status == .noContent)
        }
        try await enforcer.enforce(now90k: farFuture)
        #expect(try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2).map(\.id) == [before.last!.id])
        let actions = try await server.catalog.auditEntries().map(\.action)
        #expect(actions.contains("evidence.lock") && actions.contains("evidence.unlock"))
    }
}
}
