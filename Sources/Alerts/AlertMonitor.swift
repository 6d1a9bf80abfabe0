import Catalog
import Foundation
import Logging
import Recorder
import ServiceLifecycle

/// Watches cameras, recording and the disk, raises alerts on changes, and escalates alerts nobody
/// acknowledged (docs/motion.md, "Alerts"). A service of the server's `ServiceGroup`.
///
/// - offline: no frame for `offlineAfter` (or never a frame since the camera was first seen);
///   back online: frames again after an offline alert;
/// - recording stalled: frames arrive but nothing new reached the recording index for `stallAfter`;
///   recording resumed: the index grows again after a stall alert;
/// - disk pressure: retention's pressure leaves `ok` (`high`, `full`); pressure over: back to `ok`.
public struct AlertMonitor: Service {
    let hub: AlertHub
    let recorder: Recorder
    let writer: RecordingWriter
    /// What reached the recording index, per camera (cached for a few seconds).
    let usage: UsageCache
    let pressure: StoragePressure
    let configuration: AlertConfiguration
    let logger: Logger

    public init(hub: AlertHub, recorder: Recorder, writer: RecordingWriter, usage: UsageCache, pressure: StoragePressure,
                configuration: AlertConfiguration, logger: Logger) {
        self.hub = hub
        self.recorder = recorder
        self.writer = writer
        self.usage = usage
        self.pressure = pressure
        self.configuration = configuration
        self.logger = logger
    }

    struct Watch {
        var firstSeen: Int64
        var offline = false
        /// The newest recorded time in the index (nil: nothing recorded yet).
        var recordedUntil: Int64?
        var lastWriteProgress: Int64
        var stalled = false
    }

    public func run() async throws {
        var watches: [Int64: Watch] = [:]
        var pressure = "ok"
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await checkCameras(&watches)
                try await checkDisk(&pressure)
                try await hub.escalateDue(after: configuration.escalateAfter)
            } catch {
                logger.error("alert check failed", metadata: ["error": "\(error)"])
            }
            // A plain sleep: the loop also runs outside a ServiceGroup (tests), and a shutdown
            // waits at most one interval.
            do { try await Task.sleep(for: configuration.checkInterval) } catch { return }
        }
    }

    func checkCameras(_ watches: inout [Int64: Watch]) async throws {
        let now = AlertHub.now()
        let statuses = await recorder.allStatuses()
        // Progress is what reached the index (committed after the fsync), not the writer's frame
        // counters: those count frames gathered in memory, and under a failing disk they rise with
        // every frame and fall back at every failed write, so they never look stalled. The index
        // only grows when video was really recorded. (Cached for a few seconds: `stallAfter` must be
        // longer than that plus a flush interval.)
        let recorded = try await usage.usage(of: .main)
        let offlineAfter = Self.micros(configuration.offlineAfter), stallAfter = Self.micros(configuration.stallAfter)
        for id in watches.keys where statuses[id] == nil { watches[id] = nil }
        for (id, status) in statuses {
            var watch = watches[id] ?? Watch(firstSeen: now, lastWriteProgress: now)
            defer { watches[id] = watch }
            let lastFrame = status.lastFrameTime
            let online = status.state == .streaming && lastFrame.map { now - $0 < offlineAfter } == true
            if online {
                if watch.offline {
                    watch.offline = false
                    try await hub.raise(.cameraOnline, camera: id, message: "camera back online")
                }
                let until = recorded[id]?.newest90k
                if until != watch.recordedUntil {
                    watch.recordedUntil = until
                    watch.lastWriteProgress = now
                    if watch.stalled {
                        watch.stalled = false
                        try await hub.raise(.recordingResumed, camera: id, message: "recording resumed")
                    }
                } else if !watch.stalled, now - watch.lastWriteProgress >= stallAfter {
                    watch.stalled = true
                    let trouble = writer.writeFailures
                    let recent = trouble.lastFailure.map { now - $0 < stallAfter } == true
                    let reason = recent ? trouble.message.map { "; last write error: \($0)" } ?? "" : ""
                    try await hub.raise(.recordingStalled, camera: id, message: "video arrives but nothing was recorded for \(stallAfter / 1_000_000) s\(reason)")
                }
            } else {
                watch.lastWriteProgress = now
                let silentSince = max(lastFrame ?? watch.firstSeen, watch.firstSeen)
                if !watch.offline, now - silentSince >= offlineAfter {
                    watch.offline = true
                    let reason = status.lastError.map { ": \($0)" } ?? ""
                    try await hub.raise(.cameraOffline, camera: id, message: "camera offline, no video for \(max(1, (now - silentSince) / 1_000_000)) s\(reason)")
                }
            }
        }
    }

    func checkDisk(_ last: inout String) async throws {
        let bytes = try await usage.totalBytes()
        let now = pressure.level(volume: VolumeSpace.of(writer.layout.root), recordingsBytes: bytes)
        defer { last = now }
        guard now != last else { return }
        if now == "ok" {
            try await hub.raise(.diskPressureCleared, camera: nil, message: "disk pressure is over: recordings fit within the quota and reserve")
        } else {
            try await hub.raise(.diskPressure, camera: nil, message: now == "full" ? "the disk is full: recordings are being lost" : "disk pressure: retention cannot keep within the quota or reserve")
        }
    }

    static func micros(_ d: Duration) -> Int64 { d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000 }
}
