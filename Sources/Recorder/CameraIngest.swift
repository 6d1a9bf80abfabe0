import Catalog
import Foundation
import Logging
import Media
import RTSP
import Synchronization

/// Which of a camera's streams an ingest receives (docs/live.md, "Main and sub streams").
public enum StreamRole: String, Sendable, Codable {
    /// The full-size stream: recording, a single camera full size, snapshots, evidence.
    case main
    /// The smaller second stream: the wall and motion analysis.
    case sub
}

/// One camera stream's ingest: an RTSP session kept open forever, reconnecting with backoff,
/// feeding its access units to the sinks and keeping the stream's live status.
public final class CameraIngest: Sendable {
    public let camera: Camera
    public let role: StreamRole
    let sinks: [any FrameSink]
    let logger: Logger
    let backoff: Backoff
    let readPacing: ReadPacing?
    /// Status and counters behind one lock: it is taken for every frame.
    private let live = Mutex(Live())

    private struct Live {
        var status = CameraStatus()
        /// Loss counters of earlier sessions (each session's depacketiser starts from zero).
        var earlier = DepacketizerStats(packets: 0, gaps: 0, lostPackets: 0, droppedAccessUnits: 0, accessUnits: 0)
        var session = DepacketizerStats(packets: 0, gaps: 0, lostPackets: 0, droppedAccessUnits: 0, accessUnits: 0)
        var window = RateWindow()
    }

    public init(camera: Camera, role: StreamRole = .main, sinks: [any FrameSink], backoff: Backoff = Backoff(), readPacing: ReadPacing? = nil, logger: Logger) {
        self.camera = camera
        self.role = role
        self.readPacing = readPacing
        self.sinks = sinks
        self.backoff = backoff
        var logger = logger
        logger[metadataKey: "camera"] = "\(camera.id)"
        if role == .sub { logger[metadataKey: "stream"] = "sub" }
        self.logger = logger
    }

    public var currentStatus: CameraStatus {
        let now = Self.monotonicNanos()
        var (s, rates) = live.withLock { live -> (CameraStatus, (fps: Double?, bitrate: Int?)) in (live.status, live.window.rates(now: now)) }
        let (fps, bitrate) = rates
        if s.state == .streaming {
            s.fps = fps
            s.bitrate = bitrate
        } else {
            s.fps = nil
            s.bitrate = nil
        }
        return s
    }

    /// Runs until cancelled.
    public func run() async {
        let login = role == .sub ? camera.subStreamLogin : CameraStream(rtspURL: camera.rtspURL, username: camera.username, password: camera.password)
        guard let login, let url = RTSPURL(login.rtspURL) else {
            live.withLock {
                $0.status.state = .failed
                $0.status.lastError = role == .sub ? "the sub stream's address is not a valid rtsp:// URL" : "the camera address is not a valid rtsp:// URL"
            }
            return
        }
        var configuration = RTSPClientConfiguration(url: url)
        if let readPacing {
            configuration.readPacing = readPacing.interval
            configuration.readUrgently = { [id = camera.id] in readPacing.isUrgent(id) }
        }
        if let username = login.username {
            configuration.credentials = Credentials(username: username, password: login.password ?? "")
        }
        let client = RTSPClient(configuration: configuration, logger: logger)
        var backoff = self.backoff
        while !Task.isCancelled {
            live.withLock {
                $0.status.state = .connecting
                $0.status.connections += 1
                $0.status.nextRetryTime = nil
            }
            let started = Self.monotonicNanos()
            let gate = SessionGate()
            do {
                // Frames reach the sinks on the connection's event loop, as they are depacketised
                // (FrameSink): no task hand-over per frame.
                _ = try await client.run(frames: { [self] unit, parameters, stats in
                    gate.ifOpen { first in
                        if first {
                            for sink in sinks { sink.streamStarted(camera: camera.id, parameters: parameters) }
                        }
                        let wall = Self.wallMicros()
                        record(unit: unit, parameters: parameters, stats: stats, wall: wall)
                        for sink in sinks { sink.accessUnit(camera: camera.id, unit: unit, parameters: parameters, wallTime: wall) }
                    }
                }) { _ in }
            } catch is CancellationError {
                // Stopped (the camera was removed, changed or handed to another node): the run
                // ends here too, so that the writer closes its file and commits its last row
                // with `endsRun`, rather than keeping an open recording of a camera it no longer
                // receives.
                if gate.close() {
                    for sink in sinks { sink.streamEnded(camera: camera.id) }
                }
                break
            } catch {
                // No frame of this session reaches a sink after this (its event loop may still be
                // decoding what it had read), so streamEnded is the last word of the run.
                let streamed = gate.close()
                if Task.isCancelled { break }
                let message = (error as? RTSPClientError)?.message ?? "the connection failed (\(error))"
                let kind = (error as? RTSPClientError)?.kind
                let permanent = kind == .unauthorized || kind == .notFound || kind == .unsupported || kind == .missingParameters
                live.withLock {
                    let ended = $0.session
                    $0.session = DepacketizerStats(packets: 0, gaps: 0, lostPackets: 0, droppedAccessUnits: 0, accessUnits: 0)
                    $0.earlier.gaps += ended.gaps
                    $0.earlier.lostPackets += ended.lostPackets
                    $0.earlier.droppedAccessUnits += ended.droppedAccessUnits
                    $0.earlier.packets += ended.packets
                    $0.earlier.accessUnits += ended.accessUnits
                }
                if Self.monotonicNanos() - started > 10_000_000_000 && streamed { backoff.reset() }
                let delay = permanent ? max(backoff.next(), 10) : backoff.next()
                logger.warning("camera session ended", metadata: ["reason": "\(message)", "retryIn": "\(String(format: "%.1f", delay))s"])
                live.withLock {
                    $0.status.state = permanent ? .failed : .retrying
                    $0.status.lastError = message
                    $0.status.lastErrorTime = Self.wallMicros()
                    $0.status.nextRetryTime = Self.wallMicros() + Int64(delay * 1_000_000)
                }
                if streamed {
                    for sink in sinks { sink.streamEnded(camera: camera.id) }
                }
                do { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) } catch { break }
                continue
            }
        }
        live.withLock { $0.status.state = .connecting }
    }

    private func record(unit: AccessUnit, parameters: VideoParameters, stats: DepacketizerStats, wall: Int64) {
        let now = Self.monotonicNanos()
        let bytes = unit.nalUnits.reduce(0) { $0 + $1.count + 4 }
        live.withLock { live in
            live.window.add(now: now, media90k: unit.timestamp, bytes: bytes)
            live.session = stats
            let base = live.earlier
            live.status.state = .streaming
            live.status.codec = parameters.codec.rawValue
            live.status.width = parameters.width
            live.status.height = parameters.height
            live.status.profile = parameters.profile
            live.status.framesReceived += 1
            if unit.isKeyFrame { live.status.keyFrames += 1 }
            live.status.gaps = base.gaps + stats.gaps
            live.status.lostPackets = base.lostPackets + stats.lostPackets
            live.status.droppedFrames = base.droppedAccessUnits + stats.droppedAccessUnits
            live.status.lastFrameTime = wall
        }
    }

    static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func wallMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

/// Frames and bytes of the last few seconds, for fps and bitrate.
///
/// The frames are chosen by arrival time (the last 3 s), but the rates are measured against the
/// camera's own clock (the span of their RTP timestamps): arrivals bunch up whenever the network or
/// a busy server delays reading, which would make arrival-based rates swing far from what the
/// camera sends.
struct RateWindow {
    var samples: [(time: Int64, media90k: Int64, bytes: Int)] = []
    static let span: Int64 = 3_000_000_000

    mutating func add(now: Int64, media90k: Int64, bytes: Int) {
        samples.append((now, media90k, bytes))
        if let first = samples.first, now - first.time > Self.span * 2 {
            samples.removeAll { now - $0.time > Self.span }
        }
    }

    func rates(now: Int64) -> (fps: Double?, bitrate: Int?) {
        let recent = samples.filter { now - $0.time <= Self.span }
        guard recent.count >= 2, let low = recent.map(\.media90k).min(), let high = recent.map(\.media90k).max(), high > low else { return (nil, nil) }
        let seconds = Double(high - low) / 90_000
        let fps = Double(recent.count - 1) / seconds
        let bits = Double(recent.dropFirst().reduce(0) { $0 + $1.bytes } * 8) / seconds
        return ((fps * 10).rounded() / 10, Int(bits))
    }
}

/// One session's door to the sinks: frames pass while it is open, and closing it waits for a frame
/// being delivered, so that nothing reaches a sink after the session's end.
final class SessionGate: Sendable {
    private let state = Mutex((open: true, streamed: false))

    /// Runs `deliver` if the session is still open; `first` is true for its first frame.
    func ifOpen(_ deliver: (_ first: Bool) -> Void) {
        state.withLock { s in
            guard s.open else { return }
            let first = !s.streamed
            s.streamed = true
            deliver(first)
        }
    }

    /// Closes the gate; true if any frame passed it.
    @discardableResult
    func close() -> Bool {
        state.withLock { s in
            s.open = false
            return s.streamed
        }
    }
}
