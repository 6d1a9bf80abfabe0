import AulaSecurity
import Catalog
import CatalogPostgres
import CatalogSQLite
import Foundation
import Media

/// A backend under test, made fresh for each test: the embedded SQLite file, and a schema of its
/// own in a real PostgreSQL server (``TestPostgres``).
struct Backend: CustomStringConvertible, Sendable {
    let description: String
    let make: @Sendable () async throws -> AulaCatalog

    static let all: [Backend] = [
        Backend(description: "SQLite") { try AulaCatalog.openSQLite(directory: temporaryDirectory()) },
        Backend(description: "PostgreSQL") {
            try await AulaCatalog.openPostgres(try await TestPostgres.freshSchema(), keyFile: temporaryDirectory() + "/secrets.key")
        },
    ]
}

/// The PostgreSQL server the tests talk to: the one `AULA_TEST_POSTGRES` names (scripts/test.sh
/// starts one for the whole run), or else one this process starts with
/// `scripts/postgres_test_server.sh` and stops when it exits. A server that cannot start fails
/// every PostgreSQL test with the reason; nothing is skipped.
enum TestPostgres {
    /// Started once, on a thread of its own, awaited by every test that needs it. (The script runs
    /// through `popen`/`system`, not Foundation's `Process`, whose `waitUntilExit` needs a thread of
    /// the global queues that the waiting tests would be holding.)
    static let url = Task<String, any Error> {
        if let url = ProcessInfo.processInfo.environment["AULA_TEST_POSTGRES"], !url.isEmpty { return url }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres_test_server.sh").path
        let output: String = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                guard let pipe = popen("/bin/bash '\(script)' start 2>&1", "r") else {
                    continuation.resume(throwing: PostgresCatalogError(message: "popen failed: errno \(errno)"))
                    return
                }
                var text = ""
                var buffer = [CChar](repeating: 0, count: 4096)
                while fgets(&buffer, Int32(buffer.count), pipe) != nil { text += String(cString: buffer) }
                let status = pclose(pipe)
                guard status == 0 else {
                    continuation.resume(throwing: PostgresCatalogError(message: "scripts/postgres_test_server.sh start failed (\(status)): \(text)"))
                    return
                }
                continuation.resume(returning: text)
            }
        }
        let parts = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 2 else { throw PostgresCatalogError(message: "scripts/postgres_test_server.sh start printed: \(output)") }
        stopCommand = strdup("/bin/bash '\(script)' stop '\(parts[1])' >/dev/null 2>&1")
        atexit { if let command = TestPostgres.stopCommand { _ = system(command) } }
        return String(parts[0])
    }

    /// Set once, before `atexit` can read it.
    nonisolated(unsafe) static var stopCommand: UnsafeMutablePointer<CChar>?

    /// A new, empty schema in the test server's database: each test sees its own catalogue.
    static func freshSchema() async throws -> PostgresLocation {
        let base = try await url.value
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return try PostgresLocation(url: base + (base.contains("?") ? "&" : "?") + "schema=\(name)&pool=4")
    }
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "aula-conformance-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A recording of `camera` from `start` seconds (90 kHz ticks) lasting `seconds`.
func recording(id: Int64, camera: Int64, start: Int64, seconds: Int64 = 60, entry: Int64, endsRun: Bool = false) -> Recording {
    Recording(id: id, cameraID: camera, runID: id, start90k: start * 90_000, duration90k: seconds * 90_000, frames: Int(seconds) * 25,
              bytes: 1000 * id, sampleEntryID: entry, index: [1, 2, 3, UInt8(truncatingIfNeeded: id)], hasCompositionOffsets: false, endsRun: endsRun)
}

let parameters = ParameterSets(vps: nil, sps: [0x67, 0x42, 0x00, 0x1E], pps: [0x68, 0xCE, 0x3C, 0x80])
