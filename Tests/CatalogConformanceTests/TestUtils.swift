import AulaSecurity
import Catalog
import CatalogSQLite
import Foundation
import Media

/// A backend under test, made fresh for each test. The PostgreSQL backend joins this list.
struct Backend: CustomStringConvertible, Sendable {
    let description: String
    let make: @Sendable () throws -> AulaCatalog

    static let all: [Backend] = [
        Backend(description: "SQLite") { try AulaCatalog.openSQLite(directory: temporaryDirectory()) },
    ]
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
