import Foundation

/// A peer that could not be started, with what it said.
public struct TestPeerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The PostgreSQL server the tests talk to: the one `AULA_TEST_POSTGRES` names (scripts/test.sh
/// starts one for the whole run), or else one this process starts with
/// `scripts/postgres_test_server.sh` and stops when it exits. A server that cannot start fails
/// every PostgreSQL test with the reason; nothing is skipped.
public enum TestPostgres {
    /// Started once, on a thread of its own, awaited by every test that needs it. (The script runs
    /// through `popen`/`system`, not Foundation's `Process`: `waitUntilExit` needs a thread of the
    /// global queues that waiting tests may hold, and the server, started from a `Process`,
    /// inherits the ends of its pipes, so that reading them to the end never ends.)
    public static let url = Task<String, any Error> {
        if let url = ProcessInfo.processInfo.environment["AULA_TEST_POSTGRES"], !url.isEmpty { return url }
        let (url, folder) = try await startServer()
        stopCommand = strdup("/bin/bash '\(script)' stop '\(folder)' >/dev/null 2>&1")
        atexit { if let command = TestPostgres.stopCommand { _ = system(command) } }
        return url
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/postgres_test_server.sh").path

    /// A server of the caller's own (for a test that stops and starts it): its URL and folder.
    /// The caller stops it with ``control(_:_:)`` (`stop`).
    public static func startServer() async throws -> (url: String, folder: String) {
        let output = try await control("start")
        let parts = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 2 else { throw TestPeerError("scripts/postgres_test_server.sh start printed: \(output)") }
        return (String(parts[0]), String(parts[1]))
    }

    /// Runs `scripts/postgres_test_server.sh COMMAND [FOLDER]` (start, stop, pause, resume) on a
    /// thread of its own and returns what it printed.
    @discardableResult
    public static func control(_ command: String, _ folder: String? = nil) async throws -> String {
        let line = "/bin/bash '\(script)' \(command)" + (folder.map { " '\($0)'" } ?? "") + " 2>&1"
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                guard let pipe = popen(line, "r") else {
                    continuation.resume(throwing: TestPeerError("popen failed: errno \(errno)"))
                    return
                }
                var text = ""
                var buffer = [CChar](repeating: 0, count: 4096)
                while fgets(&buffer, Int32(buffer.count), pipe) != nil { text += String(cString: buffer) }
                let status = pclose(pipe)
                guard status == 0 else {
                    continuation.resume(throwing: TestPeerError("scripts/postgres_test_server.sh \(command) failed (\(status)): \(text)"))
                    return
                }
                continuation.resume(returning: text)
            }
        }
    }

    /// Set once, before `atexit` can read it.
    nonisolated(unsafe) static var stopCommand: UnsafeMutablePointer<CChar>?

    /// The URL of a new, empty schema in the test server's database (`?schema=` makes it on
    /// first use): each test sees its own catalogue.
    public static func freshSchemaURL() async throws -> String {
        let base = try await url.value
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return base + (base.contains("?") ? "&" : "?") + "schema=\(name)&pool=4"
    }
}
