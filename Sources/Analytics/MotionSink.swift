import Foundation
import Logging
import Media
import Motion
import Recorder
import ServiceLifecycle
import Synchronization

/// Motion analysis beside recording and live view: a ``FrameSink`` that hands each configured
/// camera's access units to that camera's own analysis task (docs/motion.md, "Wiring").
///
/// Ingest never waits: `accessUnit` takes a lock, counts, and yields into the camera's queue. The
/// queue is bounded (`maxQueuedUnits`): when the analysis task falls that far behind, the rest of
/// the current GOP and every unit up to the next key frame the queue has room for are dropped and
/// counted — a decoder can only resume at a key frame, and what is already queued still decodes,
/// because it runs up to the gap without one missing reference. Cameras without a motion
/// configuration cost one dictionary lookup per frame and are never decoded.
///
/// Each task owns its camera's ``MotionAnalyzer`` (FFmpeg contexts are not thread-safe, so they
/// never leave it). A new configuration ends the task and starts a fresh one, which waits for the
/// next key frame and re-learns the background in 2 s.
public final class MotionSink: FrameSink, Service {
    public let maxQueuedUnits: Int
    let events: MotionEventRecorder
    let logger: Logger
    private let cameras = Mutex<[Int64: CameraState]>([:])

    enum Input: Sendable {
        case unit(AccessUnit, VideoParameters, wallMicros: Int64)
        case ended
    }

    struct CameraState {
        var configuration: MotionConfiguration
        var timeZone: TimeZone
        var continuation: AsyncStream<Input>.Continuation
        var task: Task<Void, Never>
        var queued = 0
        /// Dropping until the next key frame (at start, and after the queue was full).
        var skipping = true
        var counters = MotionCounters()
    }

    /// What the sink did with one camera's frames, for status and tests.
    public struct MotionCounters: Sendable, Equatable, Encodable {
        /// Access units handed to the analyzer.
        public var analysed = 0
        /// Access units dropped because the analyzer was behind (whole GOP tails).
        public var dropped = 0
        /// Times the queue was full and dropping began.
        public var overflows = 0
        public var events = 0
        public var decoderErrors = 0
        /// Access units not decoded because the camera was quiet (only its key frames were).
        public var skippedWhileQuiet = 0
        /// Key frames that showed motion while quiet, after which the GOP before was decoded.
        public var catchUps = 0
        /// The size of the pictures analysed: the sub stream's when the camera has one.
        public var width: Int?
        public var height: Int?
    }

    public init(events: MotionEventRecorder, maxQueuedUnits: Int = 100, logger: Logger) {
        self.events = events
        self.maxQueuedUnits = maxQueuedUnits
        self.logger = logger
    }

    /// Sets (or, with nil, removes) a camera's configuration, replacing its analysis task.
    /// Schedules are read in `timeZone` (the site's; docs/motion.md, "Time zones").
    public func configure(camera: Int64, _ configuration: MotionConfiguration?, timeZone: TimeZone = .current) {
        let old = cameras.withLock { all -> CameraState? in
            let old = all.removeValue(forKey: camera)
            if let configuration {
                all[camera] = start(camera: camera, configuration: configuration, timeZone: timeZone, counters: old?.counters ?? MotionCounters())
            }
            return old
        }
        old?.continuation.yield(.ended)
        old?.continuation.finish()
    }

    /// Cameras being analysed and their counters.
    public func counters() -> [Int64: MotionCounters] { cameras.withLock { $0.mapValues(\.counters) } }

    public func configuration(camera: Int64) -> MotionConfiguration? { cameras.withLock { $0[camera]?.configuration } }

    /// The zone a camera's schedules are read in, while it is analysed.
    public func timeZone(camera: Int64) -> TimeZone? { cameras.withLock { $0[camera]?.timeZone } }

    /// Stops every analysis task (open events are closed).
    public func stopAll() async {
        let tasks = cameras.withLock { all -> [Task<Void, Never>] in
            defer { all.removeAll() }
            for state in all.values { state.continuation.yield(.ended); state.continuation.finish() }
            return all.values.map(\.task)
        }
        for task in tasks { await task.value }
    }

    /// A service of the process: waits for shutdown, then ends every analysis task in order (open
    /// events are closed and stored) before the process exits.
    public func run() async throws {
        try? await gracefulShutdown()
        await stopAll()
    }

    public func streamStarted(camera: Int64, parameters: VideoParameters) {}

    public func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) {
        cameras.withLock { all in
            guard var state = all[camera] else { return }
            defer { all[camera] = state }
            if unit.isKeyFrame {
                state.counters.width = parameters.width
                state.counters.height = parameters.height
            }
            switch GOPQueueAdmission.admit(isKeyFrame: unit.isKeyFrame, queued: state.queued, limit: maxQueuedUnits, skipping: &state.skipping) {
            case .enqueue: break
            case .drop: state.counters.dropped += 1; return
            case .overflow: state.counters.overflows += 1; state.counters.dropped += 1; return
            }
            state.queued += 1
            state.continuation.yield(.unit(unit, parameters, wallMicros: wallTime))
        }
    }

    public func streamEnded(camera: Int64) {
        cameras.withLock { all in
            guard all[camera] != nil else { return }
            all[camera]!.skipping = true
            all[camera]!.continuation.yield(.ended)
        }
    }

    private func start(camera: Int64, configuration: MotionConfiguration, timeZone: TimeZone, counters: MotionCounters) -> CameraState {
        // Unbounded here, bounded by `queued` in accessUnit: the bound must know key frames.
        let (stream, continuation) = AsyncStream<Input>.makeStream()
        let task = Task { [events, logger] in
            await MotionSink.analyse(camera: camera, configuration: configuration, timeZone: timeZone, stream: stream, events: events, logger: logger) { [weak self] change in
                self?.cameras.withLock { all in
                    guard var state = all[camera] else { return }
                    change(&state.counters, &state.queued)
                    all[camera] = state
                }
            }
        }
        return CameraState(configuration: configuration, timeZone: timeZone, continuation: continuation, task: task, counters: counters)
    }

    /// The analysis task of one camera: the only place its analyzer is used.
    private static func analyse(camera: Int64, configuration: MotionConfiguration, timeZone: TimeZone, stream: AsyncStream<Input>, events: MotionEventRecorder,
                                logger: Logger, update: @escaping @Sendable ((inout MotionCounters, inout Int) -> Void) -> Void) async {
        let analyzer = MotionAnalyzer(configuration: configuration)
        let clock = WallClock(timeZone: timeZone)
        analyzer.scheduleClock = { media in clock.localTime(media: media) }
        var parameters: VideoParameters?
        var open: [Int: Int64] = [:]
        for await input in stream {
            switch input {
            case .unit(let unit, let unitParameters, let wall):
                update { _, queued in queued -= 1 }
                clock.anchor(media: unit.timestamp, wallMicros: wall)
                var updates: [MotionEventUpdate] = []
                do {
                    if parameters != unitParameters {
                        try analyzer.streamStarted(parameters: unitParameters)
                        parameters = unitParameters
                    }
                    updates = try analyzer.accessUnit(unit)
                    let (skipped, catchUps) = (analyzer.skippedWhileQuiet, analyzer.catchUps)
                    update { counters, _ in
                        counters.analysed += 1
                        counters.skippedWhileQuiet = skipped
                        counters.catchUps = catchUps
                    }
                } catch {
                    update { counters, _ in counters.decoderErrors += 1 }
                    logger.warning("motion analysis skipped a unit", metadata: ["camera": "\(camera)", "error": "\(error)"])
                }
                if !updates.isEmpty {
                    let started = await events.record(camera: camera, updates: updates, clock: clock, open: &open)
                    if started > 0 { update { counters, _ in counters.events += started } }
                }
            case .ended:
                let updates = analyzer.streamEnded()
                _ = await events.record(camera: camera, updates: updates, clock: clock, open: &open)
                parameters = nil
            }
        }
        _ = await events.record(camera: camera, updates: analyzer.streamEnded(), clock: clock, open: &open)
    }
}

/// Media time (90 kHz, per run) → wall time, from the newest access unit's pair; and the site's
/// local time for schedules (the camera's or the server's `--time-zone`, not the system's).
final class WallClock: Sendable {
    private let pair = Mutex<(media: Int64, wall: Int64)?>(nil)
    private let calendar: Calendar

    init(timeZone: TimeZone = .current) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    func anchor(media: Int64, wallMicros: Int64) { pair.withLock { $0 = (media, wallMicros) } }

    /// Microseconds since the epoch at media time `media`.
    func wallMicros(media: Int64) -> Int64 {
        guard let p = pair.withLock({ $0 }) else { return Int64(Date().timeIntervalSince1970 * 1e6) }
        return p.wall + (media - p.media) * 100 / 9
    }

    func wall90k(media: Int64) -> Int64 { wallMicros(media: media) * 9 / 100 }

    func localTime(media: Int64) -> (minute: Int, weekday: Int) {
        let c = calendar.dateComponents([.hour, .minute, .weekday], from: Date(timeIntervalSince1970: Double(wallMicros(media: media)) / 1e6))
        return ((c.hour ?? 0) * 60 + (c.minute ?? 0), c.weekday ?? 1)
    }
}
