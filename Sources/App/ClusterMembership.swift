import Alerts
import Catalog
import Foundation
import Logging
import Recorder
import ServiceLifecycle
import Synchronization

/// A node's part in a cluster (docs/cluster.md), as one service of its `ServiceGroup`: every
/// heartbeat interval it tells the catalogue it is alive and, if it records, balances the camera
/// leases and hands the recorder exactly the cameras whose leases it holds. When the catalogue
/// cannot be reached, the recorder keeps the cameras it has (recording goes on; the writer keeps
/// the index rows until the catalogue is back) and the next beat tries again. On a clean stop
/// (after the writer's last flush: this service starts first, so it stops last) it lets go of its
/// leases so that the others take its cameras at once.
final class ClusterMembership: Service, Sendable {
    let store: any ClusterStore
    let catalog: AulaCatalog
    let recorder: Recorder
    /// What this node has written of each camera: a camera handed over to it is taken once its
    /// footage reaches back past the old owner's last flush.
    let writer: RecordingWriter?
    /// When this node first found each camera handed over to it written to disk.
    let writingSince = Mutex<[Int64: ContinuousClock.Instant]>([:])
    let settings: ClusterSettings
    let recordingsRoot: String
    let address: Mutex<String>
    let started = CatalogClock.nowMicros()
    /// What else follows a change of motion settings made on any node (privacy zones, analysis).
    let motionChanged: @Sendable () async -> Void
    /// Where a catalogue outage is reported once the catalogue answers again.
    let alerts: AlertHub?
    /// Set when another node changed the registry or motion settings: the next beat comes at once.
    let changed = Mutex(false)
    let logger: Logger

    init(store: any ClusterStore, catalog: AulaCatalog, recorder: Recorder, writer: RecordingWriter? = nil, settings: ClusterSettings, recordingsRoot: String,
         motionChanged: @escaping @Sendable () async -> Void = {}, alerts: AlertHub? = nil, logger: Logger) {
        self.store = store
        self.catalog = catalog
        self.recorder = recorder
        self.writer = writer
        self.settings = settings
        self.recordingsRoot = recordingsRoot
        self.motionChanged = motionChanged
        self.alerts = alerts
        address = Mutex(settings.address)
        self.logger = logger
    }

    func run() async throws {
        // Change notices (LISTEN/NOTIFY): a camera registered, changed or deleted on any node
        // reaches its owner within a tenth of a second plus one beat, not a heartbeat later.
        let watcher = Task { [self] in
            while !Task.isCancelled {
                do {
                    try await store.watchChanges { [self] table in
                        if table.hasPrefix("alert:") {
                            // Raised, escalated or acknowledged on any node: this node's operators hear of it too.
                            guard let id = Int64(table.dropFirst(6)) else { return }
                            do { try await alerts?.deliver(id: id) } catch {
                                logger.warning("could not read an alert another node raised", metadata: ["alert": "\(id)", "error": "\(error)"])
                            }
                        } else if table == "camera_motion" {
                            await motionChanged()
                        } else {
                            changed.withLock { $0 = true }
                        }
                    }
                } catch {
                    logger.warning("change notices stopped; the heartbeat still brings changes", metadata: ["error": "\(String(reflecting: error))"])
                    try? await Task.sleep(for: settings.heartbeatInterval)
                }
            }
        }
        defer { watcher.cancel() }
        var lastLeases: Set<Int64>?
        var offered: Set<Int64> = []
        var unreachableSince: Int64?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await beat(&lastLeases, offered: &offered)
                if let since = unreachableSince {
                    try await reportOutage(since: since)
                    unreachableSince = nil
                }
            } catch {
                if unreachableSince == nil { unreachableSince = CatalogClock.nowMicros() }
                logger.warning("the cluster catalogue did not answer: recording goes on with the cameras held", metadata: ["error": "\(String(reflecting: error))"])
            }
            // Until the next heartbeat, or a change notice, or shutdown: whichever comes first.
            let slices = max(1, Int(settings.heartbeatInterval / .milliseconds(100)))
            for _ in 0..<slices {
                if Task.isShuttingDownGracefully || changed.withLock({ let c = $0; $0 = false; return c }) { break }
                do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
            }
        }
        if settings.role.records {
            do { try await store.releaseLeases() } catch {
                logger.warning("could not let go of the leases: other nodes take the cameras when they expire", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The catalogue answers again after it could not be reached: the operators hear of it (the
    /// alert is stored in the catalogue, so it can only be raised now), with how long it lasted.
    func reportOutage(since: Int64) async throws {
        let seconds = Double(CatalogClock.nowMicros() - since) / 1e6
        let message = "node \(store.nodeName) could not reach the catalogue for \(String(format: "%.0f", seconds)) s; it recorded on and kept the index rows until it answered"
        logger.notice("the cluster catalogue answers again", metadata: ["node": "\(store.nodeName)", "seconds": "\(String(format: "%.1f", seconds))"])
        _ = try await alerts?.raise(.catalogueOutage, camera: nil, message: message)
    }

    /// One heartbeat, and the leases balanced.
    func beat(_ lastLeases: inout Set<Int64>?, offered: inout Set<Int64>) async throws {
        let volume = VolumeSpace.of(recordingsRoot)
        let receiving = await recorder.allStatuses().count
        try await store.heartbeat(NodeReport(
            name: store.nodeName, role: settings.role, address: address.withLock { $0.hasSuffix(":0") ? "" : $0 }, capacity: settings.role.records ? settings.capacity : 0,
            cameras: receiving, diskFreeBytes: volume?.availableBytes ?? 0, diskTotalBytes: volume?.totalBytes ?? 0, startedMicros: started))
        guard settings.role.records else { return }
        let ready = readyToTake(offered)
        let balance = try await store.balanceLeases(capacity: settings.capacity, ttlMicros: settings.leaseMicros, ready: ready)
        let leases = Set(balance.held.map(\.cameraID))
        offered = Set(balance.offered.map(\.cameraID))
        // Every beat: a camera's changed settings reach its owner here too. Cameras handed over
        // to this node are recorded before their leases move (make-before-break).
        let cameras = try await catalog.cameras().filter { leases.contains($0.id) || offered.contains($0.id) }
        await recorder.assign(cameras)
        if leases != lastLeases {
            logger.notice("camera leases", metadata: ["node": "\(store.nodeName)", "cameras": "\(leases.sorted())"])
            lastLeases = leases
        }
    }

    /// Cameras handed over to this node that it has been writing to disk for longer than a flush
    /// interval (and half a second more): the old owner's last accepted flush cannot end before
    /// this node's footage begins, so taking the lease now leaves no gap in the index.
    func readyToTake(_ offered: Set<Int64>) -> Set<Int64> {
        guard let writer else { return offered }
        let written = writer.cameraStats()
        let now = ContinuousClock.now
        let margin = writer.flushInterval + .milliseconds(500)
        return writingSince.withLock { since in
            since = since.filter { offered.contains($0.key) }
            for camera in offered where (written[camera]?.framesWritten ?? 0) > 0 && since[camera] == nil { since[camera] = now }
            return Set(since.filter { now - $0.value >= margin }.keys)
        }
    }
}
