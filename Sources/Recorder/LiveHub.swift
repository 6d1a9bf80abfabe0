import Media
import Synchronization

/// Live view for any number of viewers from the one upstream session per camera: a ``FrameSink``
/// beside the recording writer that turns each access unit into a fragmented-MP4 fragment once and
/// hands it to every viewer of the camera (docs/live.md).
///
/// A viewer starts with the camera's initialization segment and then fragments from a key frame
/// on. A viewer that cannot keep up never grows a queue: when its backlog passes
/// `maxQueuedFrames`, the backlog is dropped and it resumes at the next key frame, which is where
/// a decoder can start again. The camera and the other viewers never wait for it.
public final class LiveHub: FrameSink {
    /// What a viewer receives, in order: an initialization segment (again when the camera's
    /// parameters change), then fragments.
    public enum Message: Sendable, Equatable {
        case initSegment([UInt8], mimeCodec: String)
        case fragment([UInt8], isKeyFrame: Bool, wallTime: Int64)
    }

    public let maxQueuedFrames: Int
    private let cameras = Mutex<[Int64: CameraState]>([:])
    /// The frames since the last key frame of cameras without a ``CameraState`` (nobody watched
    /// them lately), for an instant first picture. Only touched inside `cameras`' lock.
    private let recent = Mutex<[Int64: RecentGOP]>([:])
    private let nextViewerID = Atomic<Int>(1)
    /// Viewers per camera, apart from `cameras` so that the ingest's read pacing can ask whether a
    /// camera is being watched without taking the hub's lock.
    private let watchers = Mutex<[Int64: Int]>([:])

    struct CameraState {
        var parameters: VideoParameters?
        var initSegment: [UInt8] = []
        var estimator = DecodeTimestampEstimator()
        var queued: [(unit: AccessUnit, wall: Int64)] = []
        var sequence: UInt32 = 0
        var lastInterval: Int64 = 3600
        var lastDTS: Int64?
        /// The first decode time of the run, so that fragments' decode times start at 0.
        var originDTS: Int64?
        /// The frames since the last key frame (references, not copies), so that a new viewer
        /// starts at once instead of waiting up to a GOP for the next key frame.
        var gop: [Frame] = []
        var viewers: [Int: Viewer] = [:]
        /// When the last viewer left; the state (and its cache) is dropped `keepWatched` later.
        var idleSince: ContinuousClock.Instant?
    }

    /// How long a camera keeps its ``CameraState`` after its last viewer left; after that it only
    /// keeps a compact copy of its current GOP (``RecentGOP``).
    static let keepWatched: Duration = .seconds(600)

    struct Frame {
        var unit: AccessUnit
        var wall: Int64
        var decodeTime: UInt64
        var duration: Int64
        var compositionOffset: Int64

        func fragment(sequence: UInt32) -> [UInt8] {
            let sample = MP4Sample(duration: UInt32(clamping: duration), size: 0, isKeyFrame: unit.isKeyFrame, compositionOffset: Int32(clamping: compositionOffset))
            return FragmentedMP4.fragment(sequenceNumber: sequence, baseDecodeTime90k: decodeTime, sample: sample, data: unit.nalUnits)
        }
    }

    /// Longer GOPs than this are not kept (a new viewer then waits for the next key frame).
    static let maxCachedFrames = 150

    public init(maxQueuedFrames: Int = 75) {
        self.maxQueuedFrames = maxQueuedFrames
    }

    /// Starts watching `camera`. The viewer first receives the frames since the camera's last key
    /// frame (so a picture appears at once; a player then jumps to the live edge), then every new
    /// frame. Only before a camera's first key frame does a viewer wait for one.
    public func subscribe(camera: Int64) -> Subscription {
        let viewer = Viewer(limit: maxQueuedFrames)
        let id = nextViewerID.wrappingAdd(1, ordering: .relaxed).oldValue
        watchers.withLock { $0[camera, default: 0] += 1 }
        cameras.withLock { all in
            var state: CameraState
            if let existing = all.removeValue(forKey: camera) {
                state = existing
            } else {
                // Nobody watched it lately: rebuild the state from the compact copy of its GOP.
                state = CameraState()
                if let gop = recent.withLock({ $0.removeValue(forKey: camera) }), let parameters = gop.parameters {
                    for (unit, wall) in gop.units() { state.add(unit, parameters: parameters, wall: wall) }
                }
            }
            defer { all[camera] = state }
            state.viewers[id] = viewer
            state.idleSince = nil
            if let parameters = state.parameters, state.gop.first?.unit.isKeyFrame == true {
                let fragments = state.gop.enumerated().map { i, frame in
                    (bytes: frame.fragment(sequence: state.sequence &+ UInt32(i)), isKeyFrame: frame.unit.isKeyFrame, wall: frame.wall)
                }
                viewer.prime(initSegment: state.initSegment, mimeCodec: parameters.codecString, fragments: fragments)
            }
        }
        return Subscription(viewer: viewer) { [weak self] in
            self?.watchers.withLock { w in
                w[camera, default: 1] -= 1
                if w[camera]! <= 0 { w[camera] = nil }
            }
            self?.cameras.withLock { all in
                _ = all[camera]?.viewers.removeValue(forKey: id)
                if all[camera]?.viewers.isEmpty == true { all[camera]?.idleSince = .now }
            }
        }
    }

    /// Whether anyone is watching `camera` live now: its reads are then not paced (`RTSP.ReadPacer`).
    public func isWatched(camera: Int64) -> Bool { watchers.withLock { $0[camera] != nil } }

    /// Viewers of each camera, for status and tests.
    public func viewerCounts() -> [Int64: Int] {
        cameras.withLock { $0.compactMapValues { $0.viewers.isEmpty ? nil : $0.viewers.count } }
    }

    public func streamStarted(camera: Int64, parameters: VideoParameters) {}

    public func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) {
        cameras.withLock { all in
            // Cameras watched now or lately have a state; the others only keep a compact copy of
            // their GOP. (Taken out of the dictionary while it changes, so that its arrays are
            // not copied.)
            guard var state = all.removeValue(forKey: camera),
                  !state.viewers.isEmpty || state.idleSince.map({ ContinuousClock.now - $0 <= Self.keepWatched }) ?? true else {
                recent.withLock { $0[camera, default: RecentGOP()].add(unit, parameters: parameters, wall: wallTime) }
                return
            }
            defer { all[camera] = state }
            state.add(unit, parameters: parameters, wall: wallTime)
        }
    }

    public func streamEnded(camera: Int64) {
        cameras.withLock { all in
            _ = recent.withLock { $0.removeValue(forKey: camera) }
            guard var state = all[camera] else { return }
            // A new run has new timestamps that start again at 0: viewers get the initialization
            // segment again (a player resets its buffer on it) and resume at a key frame.
            state.estimator = DecodeTimestampEstimator()
            state.queued.removeAll()
            state.lastDTS = nil
            state.originDTS = nil
            state.gop.removeAll()
            for viewer in state.viewers.values { viewer.needsInit() }
            all[camera] = state
        }
    }

    /// One viewer's queue, filled by the camera's ingest and drained by the viewer's connection.
    public final class Viewer: Sendable {
        struct State {
            var queue: [Message] = []
            var queuedFrames = 0
            var sentInit = false
            var waitingForKey = true
            var waiter: CheckedContinuation<Message?, Never>?
            var closed = false
            var skips = 0
        }
        let limit: Int
        let state = Mutex(State())

        init(limit: Int) { self.limit = limit }

        func needsInit() { state.withLock { $0.sentInit = false; $0.waitingForKey = true } }

        /// Starts a new viewer with the frames since the last key frame.
        func prime(initSegment: [UInt8], mimeCodec: String, fragments: [(bytes: [UInt8], isKeyFrame: Bool, wall: Int64)]) {
            state.withLock { s in
                s.queue = [.initSegment(initSegment, mimeCodec: mimeCodec)] + fragments.map { .fragment($0.bytes, isKeyFrame: $0.isKeyFrame, wallTime: $0.wall) }
                s.queuedFrames = fragments.count
                s.sentInit = true
                s.waitingForKey = false
            }
        }

        func offer(_ fragment: [UInt8], isKeyFrame: Bool, wallTime: Int64, initSegment: [UInt8], mimeCodec: String) {
            let resume: (CheckedContinuation<Message?, Never>, Message)? = state.withLock { s in
                if s.closed { return nil }
                if s.waitingForKey && !isKeyFrame { return nil }
                if s.queuedFrames >= limit {
                    // Too slow: drop the backlog (keeping an init segment not yet sent) and resume
                    // at the next key frame.
                    s.queue.removeAll { if case .fragment = $0 { return true } else { return false } }
                    s.queuedFrames = 0
                    s.skips += 1
                    if !isKeyFrame {
                        s.waitingForKey = true
                        return nil
                    }
                }
                s.waitingForKey = false
                if !s.sentInit {
                    s.queue.append(.initSegment(initSegment, mimeCodec: mimeCodec))
                    s.sentInit = true
                }
                s.queue.append(.fragment(fragment, isKeyFrame: isKeyFrame, wallTime: wallTime))
                s.queuedFrames += 1
                if let waiter = s.waiter {
                    s.waiter = nil
                    return (waiter, s.pop())
                }
                return nil
            }
            if let (waiter, message) = resume { waiter.resume(returning: message) }
        }

        /// The next message, waiting for one if none is queued; nil once closed.
        func next() async -> Message? {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Message?, Never>) in
                    let ready: Message?? = state.withLock { s in
                        if !s.queue.isEmpty { return .some(s.pop()) }
                        if s.closed || Task.isCancelled { return .some(nil) }
                        s.waiter = continuation
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            } onCancel: {
                close()
            }
        }

        func close() {
            let waiter = state.withLock { s -> CheckedContinuation<Message?, Never>? in
                s.closed = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: nil)
        }

        /// How often this viewer was moved forward to a newer key frame because it fell behind.
        public var skips: Int { state.withLock { $0.skips } }
    }

    /// A viewer's stream of messages; ends when cancelled. Call ``cancel()`` (or let it go) to stop.
    public final class Subscription: AsyncSequence, Sendable {
        public typealias Element = Message
        let viewer: Viewer
        let onCancel: @Sendable () -> Void

        init(viewer: Viewer, onCancel: @escaping @Sendable () -> Void) {
            self.viewer = viewer
            self.onCancel = onCancel
        }

        deinit { cancel() }

        public func cancel() {
            viewer.close()
            onCancel()
        }

        /// Times this viewer was moved to a newer key frame because it fell behind.
        public var skips: Int { viewer.skips }

        public struct AsyncIterator: AsyncIteratorProtocol {
            let viewer: Viewer
            public mutating func next() async -> Message? { await viewer.next() }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(viewer: viewer) }
    }
}

extension LiveHub.Viewer.State {
    mutating func pop() -> LiveHub.Message {
        let message = queue.removeFirst()
        if case .fragment = message { queuedFrames -= 1 }
        return message
    }
}

extension LiveHub.CameraState {
    /// Takes one access unit: decode time, the GOP kept for new viewers, and a fragment for every
    /// viewer (built only when someone watches).
    mutating func add(_ unit: AccessUnit, parameters: VideoParameters, wall wallTime: Int64) {
        if self.parameters != parameters {
            self.parameters = parameters
            initSegment = FragmentedMP4.initSegment(parameters: parameters)
            gop.removeAll()
            for viewer in viewers.values { viewer.needsInit() }
        }
        queued.append((unit, wallTime))
        for (dts, pts) in estimator.push(pts: unit.timestamp, isKeyFrame: unit.isKeyFrame) {
            let (queuedUnit, wall) = queued.removeFirst()
            if let last = lastDTS, dts > last { lastInterval = dts - last }
            lastDTS = dts
            let origin = originDTS ?? dts
            originDTS = origin
            let frame = LiveHub.Frame(unit: queuedUnit, wall: wall, decodeTime: UInt64(max(0, dts - origin)), duration: lastInterval, compositionOffset: pts - dts)
            if queuedUnit.isKeyFrame { gop.removeAll(keepingCapacity: true) }
            if !gop.isEmpty || queuedUnit.isKeyFrame, gop.count < LiveHub.maxCachedFrames { gop.append(frame) } else { gop.removeAll() }
            guard !viewers.isEmpty else { continue }  // nobody watches: no fragment is built
            sequence &+= 1
            let fragment = frame.fragment(sequence: sequence)
            for viewer in viewers.values {
                viewer.offer(fragment, isKeyFrame: queuedUnit.isKeyFrame, wallTime: wall, initSegment: initSegment,
                             mimeCodec: parameters.codecString)
            }
        }
    }
}
