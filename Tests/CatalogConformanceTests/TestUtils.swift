import AulaSecurity
import Catalog
import CatalogPostgres
import CatalogSQLite
import Foundation
import Media
import TestPeers

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

extension TestPostgres {
    /// A new, empty schema in the test server's database: each test sees its own catalogue.
    static func freshSchema() async throws -> PostgresLocation {
        try PostgresLocation(url: try await freshSchemaURL())
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
