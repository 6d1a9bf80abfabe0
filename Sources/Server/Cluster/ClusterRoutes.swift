import Catalog
import Foundation
import Hummingbird
import Recorder

/// `GET /api/cluster/nodes`: the nodes sharing this catalogue, with their state, cameras, load and
/// disk (docs/cluster.md). One node alone (the embedded catalogue) lists itself.
struct ClusterRoutes<Context: RequestContext>: Sendable {
    let cluster: (any ClusterStore)?
    let settings: ClusterSettings?
    let recorder: Recorder
    let recordingsRoot: String

    struct NodeJSON: Encodable {
        var name: String
        var role: String
        var address: String
        /// `up` when heard from within the lease time, `lost` otherwise.
        var state: String
        /// Cameras whose lease it holds, cameras it receives now, and the most it takes.
        var leases: Int
        var cameras: Int
        var capacity: Int
        var diskFreeBytes: Int64
        var diskTotalBytes: Int64
        var lastSeen: String
        var started: String
    }

    func register(on routes: Routes<Context>) {
        routes.get("api/cluster/nodes", .roles(.administrator, .operator),
                   APIDoc("The nodes sharing the catalogue: state, role, cameras, capacity, disk"),
                   use: nodes)
    }

    func nodes(_ request: Request, context: Context) async throws -> Response {
        let nodes: [NodeJSON]
        if let cluster, let settings {
            nodes = try await cluster.nodes(ttlMicros: settings.leaseMicros).map { n in
                NodeJSON(name: n.report.name, role: n.report.role.rawValue, address: n.report.address, state: n.alive ? "up" : "lost",
                         leases: n.leases, cameras: n.report.cameras, capacity: n.report.capacity, diskFreeBytes: n.report.diskFreeBytes,
                         diskTotalBytes: n.report.diskTotalBytes, lastSeen: Self.iso(n.lastSeenMicros), started: Self.iso(n.report.startedMicros))
            }
        } else {
            let cameras = await recorder.allStatuses().count
            let volume = VolumeSpace.of(recordingsRoot)
            let now = CatalogClock.nowMicros()
            nodes = [NodeJSON(name: ProcessInfo.processInfo.hostName, role: "all", address: "", state: "up", leases: cameras, cameras: cameras,
                              capacity: cameras, diskFreeBytes: volume?.availableBytes ?? 0, diskTotalBytes: volume?.totalBytes ?? 0,
                              lastSeen: Self.iso(now), started: Self.iso(now))]
        }
        return try JSONResponse.make(["nodes": nodes])
    }

    static func iso(_ micros: Int64) -> String {
        Date(timeIntervalSince1970: Double(micros) / 1e6).formatted(.iso8601)
    }
}

extension AulaServer {
    func registerClusterRoutes(on routes: Routes<AulaContext>) {
        ClusterRoutes(cluster: catalog.cluster, settings: configuration.cluster, recorder: recorder,
                      recordingsRoot: writer.layout.root).register(on: routes)
        PeerRoutes(layout: writer.layout, sources: liveSources, recorder: recorder, keyFrames: keyFrames, privacy: privacyZones).register(on: routes)
    }
}
