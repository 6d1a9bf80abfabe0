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
}
