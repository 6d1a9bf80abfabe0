import Catalog
import Footage
import Foundation
import Media

/// The recording state of one camera: the current sample file and its in-memory index.
///
/// Frames are written when their duration is known (when the next frame's decode time arrives), so
/// the index never holds a guess, except for the last frame of a run, which takes the previous
/// frame's duration. Not thread-safe: ``RecordingWriter`` guards each instance with a lock.
final class StreamRecorder {
    struct Open {
        var id: Int64
        var runID: Int64
        var file: SampleFile
        var start90k: Int64
        var samples: [MP4Sample] = []
        var duration90k: Int64 = 0
        var sampleEntryID: Int64
        var endsRun = false
        /// Samples whose bytes have been written to the file (the rest are gathered in memory).
        var drainedSamples = 0
        /// The index of `samples`, kept up to date as they come rather than rebuilt at every flush.
        var index = SampleIndexEncoder(hasCompositionOffsets: false)

        mutating func add(_ sample: MP4Sample) {
            samples.append(sample)
            duration90k += Int64(sample.duration)
            if sample.compositionOffset != 0 && !index.hasCompositionOffsets {
                rebuildIndex(hasCompositionOffsets: true)  // the first B-frame: the index needs offsets from here on
            } else {
                index.append(sample)
            }
        }

        mutating func rebuildIndex(hasCompositionOffsets: Bool) {
            index = SampleIndexEncoder(hasCompositionOffsets: hasCompositionOffsets)
            for s in samples { index.append(s) }
        }
    }

    struct Queued {
        var unit: AccessUnit
        var sampleEntryID: Int64
    }

    let camera: Int64
    let layout: SampleFileLayout
    let rotateSeconds: Int64
    var current: Open?
    /// Recordings finished since the last flush, to be committed (and then closed).
    var finished: [Open] = []
    var runID: Int64?
    var inRun = false
    var runAnchorWall90k: Int64 = 0
    var runFirstDTS: Int64 = 0
    var estimator = DecodeTimestampEstimator()
    var queue: [Queued] = []
    /// A frame whose decode time is known but whose duration is not yet.
    var waiting: (unit: AccessUnit, dts: Int64, pts: Int64, sampleEntryID: Int64)?
    var lastDuration: Int64 = 3600
    /// Counters for status and metrics.
    var framesWritten = 0
    var bytesWritten: Int64 = 0
    /// Frames lost because a write failed (a full disk), including those up to the next key frame.
    var framesDropped = 0
    /// Wall time (90 kHz) of the newest frame written to a sample file.
    var newestWritten90k: Int64?
    /// A write failed: frames are dropped until a key frame opens a new recording.
    var dropping = false

    /// Which of the camera's streams this records (stamped on its rows).
    let stream: RecordedStream

    init(camera: Int64, stream: RecordedStream = .main, layout: SampleFileLayout, rotateSeconds: Int64) {
        self.camera = camera
        self.stream = stream
        self.layout = layout
        self.rotateSeconds = rotateSeconds
    }

    /// Adds one frame; `nextID` allocates recording ids.
    func append(_ unit: AccessUnit, sampleEntryID: Int64, wall90k: Int64, nextID: () throws -> Int64) throws {
        if !inRun {
            // A new run: anchor media time to the wall clock at its first frame.
            inRun = true
            runAnchorWall90k = wall90k
            runFirstDTS = unit.timestamp
            estimator = DecodeTimestampEstimator()
        }
        queue.append(Queued(unit: unit, sampleEntryID: sampleEntryID))
        for (dts, pts) in estimator.push(pts: unit.timestamp, isKeyFrame: unit.isKeyFrame) {
            try place(dts: dts, pts: pts, nextID: nextID)
        }
    }

    private func place(dts: Int64, pts: Int64, nextID: () throws -> Int64) throws {
        guard !queue.isEmpty else { return }
        let q = queue.removeFirst()
        if let w = waiting {
            let duration = max(0, min(dts - w.dts, 90_000 * 10))
            try write(w.unit, dts: w.dts, pts: w.pts, duration: duration, sampleEntryID: w.sampleEntryID, nextID: nextID)
        }
        waiting = (q.unit, dts, pts, q.sampleEntryID)
    }

    private func write(_ unit: AccessUnit, dts: Int64, pts: Int64, duration: Int64, sampleEntryID: Int64, nextID: () throws -> Int64) throws {
        let wall = runAnchorWall90k + (dts - runFirstDTS)
        if current == nil && !unit.isKeyFrame {  // a recording starts at a key frame
            if dropping { framesDropped += 1 }
            return
        }
        if let open = current, unit.isKeyFrame, open.sampleEntryID != sampleEntryID || shouldRotate(open, at: wall) {
            finish()
        }
        if current == nil {
            do {
                let id = try nextID()
                if runID == nil { runID = id }
                try FileManager.default.createDirectory(atPath: layout.directory(camera: camera), withIntermediateDirectories: true)
                let file = try SampleFile(path: layout.path(camera: camera, recording: id))
                current = Open(id: id, runID: runID ?? id, file: file, start90k: wall, sampleEntryID: sampleEntryID)
            } catch {
                framesDropped += 1
                dropping = true
                runID = nil
                throw error
            }
        }
        let size = current!.file.appendLengthPrefixed(unit.nalUnits)
        current!.add(MP4Sample(duration: UInt32(duration), size: UInt32(size), isKeyFrame: unit.isKeyFrame, compositionOffset: Int32(clamping: pts - dts)))
        lastDuration = duration > 0 ? duration : lastDuration
        framesWritten += 1
        bytesWritten += Int64(size)
        newestWritten90k = wall + duration
        if current!.file.wantsDrain {
            do { try drain(&current!) } catch {
                // The frames of the batch are lost, and with them every frame that depends on them:
                // close the recording as the end of a run, so the index shows a gap, and start again
                // at the next key frame.
                endRecordingAfterFailure()
                throw error
            }
        }
        dropping = false
    }

    /// Writes a recording's gathered frames to its file. When that fails, the frames not written
    /// are taken out of the recording (and counted as dropped), so that index and file agree.
    private func drain(_ open: inout Open) throws {
        do {
            try open.file.drain()
            open.drainedSamples = open.samples.count
        } catch {
            let lost = open.samples[open.drainedSamples...]
            framesDropped += lost.count
            framesWritten -= lost.count
            bytesWritten -= lost.reduce(0) { $0 + Int64($1.size) }
            open.duration90k -= lost.reduce(0) { $0 + Int64($1.duration) }
            open.samples.removeLast(lost.count)
            open.rebuildIndex(hasCompositionOffsets: open.index.hasCompositionOffsets)
            newestWritten90k = open.start90k + open.duration90k
            throw error
        }
    }

    private func endRecordingAfterFailure() {
        dropping = true
        current?.endsRun = true
        finish()
        runID = nil
    }

    /// Rotation is staggered: camera *c* rotates when its wall clock passes a multiple of the period
    /// shifted by `c × 7 s`, so that cameras do not all open files in the same second.
    private func shouldRotate(_ open: Open, at wall90k: Int64) -> Bool {
        let period = rotateSeconds * 90_000
        let shift = (camera * 7 % max(1, rotateSeconds)) * 90_000
        let boundary = ((open.start90k - shift) / period + 1) * period + shift
        return wall90k >= boundary && open.duration90k >= period / 4
    }

    private func finish() {
        guard let open = current else { return }
        current = nil
        if !open.samples.isEmpty { finished.append(open) } else { open.file.close(); try? FileManager.default.removeItem(atPath: open.file.path) }
    }

    /// The run ended (disconnect, shutdown): write what is held back and close the recording.
    func endRun(nextID: () throws -> Int64) throws {
        for (dts, pts) in estimator.flush() { try place(dts: dts, pts: pts, nextID: nextID) }
        if let w = waiting {
            try write(w.unit, dts: w.dts, pts: w.pts, duration: lastDuration, sampleEntryID: w.sampleEntryID, nextID: nextID)
        }
        waiting = nil
        queue = []
        current?.endsRun = true
        finish()
        runID = nil
        inRun = false
    }

    /// Rows to commit for everything written so far, and the files to fsync first. Gathered
    /// frames are written to their files first; a write that fails (a full disk) takes its frames
    /// out of the rows, ends the run, and is returned for reporting.
    func snapshot() -> (rows: [Recording], files: [SampleFile], failure: (any Error)?) {
        var failure: (any Error)?
        for i in finished.indices {
            do { try drain(&finished[i]) } catch { failure = error }
        }
        for open in finished where open.samples.isEmpty {  // every frame of it was lost
            open.file.close()
            try? FileManager.default.removeItem(atPath: open.file.path)
        }
        finished.removeAll { $0.samples.isEmpty }
        if current != nil {
            do { try drain(&current!) } catch {
                failure = error
                endRecordingAfterFailure()
            }
        }
        var rows: [Recording] = []
        var files: [SampleFile] = []
        for open in finished + (current.map { [$0] } ?? []) where !open.samples.isEmpty {
            rows.append(Recording(
                id: open.id, cameraID: camera, runID: open.runID, start90k: open.start90k, duration90k: open.duration90k,
                frames: open.samples.count, bytes: open.file.size, sampleEntryID: open.sampleEntryID, index: open.index.bytes,
                hasCompositionOffsets: open.index.hasCompositionOffsets, endsRun: open.endsRun, stream: stream))
            files.append(open.file)
        }
        return (rows, files, failure)
    }

    /// After a successful commit of `frames` (recording id → frames in the committed row): finished
    /// recordings whose every frame is committed are closed and forgotten. A recording that got more
    /// frames while the commit ran (and was then finished by a rotation) stays, so that the next flush
    /// commits the rest.
    func committed(_ frames: [Int64: Int]) {
        let done = Set(finished.filter { frames[$0.id] == $0.samples.count }.map(\.id))
        for open in finished where done.contains(open.id) { open.file.close() }
        finished.removeAll { done.contains($0.id) }
    }
}
