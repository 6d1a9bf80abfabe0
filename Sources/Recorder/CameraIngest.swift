import Catalog
import Foundation
import Logging
import Media
import RTSP
import Synchronization

/// One camera's ingest: an RTSP session kept open forever, reconnecting with backoff, feeding its
/// access units to the sinks and keeping the camera's live status.
public final class CameraIngest: Sendable {
    public let camera: Camera
    let sinks: [any FrameSink]
    let logger: Logger
    let backoff: Backoff
    private let status = Mutex(CameraStatus())
    /// Loss counters of earlier sessions (each session's depacketiser starts from zero).
    private let earlier = Mutex(DepacketizerStats(packets: 0, gaps: 0, lostPackets: 0, droppedAccessUnits: 0, accessUnits: 0))
    private let session = Mutex(DepacketizerStats(packets: 0, gaps: 0, lostPackets: 0, droppedAccessUnits: 0, accessUnits: 0))
    private let window = Mutex(RateWindow())

    public init(camera: Camera, sinks: [any FrameSink], backoff: Backoff = Backoff(), logger: Logger) {
        self.camera = camera
        self.sinks = sinks
        self.backoff = backoff
        var logger = logger
        logger[metadataKey: "camera"] = "\(camera.id)"
        self.logger = logger
    }

    public var currentStatus: CameraStatus {
        var s = status.withLock { $0 }
        let (fps, bitrate) = window.withLock { $0.rates(now: Self.monotonicNanos()) }
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
        guard let url = RTSPURL(camera.rtspURL) else {
            status.withLock {
                $0.state = .failed
                $0.lastError = "the camera address is not a valid rtsp:// URL"
            }
            return
        }
        var configuration = RTSPClientConfiguration(url: url)
        if let username = camera.username {
            configuration.credentials = Credentials(username: username, password: camera.password ?? "")
        }
        let client = RTSPClient(configuration: configuration, logger: logger)
        var backoff = self.backoff
        while !Task.isCancelled {
            status.withLock {
                $0.state = .connecting
                $0.connections += 1
                $0.nextRetryTime = nil
            }
            let started = Self.monotonicNanos()
            let streamedFlag = Flag()
            do {
                _ = try await client.run { [self] event in
                    switch event {
                    case .started:
                        break
                    case .accessUnit(let unit, let parameters, let stats):
                        if streamedFlag.setOnce() {
                            for sink in sinks { await sink.streamStarted(camera: camera.id, parameters: parameters) }
                        }
                        let wall = Self.wallMicros()
                        record(unit: unit, parameters: parameters, stats: stats, wall: wall)
                        for sink in sinks { await sink.accessUnit(camera: camera.id, unit: unit, parameters: parameters, wallTime: wall) }
                    }
                }
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                let message = (error as? RTSPClientError)?.message ?? "the connection failed (\(error))"
                let kind = (error as? RTSPClientError)?.kind
                let permanent = kind == .unauthorized || kind == .notFound || kind == .unsupported || kind == .missingParameters
                let ended = session.withLock { s -> DepacketizerStats in
                    defer { s = DepacketizerStats(packets: 0, gaps: 0, lostPackets: 0, droppedAccessUnits: 0, accessUnits: 0) }
                    return s
                }
                earlier.withLock {
                    $0.gaps += ended.gaps
                    $0.lostPackets += ended.lostPackets
                    $0.droppedAccessUnits += ended.droppedAccessUnits
                    $0.packets += ended.packets
                    $0.accessUnits += ended.accessUnits
                }
                if Self.monotonicNanos() - started > 10_000_000_000 && streamedFlag.isSet { backoff.reset() }
                let delay = permanent ? max(backoff.next(), 10) : backoff.next()
                logger.warning("camera session ended", metadata: ["reason": "\(message)", "retryIn": "\(String(format: "%.1f", delay))s"])
                status.withLock {
                    $0.state = permanent ? .failed : .retrying
                    $0.lastError = message
                    $0.lastErrorTime = Self.wallMicros()
                    $0.nextRetryTime = Self.wallMicros() + Int64(delay * 1_000_000)
                }
                if streamedFlag.isSet {
                    for sink in sinks { await sink.streamEnded(camera: camera.id) }
                }
                do { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) } catch { break }
                continue
            }
        }
        status.withLock { $0.state = .connecting }
    }

    private func record(unit: AccessUnit, parameters: VideoParameters, stats: DepacketizerStats, wall: Int64) {
        let now = Self.monotonicNanos()
        let bytes = unit.nalUnits.reduce(0) { $0 + $1.count + 4 }
        window.withLock { $0.add(now: now, media90k: unit.timestamp, bytes: bytes) }
        session.withLock { $0 = stats }
        status.withLock { s in
            s.state = .streaming
            s.codec = parameters.codec.rawValue
            s.width = parameters.width
            s.height = parameters.height
            s.profile = parameters.profile
            s.framesReceived += 1
            if unit.isKeyFrame { s.keyFrames += 1 }
            let base = earlier.withLock { $0 }
            s.gaps = base.gaps + stats.gaps
            s.lostPackets = base.lostPackets + stats.lostPackets
            s.droppedFrames = base.droppedAccessUnits + stats.droppedAccessUnits
            s.lastFrameTime = wall
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

/// A flag set once from the session's event handler.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    /// Sets the flag; true only for the call that set it.
    func setOnce() -> Bool { value.withLock { old in defer { old = true }; return !old } }
}
