import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import App
@testable import Server

/// Collects every log line (message and metadata) at trace level.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    func handler(label: String) -> some LogHandler { Handler(log: self) }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            log.lines.withLock { $0.append("\(level) \(message) \(all)") }
        }
    }
}

@Suite struct SecretsInLogsTests {
    /// Passwords, tokens and session ids appear in no log line, response or audit entry.
    @Test func secretsStayOutOfLogsResponsesAndTheAuditTrail() async throws {
        let captured = CapturedLog()
        var logger = Logger(label: "capture") { captured.handler(label: $0) }
        logger.logLevel = .trace
        var configuration = ServerConfiguration(dataDirectory: temporaryDirectory())
        configuration.auth = testAuthConfiguration()
        let server = try await openApp(configuration: configuration, logger: logger)
        try addTestAdministrator(to: server)
        var seen: [String] = []
        try await Application(router: server.makeRouter(), logger: logger).test(.router) { client in
            var answers: [String] = []
            let camera = try await client.json(.post, "/api/cameras", #"{"name": "G", "rtspUrl": "rtsp://admin:cam-secret-1@127.0.0.1:1/x", "location": {"lat": 1, "lon": 2}}"#)
            answers.append("\(camera.json)")
            let user = try await client.json(.post, "/api/users", #"{"name": "ann", "role": "operator", "password": "user-secret-22"}"#)
            answers.append("\(user.json)")
            answers.append("\(try await client.json(.post, "/api/session", #"{"name": "ann", "password": "wrong-secret-333"}"#, token: nil).json)")
            let signIn = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "user-secret-22"}"#, token: nil)
            answers.append("\(signIn.json)")
            answers.append("\(try await client.json(.get, "/api/users").array)")
            answers.append("\(try await client.json(.get, "/api/audit").array)")
            return answers
        }.forEach { seen.append($0) }
        let logs = captured.lines.withLock { $0 }.joined(separator: "\n")
        #expect(!logs.isEmpty)
        let audit = try await server.catalog.auditEntries().map { "\($0)" }.joined(separator: "\n")
        for secret in ["cam-secret-1", "user-secret-22", "wrong-secret-333", testAdminToken, "$2"] {
            #expect(!logs.contains(secret), "log holds \(secret)")
            #expect(!audit.contains(secret), "audit holds \(secret)")
            #expect(!seen.joined().contains(secret), "a response holds \(secret)")
        }
    }
}
