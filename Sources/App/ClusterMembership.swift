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
    let settings: ClusterSettings
    let recordingsRoot: String
    let address: Mutex<String>
    let started = CatalogClock.nowMicros()
    let logger: Logger

    init(store: any ClusterStore, catalog: AulaCatalog, recorder: Recorder, settings: ClusterSettings, recordingsRoot: String, logger: Logger) {
        self.store = store
        self.catalog = catalog
        self.recorder = recorder
        self.settings = settings
        self.recordingsRoot = recordingsRoot
        address = Mutex(settings.address)
        self.logger = logger
    }

    func run() async throws {
        var lastLeases: Set<Int64>?
        while !Task.isCancelled {
            do {
                try await beat(&lastLeases)
            } catch {
                logger.warning("the cluster catalogue did not answer: recording goes on with the cameras held", metadata: ["error": "\(error)"])
            }
            do {
                try await withGracefulShutdownHandler {
                    try await Task.sleep(for: settings.heartbeatInterval)
                } onGracefulShutdown: {}
            } catch { break }
            if Task.isShuttingDownGracefully { break }
        }
        if settings.role.records {
            do { try await store.releaseLeases() } catch {
                logger.warning("could not let go of the leases: other nodes take the cameras when they expire", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One heartbeat, and the leases balanced.
    func beat(_ lastLeases: inout Set<Int64>?) async throws {
        let volume = VolumeSpace.of(recordingsRoot)
        let receiving = await recorder.allStatuses().count
        try await store.heartbeat(NodeReport(
            name: store.nodeName, role: settings.role, address: address.withLock { $0 }, capacity: settings.role.records ? settings.capacity : 0,
            cameras: receiving, diskFreeBytes: volume?.availableBytes ?? 0, diskTotalBytes: volume?.totalBytes ?? 0, startedMicros: started))
        guard settings.role.records else { return }
        let leases = Set(try await store.balanceLeases(capacity: settings.capacity, ttlMicros: settings.leaseMicros).map(\.cameraID))
        // Every beat: a camera's changed settings reach its owner here too.
        let cameras = try await catalog.cameras().filter { leases.contains($0.id) }
        await recorder.assign(cameras)
        if leases != lastLeases {
            logger.notice("camera leases", metadata: ["node": "\(store.nodeName)", "cameras": "\(leases.sorted())"])
            lastLeases = leases
        }
    }
}
