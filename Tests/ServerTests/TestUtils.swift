import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Recorder
import Server

/// A fresh data folder per test.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "aula-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A server on a fresh data folder, with a recorder that retries quickly.
func makeServer() throws -> AulaServer {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return try AulaServer(configuration: ServerConfiguration(dataDirectory: temporaryDirectory()), logger: logger)
}

extension TestClientProtocol {
    func json(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil) async throws -> (status: HTTPResponse.Status, json: [String: Any], array: [[String: Any]], headers: HTTPFields) {
        try await execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) }) { response in
            let data = Data(response.body.readableBytesView)
            let parsed = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
            return (response.status, parsed as? [String: Any] ?? [:], parsed as? [[String: Any]] ?? [], response.headers)
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return false
}
