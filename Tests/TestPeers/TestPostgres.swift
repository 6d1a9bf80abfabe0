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
    /// through `popen`/`system`, not Foundation's `Process`, whose `waitUntilExit` needs a thread of
    /// the global queues that the waiting tests would be holding.)
    public static let url = Task<String, any Error> {
        if let url = ProcessInfo.processInfo.environment["AULA_TEST_POSTGRES"], !url.isEmpty { return url }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres_test_server.sh").path
        let output: String = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                guard let pipe = popen("/bin/bash '\(script)' start 2>&1", "r") else {
                    continuation.resume(throwing: TestPeerError("popen failed: errno \(errno)"))
                    return
                }
                var text = ""
                var buffer = [CChar](repeating: 0, count: 4096)
                while fgets(&buffer, Int32(buffer.count), pipe) != nil { text += String(cString: buffer) }
                let status = pclose(pipe)
                guard status == 0 else {
                    continuation.resume(throwing: TestPeerError("scripts/postgres_test_server.sh start failed (\(status)): \(text)"))
                    return
                }
                continuation.resume(returning: text)
            }
        }
        let parts = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 2 else { throw TestPeerError("scripts/postgres_test_server.sh start printed: \(output)") }
        stopCommand = strdup("/bin/bash '\(script)' stop '\(parts[1])' >/dev/null 2>&1")
        atexit { if let command = TestPostgres.stopCommand { _ = system(command) } }
        return String(parts[0])
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
