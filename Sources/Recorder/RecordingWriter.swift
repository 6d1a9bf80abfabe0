import Catalog
import Footage
import Foundation
import Logging
import Media
import ServiceLifecycle
import Synchronization

/// Records every camera: a ``FrameSink`` that appends frames to sample files, and a service that
/// flushes them every `flushInterval` — fsync every file written since the last flush (and the
/// directory of new files), then commit every camera's index rows in one transaction. This is the
/// write order of docs/storage.md: a crash loses at most one flush interval and never leaves an
/// index row pointing at bytes that are not on disk.
public final class RecordingWriter: FrameSink, Service {
    public let layout: SampleFileLayout
    let store: any RecordingStore
    public let flushInterval: Duration
    let rotateSeconds: Int64
    let logger: Logger
    private let streams = Mutex<[Int64: Guarded]>([:])
    /// Recording ids reserved from the catalogue ahead of use (a sample file is named by its id
    /// before its index row exists), and the lowest id start-up reconciliation allows.
    private let ids = Mutex(ReservedIDs())
    private let minimumID: Atomic<Int64>
    private let reserving = Atomic(false)
    /// Ids reserved at a time: a few minutes of rotations of 300 cameras.
    static let idBlock = 256
    /// Per camera: the parameter sets last seen and their sample entry id, or the frames waiting
    /// while new ones are being stored.
    private let entries = Mutex<[Int64: EntryState]>([:])
    private let lastFlush = Mutex<(at: Int64, lagMicros: Int64, error: String?)>((0, 0, nil))
    private let writeTrouble = Mutex(WriteTrouble())
    private let flushCounters = Mutex(FlushCounters())
    /// Called after every successful flush with its duration (for metrics).
    public let flushObserver: (@Sendable (Duration) -> Void)?
    /// Where the index rows go while the catalogue cannot take them (nil: memory only).
    public let journal: IndexJournal?
    /// When the journal was last written, and whether it holds rows not yet committed.
    private let journalState = Mutex<(savedAt: ContinuousClock.Instant?, holdsRows: Bool)>((nil, false))
    /// The journal is rewritten at most this often while the catalogue is away (five flush
    /// intervals in `aula serve`): a crash in an outage loses at most this much more than a flush.
    public let journalInterval: Duration

    /// One camera's recorder behind its own lock, so cameras never wait for each other.
    final class Guarded: @unchecked Sendable {
        // `recorder` is only touched inside `lock.withLock`.
        let lock = Mutex(())
        let recorder: StreamRecorder
        let camera: Int64
        init(_ recorder: StreamRecorder) {
            self.recorder = recorder
            camera = recorder.camera
        }
        func with<R>(_ body: (StreamRecorder) throws -> R) rethrows -> R { try lock.withLock { _ in try body(recorder) } }
    }

    /// Which stream of its cameras this writer records: a node has one writer per stream
    /// (docs/storage.md, "Two streams of a camera"), each with its own flushes and journal.
    public let stream: RecordedStream

    public init(layout: SampleFileLayout, store: any RecordingStore, firstID: Int64, flushInterval: Duration = .seconds(2), rotateSeconds: Int64 = 60,
                logger: Logger, flushObserver: (@Sendable (Duration) -> Void)? = nil, journal: IndexJournal? = nil,
                journalInterval: Duration = .seconds(10), stream: RecordedStream = .main) {
        self.stream = stream
        self.flushObserver = flushObserver
        self.journal = journal
        self.journalInterval = journalInterval
        self.layout = layout
        self.store = store
        self.flushInterval = flushInterval
        self.rotateSeconds = rotateSeconds
        self.logger = logger
        minimumID = Atomic(firstID)
    }

    /// Sets the lowest recording id to use (one beyond every file start-up reconciliation found),
    /// before any frame arrives.
    public func setNextID(_ id: Int64) {
        minimumID.store(id, ordering: .relaxed)
        ids.withLock { $0.drop(below: id) }
    }

    /// Tops up the reserved recording ids to at least half a block. Each camera's first frame
    /// waits for it (it waits for its codec parameters' id anyway); later rotations take ids from
    /// the reserve, which is topped up in the background when it runs low.
    public func reserveIDs() async throws {
        guard ids.withLock({ $0.count }) < Int64(Self.idBlock / 2) else { return }
        let reserved = try await store.reserveRecordingIDs(count: Self.idBlock, atLeast: minimumID.load(ordering: .relaxed))
        ids.withLock { $0.add(reserved) }
    }

    private func allocate() throws -> Int64 {
        let (id, left) = ids.withLock { ($0.take(), $0.count) }
        if left < Int64(Self.idBlock / 2), reserving.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            Task {
                defer { self.reserving.store(false, ordering: .relaxed) }
                do { try await self.reserveIDs() } catch {
                    self.logger.error("cannot reserve recording ids", metadata: ["error": "\(error)"])
                }
            }
        }
        guard let id else { throw WriterError.noRecordingID }
        return id
    }

    private func guarded(_ camera: Int64) -> Guarded {
        streams.withLock { map in
            if let g = map[camera] { return g }
            let g = Guarded(StreamRecorder(camera: camera, stream: stream, layout: layout, rotateSeconds: rotateSeconds))
            map[camera] = g
            return g
        }
    }

    public func streamStarted(camera: Int64, parameters: VideoParameters) {}

    /// Appends the frame to the camera's sample file. Called on the camera's event loop, so it
    /// never waits: the one step that needs the database (an id for codec parameters the catalogue
    /// has not seen, at a camera's first frame or when it changes its SPS) runs on a task, and the
    /// camera's frames queue behind it in order until it is done (``Pending``).
    public func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) {
        let wall90k = wallTime * 9 / 100
        let step = entries.withLock { map -> EntryStep in
            switch map[camera] {
            case .known(let known, let id) where known == parameters:  // the same object: one comparison
                return .append(id)
            case .pending(var pending):
                map[camera] = nil  // taken out while it changes, so that its queue is not copied
                let queued = pending.enqueue(.frame(unit, parameters, wall90k))
                map[camera] = .pending(pending)
                return queued ? .queued : .overflow
            case .known, nil:
                var pending = Pending()
                _ = pending.enqueue(.frame(unit, parameters, wall90k))
                map[camera] = .pending(pending)
                return .lookUp
            }
        }
        switch step {
        case .append(let entry): append(camera: camera, unit: unit, entry: entry, wall90k: wall90k)
        case .queued: break
        case .overflow: writeFailed(camera: camera, error: WriterError.parameterLookupBehind)
        case .lookUp: Task { await self.drainPending(camera: camera) }
        }
    }

    public func streamEnded(camera: Int64) {
        let queued = entries.withLock { map -> Bool in
            guard case .pending(var pending) = map[camera] else { return false }
            map[camera] = nil
            _ = pending.enqueue(.end)
            map[camera] = .pending(pending)
            return true
        }
        if !queued { endRun(camera: camera) }
    }

    private func append(camera: Int64, unit: AccessUnit, entry: Int64, wall90k: Int64) {
        do {
            try guarded(camera).with { try $0.append(unit, sampleEntryID: entry, wall90k: wall90k, nextID: allocate) }
        } catch {
            writeFailed(camera: camera, error: error)
        }
    }

    private func endRun(camera: Int64) {
        do { try guarded(camera).with { try $0.endRun(nextID: allocate) } } catch {
            writeFailed(camera: camera, error: error)
        }
    }

    /// Stores the codec parameters of a camera's queued frames and writes the frames in arrival
    /// order; new frames keep queueing until the queue is empty, and only then does the camera go
    /// back to appending directly.
    private func drainPending(camera: Int64) async {
        var resolved: (parameters: VideoParameters, id: Int64)?
        while true {
            let batch = entries.withLock { map -> [Pending.Item] in
                guard case .pending(var pending) = map[camera] else { return [] }
                map[camera] = nil
                let items = pending.takeAll()
                if items.isEmpty {
                    // Done: from here on the event loop appends directly.
                    if let resolved { map[camera] = .known(resolved.parameters, resolved.id) }
                } else {
                    map[camera] = .pending(pending)
                }
                return items
            }
            if batch.isEmpty { return }
            do { try await reserveIDs() } catch {
                logger.error("cannot reserve recording ids", metadata: ["camera": "\(camera)", "error": "\(error)"])
            }
            for item in batch {
                switch item {
                case .end:
                    endRun(camera: camera)
                case .frame(let unit, let parameters, let wall90k):
                    if resolved == nil || resolved!.parameters != parameters {
                        do {
                            let id = try await store.sampleEntryID(codec: parameters.codec, parameterSets: parameters.parameterSets)
                            resolved = (parameters, id)
                        } catch {
                            resolved = nil
                            logger.error("cannot store codec parameters", metadata: ["camera": "\(camera)", "error": "\(error)"])
                            continue
                        }
                    }
                    append(camera: camera, unit: unit, entry: resolved!.id, wall90k: wall90k)
                }
            }
        }
    }

    /// Records a failed write. A full disk fails every frame of every camera until retention frees
    /// space, so it is logged once when it starts, not per frame.
    private func writeFailed(camera: Int64, error: any Error) {
        let diskFull = (error as? POSIXFailure)?.isDiskFull ?? false
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        let first = writeTrouble.withLock { t -> Bool in
            let first = t.lastFailure == nil || now - t.lastFailure! > 10_000_000
            t.lastFailure = now
            t.failures += 1
            t.message = "\(error)"
            if diskFull { t.lastDiskFull = now }
            return first
        }
        if first {
            logger.error(diskFull ? "disk full: frames are being dropped until retention frees space" : "recording write failed",
                         metadata: ["camera": "\(camera)", "error": "\(error)"])
        }
    }

    /// Failed writes so far and the latest one (times in µs since the epoch).
    public var writeFailures: WriteTrouble { writeTrouble.withLock { $0 } }

    /// Per-camera counters: frames and bytes written, frames dropped, newest frame written.
    public func cameraStats() -> [Int64: CameraWriteStats] {
        let all = streams.withLock { $0 }
        return all.mapValues { g in
            g.with { r in CameraWriteStats(framesWritten: r.framesWritten, bytesWritten: r.bytesWritten, framesDropped: r.framesDropped, newestWritten90k: r.newestWritten90k) }
        }
    }

    /// Flushes so far and their total duration.
    public var flushTotals: FlushCounters { flushCounters.withLock { $0 } }

    /// fsync what was written, then commit the index of every camera in one transaction.
    public func flush() async throws {
        let started = ContinuousClock.now
        let all = streams.withLock { Array($0.values) }
        var rows: [Recording] = []
        var files: [UnsafeFile] = []
        for g in all {
            let (r, f, failure) = g.with { $0.snapshot() }
            rows += r
            files += f.map(UnsafeFile.init)
            if let failure { writeFailed(camera: g.camera, error: failure) }
        }
        guard !rows.isEmpty else { return }
        var directories = Set<String>()
        for file in files {
            try file.file.sync()
            if file.file.needsDirectorySync {
                directories.insert((file.file.path as NSString).deletingLastPathComponent)
                directories.insert(layout.root)
            }
        }
        for directory in directories { try SampleFile.syncDirectory(directory) }
        for file in files { file.file.needsDirectorySync = false }
        // Commit even if the calling task is being cancelled (shutdown): the data is already on disk.
        let store = self.store
        let committing = rows
        do {
            try await Task.detached { try await store.commit(committing) }.value
        } catch {
            keepInJournal(committing)
            throw error
        }
        if journalState.withLock({ $0.holdsRows }), let journal {
            // Everything it held was among the rows just committed (uncommitted rows stay in every snapshot).
            do {
                try journal.remove()
                journalState.withLock { $0 = (nil, false) }
                logger.notice("the index rows kept while the catalogue was away are committed", metadata: ["rows": "\(committing.count)"])
            } catch {
                logger.error("could not remove the index journal", metadata: ["error": "\(error)"])
            }
        }
        let frames = Dictionary(committing.map { ($0.id, $0.frames) }, uniquingKeysWith: max)
        for g in all { g.with { $0.committed(frames) } }
        let took = ContinuousClock.now - started
        let lag = took / .microseconds(1)
        lastFlush.withLock { $0 = (Int64(Date().timeIntervalSince1970 * 1e6), Int64(lag), nil) }
        flushCounters.withLock {
            $0.flushes += 1
            $0.rows += committing.count
            $0.seconds += Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18
        }
        flushObserver?(took)
    }

    /// The catalogue did not take `rows`: keep them on the local disk (at most every
    /// ``journalInterval``), so that a crash before it answers again loses no footage.
    private func keepInJournal(_ rows: [Recording]) {
        guard let journal else { return }
        let due = journalState.withLock { state -> Bool in
            if let at = state.savedAt, ContinuousClock.now - at < journalInterval { return false }
            state.savedAt = .now
            return true
        }
        guard due else { return }
        do {
            let left = try journal.save(rows)
            journalState.withLock { $0.holdsRows = true }
            if left > 0 {
                logger.error("the index journal is full: the oldest rows are kept in memory only, and their footage is lost if the process stops before the catalogue answers",
                             metadata: ["rows": "\(rows.count)", "leftOut": "\(left)", "maxBytes": "\(journal.maxBytes)"])
            }
        } catch {
            logger.error("could not keep the index rows in the journal", metadata: ["error": "\(error)"])
        }
    }

    /// At start-up, before reconciliation: commits the rows a previous run kept in the journal
    /// (the catalogue was away when it stopped), so that their sample files are known and kept.
    /// Throws, keeping the journal, when the catalogue does not take them.
    public func commitJournal() async throws -> Int {
        guard let journal else { return 0 }
        var rows: [Recording]
        do { rows = try journal.load() } catch let damaged as IndexJournal.Damaged {
            // Not readable as written (the disk, or a hand): set aside for a person to look at;
            // the node starts, and reconciliation treats those files as never committed.
            let aside = journal.path + ".damaged-\(Int(Date().timeIntervalSince1970))"
            rename(journal.path, aside)
            logger.error("the index journal of the previous run is damaged and set aside; the footage it named is not in the index",
                         metadata: ["error": "\(damaged)", "kept": "\(aside)"])
            return 0
        }
        // The journal holds one writer's rows: they are of its stream.
        for i in rows.indices { rows[i].stream = stream }
        if !rows.isEmpty {
            try await store.commit(rows)
            logger.notice("index rows kept by the previous run during a catalogue outage are committed", metadata: ["rows": "\(rows.count)"])
        }
        try journal.remove()
        return rows.count
    }

    /// Time of the last successful flush and how long it took.
    public var flushStatus: (at: Int64, lagMicros: Int64, error: String?) { lastFlush.withLock { $0 } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: flushInterval)
                await flushLogging()
            }
        } onGracefulShutdown: {}
        await stopAll()
    }

    /// Ends every run and flushes: what a clean shutdown keeps.
    public func stopAll() async {
        let all = streams.withLock { Array($0.values) }
        for g in all { try? g.with { try $0.endRun(nextID: allocate) } }
        await flushLogging()
    }

    private func flushLogging() async {
        do { try await flush() } catch {
            logger.error("flush failed", metadata: ["error": "\(error)"])
            lastFlush.withLock { $0.error = "\(error)" }
        }
    }
}

/// Where a camera's codec parameters stand in ``RecordingWriter``.
enum EntryState {
    /// Stored: frames with these parameters append directly.
    case known(VideoParameters, Int64)
    /// Being stored: frames queue in arrival order.
    case pending(Pending)
}

enum EntryStep { case append(Int64), queued, overflow, lookUp }

/// A camera's frames (and a run's end) waiting for its codec parameters to be stored, in order.
struct Pending {
    enum Item {
        case frame(AccessUnit, VideoParameters, Int64)
        case end
    }
    /// Ten seconds of 25 fps: a catalogue that takes longer than that to store one row is not
    /// keeping up, and frames beyond it are dropped (and counted) rather than held in memory.
    static let limit = 250
    private(set) var items: [Item] = []

    mutating func enqueue(_ item: Item) -> Bool {
        if case .frame = item, items.count >= Self.limit { return false }
        items.append(item)
        return true
    }

    mutating func takeAll() -> [Item] {
        defer { items = [] }
        return items
    }
}

enum WriterError: Error, CustomStringConvertible {
    case parameterLookupBehind
    case noRecordingID
    var description: String {
        switch self {
        case .parameterLookupBehind: "the catalogue did not store the camera's codec parameters in time; frames were dropped"
        case .noRecordingID: "the catalogue has not issued a recording id in time for a new sample file; frames were dropped"
        }
    }
}

/// Recording ids issued by the catalogue and not used yet, in increasing order.
struct ReservedIDs {
    private var ranges: [Range<Int64>] = []
    private(set) var count: Int64 = 0

    mutating func add(_ range: Range<Int64>) {
        ranges.append(range)
        ranges.sort { $0.lowerBound < $1.lowerBound }
        count += Int64(range.count)
    }

    mutating func take() -> Int64? {
        while let first = ranges.first, first.isEmpty { ranges.removeFirst() }
        guard let first = ranges.first else { return nil }
        ranges[0] = (first.lowerBound + 1)..<first.upperBound
        count -= 1
        return first.lowerBound
    }

    mutating func drop(below minimum: Int64) {
        ranges = ranges.map { max($0.lowerBound, min(minimum, $0.upperBound))..<$0.upperBound }
        count = ranges.reduce(0) { $0 + Int64($1.count) }
    }
}

/// Write failures (a full disk, an I/O error); times in µs since the epoch.
public struct WriteTrouble: Sendable {
    public var failures = 0
    public var lastFailure: Int64?
    public var lastDiskFull: Int64?
    public var message: String?
}

public struct FlushCounters: Sendable {
    public var flushes = 0
    public var rows = 0
    public var seconds = 0.0
}

/// One camera's writer counters.
public struct CameraWriteStats: Sendable {
    public var framesWritten: Int
    public var bytesWritten: Int64
    public var framesDropped: Int
    /// Wall time (90 kHz) up to which video has been written to a sample file.
    public var newestWritten90k: Int64?
}

/// A sample file handed from a camera's lock to the flusher; safe because only the flusher fsyncs
/// and closes files, and appends on another thread use the same descriptor (POSIX allows it).
struct UnsafeFile: @unchecked Sendable {
    let file: SampleFile
}
