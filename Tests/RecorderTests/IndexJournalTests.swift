import Catalog
import CatalogSQLite
import Footage
import Logging
import Media
import Foundation
import Testing

@testable import Recorder

/// The journal of index rows kept through a catalogue outage: what is saved is what loads, a
/// damaged file is refused whole (never half-read into the index), and the bound keeps the newest.
@Suite struct IndexJournalTests {
    static func row(_ id: Int64, start: Int64, index: Int = 40) -> Recording {
        Recording(id: id, cameraID: 3, runID: 1, start90k: start * 90_000, duration90k: 90_000, frames: 25, bytes: 1000 + id,
                  sampleEntryID: 7, index: (0..<index).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(id)) }, hasCompositionOffsets: id % 2 == 0,
                  endsRun: id == 3)
    }

    static func folder() -> String {
        let path = NSTemporaryDirectory() + "aula-journal-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func whatIsSavedLoads() throws {
        let journal = IndexJournal(path: Self.folder() + "/index-journal.bin")
        #expect(try journal.load().isEmpty, "no journal, no rows")
        let rows = (1...3).map { Self.row($0, start: $0) }
        #expect(try journal.save(rows) == 0)
        #expect(try journal.load() == rows)
        try journal.save([Self.row(9, start: 9)])
        #expect(try journal.load() == [Self.row(9, start: 9)], "each save replaces the journal whole")
        try journal.remove()
        #expect(!journal.exists)
        try journal.remove()
    }

    @Test func aDamagedJournalIsRefusedWhole() throws {
        let journal = IndexJournal(path: Self.folder() + "/index-journal.bin")
        try journal.save((1...3).map { Self.row($0, start: $0) })
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: journal.path)))
        for damaged in [Array(bytes.dropLast(1)), Array(bytes.prefix(20)), [UInt8](), Array("not a journal at all, but long enough".utf8)]
            + [30, 60, bytes.count / 2].map({ i -> [UInt8] in var b = bytes; b[i] ^= 0x40; return b }) {
            try Data(damaged).write(to: URL(fileURLWithPath: journal.path))
            #expect(throws: IndexJournal.Damaged.self) { try journal.load() }
        }
    }

    @Test func theBoundKeepsTheNewestRows() throws {
        let journal = IndexJournal(path: Self.folder() + "/index-journal.bin", maxBytes: 1000)
        let rows = (1...20).map { Self.row($0, start: $0, index: 100) }
        let left = try journal.save(rows)
        let kept = try journal.load()
        #expect(left > 0 && kept.count + left == rows.count)
        #expect(kept == Array(rows.suffix(kept.count)), "the newest rows are kept, in order")
        #expect(try Data(contentsOf: URL(fileURLWithPath: journal.path)).count <= 1000)
    }
}

/// The sub streams' writer keeps its own journal (storage.md, "Two streams of a camera"): rows it
/// kept through an outage go back into the index as the sub stream's, never mixed into the main's.
@Suite struct SubStreamJournalTests {
    @Test func theSubWritersJournalCommitsItsRowsAsTheSubStreams() async throws {
        let root = IndexJournalTests.folder()
        let catalog = try AulaCatalog.openSQLite(directory: root)
        let entry = try await catalog.sampleEntryID(codec: .h264, parameterSets: ParameterSets(vps: nil, sps: [0x67, 0x42, 0, 0x1E], pps: [0x68, 0xCE]))
        var rows = (1...3).map { IndexJournalTests.row($0, start: $0) }
        for i in rows.indices { rows[i].sampleEntryID = entry }
        let journal = IndexJournal(path: root + "/index-journal-sub.bin")
        try journal.save(rows)
        let writer = RecordingWriter(layout: SampleFileLayout(root: root + "/recordings"), store: catalog, firstID: 1,
                                     logger: Logger(label: "test"), journal: journal, stream: .sub)
        #expect(try await writer.commitJournal() == 3)
        #expect(try await catalog.recordings(camera: 3, stream: .sub, from: 0, to: .max / 2).map(\.id) == [1, 2, 3])
        #expect(try await catalog.recordings(camera: 3, from: 0, to: .max / 2).isEmpty, "no row went to the main stream")
        #expect(!journal.exists)
    }
}
