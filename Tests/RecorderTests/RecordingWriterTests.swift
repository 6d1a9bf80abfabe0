import Catalog
import CatalogSQLite
import Footage
import Foundation
import Logging
import Media
import Simulator
import Testing

@testable import Recorder

/// The writer is called on the cameras' event loops and must never wait there. Its one database
/// step — storing codec parameters it has not seen — runs on a task while the camera's frames
/// queue; this checks that nothing is lost or reordered meanwhile.
@Suite struct RecordingWriterTests {
    /// The real SQLite catalogue, with storing codec parameters slowed down as on a loaded server.
    struct SlowParameterStore: RecordingStore {
        let base: AulaCatalog
        let delay: Duration
        func commit(_ recordings: [Recording]) async throws { try await base.commit(recordings) }
        func sampleEntryID(codec: VideoCodec, parameterSets: ParameterSets) async throws -> Int64 {
            try await Task.sleep(for: delay)
            return try await base.sampleEntryID(codec: codec, parameterSets: parameterSets)
        }
        func sampleEntry(id: Int64) async throws -> SampleEntry? { try await base.sampleEntry(id: id) }
        func recordings(camera: Int64, stream: RecordedStream, from start90k: Int64, to end90k: Int64) async throws -> [Recording] {
            try await base.recordings(camera: camera, stream: stream, from: start90k, to: end90k)
        }
        func allRecordingLocations() async throws -> [(camera: Int64, id: Int64, bytes: Int64)] { try await base.allRecordingLocations() }
        func maxRecordingID() async throws -> Int64 { try await base.maxRecordingID() }
        func reserveRecordingIDs(count: Int, atLeast minimum: Int64) async throws -> Range<Int64> { try await base.reserveRecordingIDs(count: count, atLeast: minimum) }
        func moveToGarbage(ids: [Int64]) async throws -> Int { try await base.moveToGarbage(ids: ids) }
        func garbage() async throws -> [(camera: Int64, id: Int64)] { try await base.garbage() }
        func removeGarbage(ids: [Int64]) async throws { try await base.removeGarbage(ids: ids) }
        func streamUsage() async throws -> [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] { try await base.streamUsage() }
        func oldestRecordings(limit: Int) async throws -> [Recording] { try await base.oldestRecordings(limit: limit) }
        func recordings(camera: Int64, stream: RecordedStream, endingBefore end90k: Int64) async throws -> [Recording] {
            try await base.recordings(camera: camera, stream: stream, endingBefore: end90k)
        }
        func maxAgeDays() async throws -> [Int64: Int] { try await base.maxAgeDays() }
        func setMaxAgeDays(_ days: Int?, camera: Int64) async throws { try await base.setMaxAgeDays(days, camera: camera) }
    }

    static func stream(width: Int, height: Int) throws -> SimulatedStream {
        var spec = SceneSpec()
        spec.width = width
        spec.height = height
        spec.gopFrames = 10
        spec.loopSeconds = 2
        return try SimulatedStream(spec: spec, cacheDirectory: NSTemporaryDirectory() + "aula-writer-tests")
    }

    /// A camera starts, changes its SPS (a new resolution) and reconnects while its first parameter
    /// lookup is still running: every frame is written, in order, under the right parameters, and
    /// the runs end where they ended.
    @Test func framesWaitInOrderWhileNewParametersAreStored() async throws {
        let root = NSTemporaryDirectory() + "aula-writer-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let catalog = try AulaCatalog.openSQLite(directory: root)
        let store = SlowParameterStore(base: catalog, delay: .milliseconds(300))
        let writer = RecordingWriter(layout: SampleFileLayout(root: root + "/recordings"), store: store, firstID: 1, logger: Logger(label: "test"))
        let a = try Self.stream(width: 320, height: 240)
        let b = try Self.stream(width: 352, height: 288)
        let pa = try VideoParameters(codec: .h264, parameterSets: a.parameterSets)
        let pb = try VideoParameters(codec: .h264, parameterSets: b.parameterSets)
        #expect(pa.parameterSets != pb.parameterSets)

        var clock: Int64 = 0
        var slowest = Duration.zero
        func feed(_ units: ArraySlice<AccessUnit>, _ parameters: VideoParameters) {
            for unit in units {
                var u = unit
                u.timestamp = clock * 3600
                let started = ContinuousClock.now
                writer.accessUnit(camera: 7, unit: u, parameters: parameters, wallTime: 1_700_000_000_000_000 + clock * 40_000)
                slowest = max(slowest, ContinuousClock.now - started)
                clock += 1
            }
        }
        feed(a.accessUnits.prefix(30), pa)
        feed(b.accessUnits.prefix(30), pb)
        writer.streamEnded(camera: 7)
        feed(a.accessUnits.prefix(10), pa)
        writer.streamEnded(camera: 7)
        #expect(slowest < .milliseconds(250), "a frame waited \(slowest) for the catalogue")

        // Three lookups of 300 ms run one after another on the writer's task.
        var rows: [Recording] = []
        for _ in 0..<50 where rows.reduce(0, { $0 + $1.frames }) < 70 {
            try await Task.sleep(for: .milliseconds(100))
            try await writer.flush()
            rows = try await catalog.recordings(camera: 7, from: 0, to: .max)
        }
        let entryA = try await catalog.sampleEntryID(codec: .h264, parameterSets: pa.parameterSets)
        let entryB = try await catalog.sampleEntryID(codec: .h264, parameterSets: pb.parameterSets)
        #expect(rows.map(\.frames) == [30, 30, 10])
        #expect(rows.map(\.sampleEntryID) == [entryA, entryB, entryA])
        #expect(rows.map(\.endsRun) == [false, true, true])
        #expect(Set(rows.map(\.runID)).count == 2)
        #expect(rows[0].start90k + rows[0].duration90k == rows[1].start90k, "the parameter change splits the run without a gap")

        // Afterwards the camera appends directly again: a frame of known parameters is written at once.
        feed(a.accessUnits.prefix(5), pa)
        writer.streamEnded(camera: 7)
        try await writer.flush()
        rows = try await catalog.recordings(camera: 7, from: 0, to: .max)
        #expect(rows.map(\.frames) == [30, 30, 10, 5])
    }

    /// Recording ids come from the catalogue: two writers sharing one catalogue (two nodes of a
    /// cluster, or a writer restarted beside ids already issued) never name two files alike, and
    /// ids that several rotations need are reserved ahead, not one database call per file.
    @Test func recordingIDsComeFromTheCatalogue() async throws {
        let root = NSTemporaryDirectory() + "aula-writer-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let catalog = try AulaCatalog.openSQLite(directory: root)
        let issued = try await catalog.reserveRecordingIDs(count: 40, atLeast: 1)
        let writers = (0..<2).map { n in
            RecordingWriter(layout: SampleFileLayout(root: root + "/recordings\(n)"), store: catalog, firstID: 1, rotateSeconds: 1, logger: Logger(label: "test"))
        }
        let stream = try Self.stream(width: 320, height: 240)
        let parameters = try VideoParameters(codec: .h264, parameterSets: stream.parameterSets)
        // 6 s of 25 fps with a key frame every 10 frames, rotating every second: about 6 files per camera.
        var clock: Int64 = 0
        for unit in Array(repeating: stream.accessUnits.prefix(50), count: 3).joined() {
            for (n, writer) in writers.enumerated() {
                var u = unit
                u.timestamp = clock * 3600
                writer.accessUnit(camera: Int64(n + 1), unit: u, parameters: parameters, wallTime: 1_700_000_000_000_000 + clock * 40_000)
            }
            clock += 1
        }
        var rows: [Recording] = []
        for _ in 0..<50 where rows.count < 10 {
            try await Task.sleep(for: .milliseconds(100))
            for writer in writers { try await writer.flush() }
            rows = try await catalog.recordings(camera: 1, from: 0, to: .max) + catalog.recordings(camera: 2, from: 0, to: .max)
        }
        #expect(rows.count >= 10, "\(rows.count) recordings")
        let ids = rows.map(\.id)
        #expect(Set(ids).count == ids.count, "two files share an id: \(ids.sorted())")
        #expect(ids.allSatisfy { !issued.contains($0) }, "an id issued before was used again: \(ids.sorted())")
    }
}
