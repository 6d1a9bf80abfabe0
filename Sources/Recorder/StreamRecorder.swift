import Catalog
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

    init(camera: Int64, layout: SampleFileLayout, rotateSeconds: Int64) {
        self.camera = camera
        self.layout = layout
        self.rotateSeconds = rotateSeconds
    }

    /// Adds one frame; `nextID` allocates recording ids.
    func append(_ unit: AccessUnit, sampleEntryID: Int64, wall90k: Int64, nextID: () -> Int64) throws {
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

    private func place(dts: Int64, pts: Int64, nextID: () -> Int64) throws {
        guard !queue.isEmpty else { return }
        let q = queue.removeFirst()
        if let w = waiting {
            let duration = max(0, min(dts - w.dts, 90_000 * 10))
            try write(w.unit, dts: w.dts, pts: w.pts, duration: duration, sampleEntryID: w.sampleEntryID, nextID: nextID)
        }
        waiting = (q.unit, dts, pts, q.sampleEntryID)
    }

    private func write(_ unit: AccessUnit, dts: Int64, pts: Int64, duration: Int64, sampleEntryID: Int64, nextID: () -> Int64) throws {
        let wall = runAnchorWall90k + (dts - runFirstDTS)
        if current == nil && !unit.isKeyFrame {  // a recording starts at a key frame
            if dropping { framesDropped += 1 }
            return
        }
        if let open = current, unit.isKeyFrame, open.sampleEntryID != sampleEntryID || shouldRotate(open, at: wall) {
            finish()
        }
        let payload = AVCCFormat.lengthPrefixed(unit.nalUnits)
        do {
            if current == nil {
                let id = nextID()
                if runID == nil { runID = id }
                try FileManager.default.createDirectory(atPath: layout.directory(camera: camera), withIntermediateDirectories: true)
                let file = try SampleFile(path: layout.path(camera: camera, recording: id))
                current = Open(id: id, runID: runID ?? id, file: file, start90k: wall, sampleEntryID: sampleEntryID)
            }
            try current!.file.append(payload)
        } catch {
            // The frame is lost, and with it every frame that depends on it: close the recording as
            // the end of a run, so the index shows a gap, and start again at the next key frame.
            framesDropped += 1
            dropping = true
            current?.endsRun = true
            finish()
            runID = nil
            throw error
        }
        dropping = false
        current!.samples.append(MP4Sample(duration: UInt32(duration), size: UInt32(payload.count), isKeyFrame: unit.isKeyFrame, compositionOffset: Int32(clamping: pts - dts)))
        current!.duration90k += duration
        lastDuration = duration > 0 ? duration : lastDuration
        framesWritten += 1
        bytesWritten += Int64(payload.count)
        newestWritten90k = wall + duration
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
    func endRun(nextID: () -> Int64) throws {
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

    /// Rows to commit for everything written so far, and the files to fsync first.
    func snapshot() -> (rows: [Recording], files: [SampleFile]) {
        var rows: [Recording] = []
        var files: [SampleFile] = []
        for open in finished + (current.map { [$0] } ?? []) where !open.samples.isEmpty {
            let offsets = open.samples.contains { $0.compositionOffset != 0 }
            var encoder = SampleIndexEncoder(hasCompositionOffsets: offsets)
            for s in open.samples { encoder.append(s) }
            rows.append(Recording(
                id: open.id, cameraID: camera, runID: open.runID, start90k: open.start90k, duration90k: open.duration90k,
                frames: open.samples.count, bytes: open.file.size, sampleEntryID: open.sampleEntryID, index: encoder.bytes,
                hasCompositionOffsets: offsets, endsRun: open.endsRun))
            files.append(open.file)
        }
        return (rows, files)
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
