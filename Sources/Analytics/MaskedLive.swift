import Foundation
import Logging
import Media
import Motion
import Recorder
import ServiceLifecycle
import Synchronization

/// Live view with privacy zones blacked out, for viewers without the right to see behind masks
/// (docs/motion.md, "Privacy masks"): a ``FrameSink`` beside the recording writer and the live hub.
///
/// One masked encoder per camera, shared by all its restricted viewers: started when the first
/// arrives (fed the frames since the last key frame, so a picture appears at once), stopped when
/// the last leaves. Its output goes into a second ``LiveHub`` (``hub``), so restricted viewers get
/// the same WebSocket fMP4 stream, key-frame starts and slow-viewer skips as everyone else.
///
/// Ingest never waits: the sink's methods are synchronous, take a lock and enqueue. A camera
/// without privacy zones costs one dictionary lookup per frame and is never decoded. The queue to
/// the encoder is bounded (`maxQueuedUnits`); when the encoder falls behind, the rest of the GOP
/// and whole GOPs up to a key frame that fits are dropped and counted, as for motion analysis
/// (``MotionSink``): the recording and the other cameras never slow down.
///
/// The same machinery, with ``Purpose/transcode`` and no masks, makes the H.264 stream of a camera
/// that sends H.265 for browsers that cannot decode H.265 (docs/live.md, "Every camera in every
/// browser"): one encoder per camera for all its viewers, at most ``maxEncoders`` at once.
public final class MaskedLive: FrameSink, Service {
    /// What the encoder is for.
    public enum Purpose: Sendable {
        /// Privacy zones blacked out, for cameras that have them.
        case privacyMasks
        /// H.264 for cameras that send another codec; nothing masked (restricted viewers get
        /// the ``privacyMasks`` stream, which is H.264 already).
        case transcode
    }

    /// The masked (or transcoded) streams, by camera id.
    public let hub = LiveHub()
    public let purpose: Purpose
    public let maxQueuedUnits: Int
    /// Cameras masked at the same time at most (``canWatch(camera:)``).
    public let maxEncoders: Int
    let zones: PrivacyZones
    let logger: Logger
    private let cameras = Mutex<[Int64: CameraState]>([:])

    enum Input: Sendable {
        case unit(AccessUnit, VideoParameters, wallMicros: Int64)
        case ended
    }

    struct Encoder {
        var continuation: AsyncStream<Input>.Continuation
        var task: Task<Void, Never>
        var queued = 0
        var skipping = true
    }

    struct CameraState {
        /// The frames since the last key frame, as a compact copy (``RecentGOP``): held as
        /// references for every camera that may be converted (every H.265 camera), they would
        /// outlive seconds and defeat the allocator's reuse, as live.md measured for the hub.
        var gop = RecentGOP()
        var viewers = 0
        var encoder: Encoder?
        var counters = Counters()
    }

    /// What the masked encoder of one camera did, for status and tests.
    public struct Counters: Sendable, Equatable {
        /// Access units decoded and re-encoded.
        public var transcoded = 0
        /// Access units dropped because the encoder was behind (whole GOP tails).
        public var dropped = 0
        public var overflows = 0
        public var errors = 0
        /// Times an encoder was started.
        public var starts = 0
    }


    public init(zones: PrivacyZones, purpose: Purpose = .privacyMasks, maxQueuedUnits: Int = 75, maxEncoders: Int = 4, logger: Logger) {
        self.zones = zones
        self.purpose = purpose
        self.maxEncoders = maxEncoders
        self.maxQueuedUnits = maxQueuedUnits
        self.logger = logger
    }

    /// A restricted viewer's masked stream; ``release()`` (or letting it go) ends the viewing.
    public final class Lease: Sendable {
        public let subscription: LiveHub.Subscription
        private let onRelease: Mutex<(@Sendable () -> Void)?>

        init(subscription: LiveHub.Subscription, onRelease: @escaping @Sendable () -> Void) {
            self.subscription = subscription
            self.onRelease = Mutex(onRelease)
        }

        deinit { release() }

        public func release() {
            subscription.cancel()
            onRelease.withLock { f in
                defer { f = nil }
                return f
            }?()
        }
    }

    /// Starts watching `camera` masked; starts the camera's encoder if nobody watched it masked.
    public func subscribe(camera: Int64) -> Lease {
        let subscription = hub.subscribe(camera: camera)
        cameras.withLock { all in
            var state = all[camera] ?? CameraState()
            state.viewers += 1
            if state.encoder == nil {
                let encoder = start(camera: camera, state: &state)
                state.encoder = encoder
            }
            all[camera] = state
        }
        return Lease(subscription: subscription) { [weak self] in self?.leave(camera: camera) }
    }

    private func leave(camera: Int64) {
        let stopped = cameras.withLock { all -> Encoder? in
            guard var state = all[camera] else { return nil }
            state.viewers -= 1
            var stopped: Encoder?
            if state.viewers <= 0 {
                state.viewers = 0
                stopped = state.encoder
                state.encoder = nil
            }
            all[camera] = state
            return stopped
        }
        if let stopped {
            stopped.continuation.finish()
            stopped.task.cancel()
        }
    }

    /// A service of the process: waits for shutdown, then stops every encoder and waits for each to
    /// end, so that no libavcodec context outlives the process's orderly stop.
    public func run() async throws {
        try? await gracefulShutdown()
        await stopAll()
    }

    /// Stops every encoder (viewers' streams end) and waits until their tasks have returned.
    public func stopAll() async {
        let encoders = cameras.withLock { all -> [Encoder] in
            var stopped: [Encoder] = []
            for (camera, var state) in all {
                if let encoder = state.encoder { stopped.append(encoder) }
                state.encoder = nil
                all[camera] = state
            }
            return stopped
        }
        for encoder in encoders {
            encoder.continuation.finish()
            encoder.task.cancel()
        }
        for encoder in encoders { await encoder.task.value }
    }

    /// Whether one more restricted viewer of `camera` can be served: its encoder runs already, or
    /// fewer than ``maxEncoders`` run. (Checked before the upgrade; two viewers arriving at once
    /// may pass it together, so the bound is soft by one or two.)
    public func canWatch(camera: Int64) -> Bool {
        cameras.withLock { all in all[camera]?.encoder != nil || all.values.count(where: { $0.encoder != nil }) < maxEncoders }
    }

    /// Whether someone watches `camera` masked now (its camera is then read as frames arrive).
    public func isWatched(camera: Int64) -> Bool { cameras.withLock { $0[camera]?.encoder != nil } }

    /// Cameras whose masked encoder runs now.
    public func runningEncoders() -> Set<Int64> { cameras.withLock { Set($0.filter { $0.value.encoder != nil }.keys) } }

    public func counters() -> [Int64: Counters] { cameras.withLock { $0.mapValues(\.counters) } }

    // MARK: FrameSink (synchronous: called on ingest, only enqueues)

    public func streamStarted(camera: Int64, parameters: VideoParameters) {}

    public func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) {
        switch purpose {
        case .privacyMasks: guard zones.masker(camera: camera) != nil else { return }
        case .transcode: guard parameters.codec != .h264 else { return }
        }
        cameras.withLock { all in
            var state = all.removeValue(forKey: camera) ?? CameraState()
            defer { all[camera] = state }
            state.gop.add(unit, parameters: parameters, wall: wallTime)
            guard var encoder = state.encoder else { return }
            defer { state.encoder = encoder }
            switch GOPQueueAdmission.admit(isKeyFrame: unit.isKeyFrame, queued: encoder.queued, limit: maxQueuedUnits, skipping: &encoder.skipping) {
            case .enqueue: break
            case .drop: state.counters.dropped += 1; return
            case .overflow: state.counters.overflows += 1; state.counters.dropped += 1; return
            }
            encoder.queued += 1
            encoder.continuation.yield(.unit(unit, parameters, wallMicros: wallTime))
        }
    }

    public func streamEnded(camera: Int64) {
        cameras.withLock { all in
            guard all[camera] != nil else { return }
            all[camera]!.gop = RecentGOP()
            all[camera]!.encoder?.skipping = true
            all[camera]!.encoder?.continuation.yield(.ended)
        }
    }

    // MARK: The encoder task

    /// A new encoder task, fed the current GOP first when it fits in the queue.
    private func start(camera: Int64, state: inout CameraState) -> Encoder {
        let (stream, continuation) = AsyncStream<Input>.makeStream()
        var encoder = Encoder(continuation: continuation, task: Task {}, queued: 0, skipping: true)
        if let parameters = state.gop.parameters, state.gop.count > 0, state.gop.count <= maxQueuedUnits {
            for (unit, wall) in state.gop.units() { continuation.yield(.unit(unit, parameters, wallMicros: wall)) }
            encoder.queued = state.gop.count
            encoder.skipping = false
        }
        state.counters.starts += 1
        encoder.task = Task { [hub, zones, logger, purpose] in
            await Self.run(camera: camera, stream: stream, hub: hub, zones: purpose == .privacyMasks ? zones : nil, logger: logger) { [weak self] change in
                self?.cameras.withLock { all in
                    guard var state = all[camera] else { return }
                    change(&state)
                    all[camera] = state
                }
            }
        }
        return encoder
    }

    /// The only place a camera's masked transcoder is used.
    /// `zones` nil: transcode only, nothing masked.
    private static func run(camera: Int64, stream: AsyncStream<Input>, hub: LiveHub, zones: PrivacyZones?, logger: Logger,
                            update: @escaping @Sendable ((inout CameraState) -> Void) -> Void) async {
        // Viewers of an earlier encoder's stream start again from this one's first key frame.
        hub.streamEnded(camera: camera)
        var transcoder: PrivacyTranscoder?
        var walls: [Int64: Int64] = [:]
        func publish(_ units: [AccessUnit], _ transcoder: PrivacyTranscoder) {
            guard let parameters = transcoder.outputParameters else { return }
            for unit in units where !Task.isCancelled {
                let wall = walls.removeValue(forKey: unit.timestamp) ?? Int64(Date().timeIntervalSince1970 * 1e6)
                hub.accessUnit(camera: camera, unit: unit, parameters: parameters, wallTime: wall)
            }
            if walls.count > 300 { walls.removeAll() }
        }
        for await input in stream {
            if Task.isCancelled { break }
            switch input {
            case .unit(let unit, let parameters, let wall):
                update { state in
                    if var encoder = state.encoder {
                        encoder.queued -= 1
                        state.encoder = encoder
                    }
                }
                let masker = zones?.masker(camera: camera) ?? PrivacyMasker(polygons: [])
                do {
                    if let current = transcoder, current.source != parameters {
                        publish(try current.finish(), current)
                        transcoder = nil
                    }
                    let active = try transcoder ?? PrivacyTranscoder(source: parameters, masker: masker, options: .live)
                    transcoder = active
                    if active.masker.polygons != masker.polygons { active.masker = masker }
                    walls[unit.timestamp] = wall
                    let units = try active.transcode(unit)
                    update { $0.counters.transcoded += 1 }
                    publish(units, active)
                } catch {
                    update { $0.counters.errors += 1 }
                    logger.warning("masked live view skipped a unit", metadata: ["camera": "\(camera)", "error": "\(error)"])
                }
            case .ended:
                if let current = transcoder { publish((try? current.finish()) ?? [], current) }
                transcoder = nil
                walls.removeAll()
                hub.streamEnded(camera: camera)
            }
        }
        // Stopped (the last restricted viewer left): forget this encoder's frames, so that the
        // next viewer is not started on an old picture.
        hub.streamEnded(camera: camera)
    }
}
