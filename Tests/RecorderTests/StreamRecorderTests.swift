import Catalog
import Footage
import Foundation
import Media
import Testing

@testable import Recorder

/// The recorder's bookkeeping between flushes, driven frame by frame.
@Suite struct StreamRecorderTests {
    static func unit(_ i: Int, key: Bool) -> AccessUnit {
        AccessUnit(timestamp: Int64(i) * 3600, rtpTimestamp: UInt32(i * 3600), isKeyFrame: key, nalUnits: [[key ? 0x65 : 0x41] + Array(repeating: UInt8(i & 0xFF), count: 100)])
    }

    /// A commit takes a snapshot, and while it runs the camera goes on writing and rotates to a new
    /// file. The frames written meanwhile belong to the finished recording and must be committed by
    /// the next flush, not forgotten with it. (Under load, with 300 cameras, this lost seconds.)
    @Test func framesAddedDuringACommitAreCommittedNext() throws {
        let recorder = StreamRecorder(camera: 1, layout: SampleFileLayout(root: NSTemporaryDirectory() + "aula-sr-" + UUID().uuidString), rotateSeconds: 2)
        var nextID: Int64 = 1
        let allocate = { () -> Int64 in defer { nextID += 1 }; return nextID }
        var i = 0
        func feed(_ n: Int) throws {
            for _ in 0..<n {
                try recorder.append(Self.unit(i, key: i % 25 == 0), sampleEntryID: 1, wall90k: 1_000_000_000 + Int64(i) * 3600, nextID: allocate)
                i += 1
            }
        }
        try feed(30)
        let first = recorder.snapshot()
        #expect(first.rows.count == 1)
        // The commit is "running": 40 more frames arrive, crossing a key frame after the 2 s rotation.
        try feed(40)
        #expect(recorder.current?.id != first.rows[0].id, "the recording rotated")
        recorder.committed(Dictionary(uniqueKeysWithValues: first.rows.map { ($0.id, $0.frames) }))
        let second = recorder.snapshot()
        let finished = try #require(second.rows.first { $0.id == first.rows[0].id }, "the finished recording was forgotten with frames uncommitted")
        #expect(finished.frames > first.rows[0].frames)
        // Together the two rows hold every frame written but the one waiting for its duration.
        #expect(second.rows.reduce(0) { $0 + $1.frames } == 69)
        recorder.committed(Dictionary(uniqueKeysWithValues: second.rows.map { ($0.id, $0.frames) }))
        #expect(recorder.finished.isEmpty)
        // Consecutive recordings of a run are contiguous in time.
        #expect(second.rows[0].start90k + second.rows[0].duration90k == second.rows[1].start90k)
    }

    /// Frames are gathered and written in batches; a snapshot (what a flush commits) first writes
    /// what is gathered, so a row never counts bytes that are not in its file.
    @Test func snapshotRowsMatchTheirFiles() throws {
        let root = NSTemporaryDirectory() + "aula-sr-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorder = StreamRecorder(camera: 1, layout: SampleFileLayout(root: root), rotateSeconds: 60)
        var nextID: Int64 = 1
        for i in 0..<30 {
            try recorder.append(Self.unit(i, key: i % 25 == 0), sampleEntryID: 1, wall90k: Int64(i) * 3600, nextID: { defer { nextID += 1 }; return nextID })
        }
        let onDiskBefore = try FileManager.default.attributesOfItem(atPath: recorder.current!.file.path)[.size] as? Int ?? -1
        #expect(onDiskBefore < 29 * 105, "small frames are gathered, not written one by one")
        let snapshot = recorder.snapshot()
        let row = try #require(snapshot.rows.first)
        #expect(snapshot.failure == nil)
        #expect(row.frames == 29)
        let onDisk = try FileManager.default.attributesOfItem(atPath: recorder.current!.file.path)[.size] as? Int
        #expect(onDisk == Int(row.bytes))
        let samples = try SampleIndex.decode(row.index, hasCompositionOffsets: row.hasCompositionOffsets)
        #expect(samples.reduce(0) { $0 + Int($1.size) } == Int(row.bytes))
    }

    /// A full disk: the batch that cannot be written is cut from the file and its frames from the
    /// recording, the run ends, and what is committed still matches the file byte for byte.
    @Test func aFailedBatchWriteLeavesIndexAndFileInAgreement() async throws {
        let root = NSTemporaryDirectory() + "aula-sr-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try await Tmpfs.mount(at: root, megabytes: 1)
        defer {
            Tmpfs.unmountBlocking(root)
            try? FileManager.default.removeItem(atPath: root)
        }
        let recorder = StreamRecorder(camera: 1, layout: SampleFileLayout(root: root), rotateSeconds: 3600)
        var nextID: Int64 = 1
        let allocate = { () -> Int64 in defer { nextID += 1 }; return nextID }
        var failures = 0
        var committed: [Recording] = []
        // 20 kB frames: 1 MB fills after about 50; go on well past that.
        for i in 0..<120 {
            let unit = AccessUnit(timestamp: Int64(i) * 3600, rtpTimestamp: UInt32(i * 3600), isKeyFrame: i % 10 == 0,
                                  nalUnits: [[i % 10 == 0 ? 0x65 : 0x41] + Array(repeating: UInt8(i & 0xFF), count: 20_000)])
            do { try recorder.append(unit, sampleEntryID: 1, wall90k: Int64(i) * 3600, nextID: allocate) } catch { failures += 1 }
            if i % 10 == 9 {
                let snapshot = recorder.snapshot()
                if snapshot.failure != nil { failures += 1 }
                for row in snapshot.rows { committed.removeAll { $0.id == row.id }; committed.append(row) }
                recorder.committed(Dictionary(uniqueKeysWithValues: snapshot.rows.map { ($0.id, $0.frames) }))
            }
        }
        #expect(failures > 0, "the 1 MB volume never filled")
        #expect(recorder.framesDropped > 0)
        #expect(committed.contains { $0.endsRun }, "the failure ends the run, so the gap shows")
        for row in committed {
            let path = SampleFileLayout(root: root).path(camera: 1, recording: row.id)
            let onDisk = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            #expect(onDisk == Int(row.bytes), "recording \(row.id): file and index disagree")
            let samples = try SampleIndex.decode(row.index, hasCompositionOffsets: row.hasCompositionOffsets)
            #expect(samples.count == row.frames)
            #expect(samples.reduce(0) { $0 + Int($1.size) } == Int(row.bytes))
            #expect(samples.first?.isKeyFrame == true)
        }
    }
}
