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
    private let nextViewerID = Atomic<Int>(1)

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
        var viewers: [Int: Viewer] = [:]
    }

    public init(maxQueuedFrames: Int = 50) {
        self.maxQueuedFrames = maxQueuedFrames
    }

    /// Starts watching `camera`. The viewer receives nothing until the camera's next key frame
    /// (at most one GOP, typically 1–2 s).
    public func subscribe(camera: Int64) -> Subscription {
        let viewer = Viewer(limit: maxQueuedFrames)
        let id = nextViewerID.wrappingAdd(1, ordering: .relaxed).oldValue
        cameras.withLock { $0[camera, default: CameraState()].viewers[id] = viewer }
        return Subscription(viewer: viewer) { [weak self] in
            self?.cameras.withLock { _ = $0[camera]?.viewers.removeValue(forKey: id) }
        }
    }

    /// Viewers of each camera, for status and tests.
    public func viewerCounts() -> [Int64: Int] {
        cameras.withLock { $0.compactMapValues { $0.viewers.isEmpty ? nil : $0.viewers.count } }
    }

    public func streamStarted(camera: Int64, parameters: VideoParameters) async {}

    public func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) async {
        cameras.withLock { all in
            guard var state = all[camera] else { return }  // nobody has ever watched: no work at all
            defer { all[camera] = state }
            if state.viewers.isEmpty {
                state.queued.removeAll()
                return
            }
            if state.parameters != parameters {
                state.parameters = parameters
                state.initSegment = FragmentedMP4.initSegment(parameters: parameters)
                for viewer in state.viewers.values { viewer.needsInit() }
            }
            state.queued.append((unit, wallTime))
            for (dts, pts) in state.estimator.push(pts: unit.timestamp, isKeyFrame: unit.isKeyFrame) {
                let (queuedUnit, wall) = state.queued.removeFirst()
                if let last = state.lastDTS, dts > last { state.lastInterval = dts - last }
                state.lastDTS = dts
                let origin = state.originDTS ?? dts
                state.originDTS = origin
                state.sequence &+= 1
                let sample = MP4Sample(duration: UInt32(clamping: state.lastInterval), size: 0, isKeyFrame: queuedUnit.isKeyFrame,
                                       compositionOffset: Int32(clamping: pts - dts))
                let fragment = FragmentedMP4.fragment(sequenceNumber: state.sequence, baseDecodeTime90k: UInt64(max(0, dts - origin)),
                                                      sample: sample, data: queuedUnit.nalUnits)
                for viewer in state.viewers.values {
                    viewer.offer(fragment, isKeyFrame: queuedUnit.isKeyFrame, wallTime: wall, initSegment: state.initSegment,
                                 mimeCodec: parameters.codecString)
                }
            }
        }
    }

    public func streamEnded(camera: Int64) async {
        cameras.withLock { all in
            guard var state = all[camera] else { return }
            // A new run has new timestamps that start again at 0: viewers get the initialization
            // segment again (a player resets its buffer on it) and resume at a key frame.
            state.estimator = DecodeTimestampEstimator()
            state.queued.removeAll()
            state.lastDTS = nil
            state.originDTS = nil
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
