import AulaSecurity
import Catalog
import Footage
import NIOCore

/// Where the other nodes of the cluster are and which camera each records, read from the shared
/// catalogue at most once a second, and the reading of their footage (``PeerFootage``): the
/// node-to-node half of "any node serves everything" (docs/cluster.md).
actor PeerDirectory: PeerFootage {
    let cluster: any ClusterStore
    let settings: ClusterSettings
    let client: PeerClient
    private var nodes: [String: ClusterNode] = [:]
    private var leases: [Int64: CameraLease] = [:]
    private var readAt: ContinuousClock.Instant?
    static let freshness: Duration = .seconds(1)

    init(cluster: any ClusterStore, settings: ClusterSettings, signature: PeerSignature) {
        self.cluster = cluster
        self.settings = settings
        client = PeerClient(node: cluster.nodeName, signature: signature)
    }

    private func refresh() async {
        if let readAt, ContinuousClock.now - readAt < Self.freshness { return }
        do {
            let heard = try await cluster.nodes(ttlMicros: settings.leaseMicros)
            let held = try await cluster.leases()
            nodes = Dictionary(heard.map { ($0.report.name, $0) }, uniquingKeysWith: { a, _ in a })
            leases = Dictionary(held.map { ($0.cameraID, $0) }, uniquingKeysWith: { a, b in a.epoch >= b.epoch ? a : b })
            readAt = .now
        } catch {
            // The catalogue is away: keep what was known; ask again at the next call.
        }
    }

    /// The node, alive, when it is not this one.
    func peer(_ name: String) async -> ClusterNode? {
        await refresh()
        // (A node that has just started reports no address until its HTTP server listens.)
        guard name != cluster.nodeName, let node = nodes[name], node.alive, !node.report.address.isEmpty else { return nil }
        return node
    }

    /// The live node other than this one that holds `camera`'s lease now; nil when it is this node,
    /// nobody, or a node that is not alive.
    func owner(of camera: Int64) async -> ClusterNode? {
        await refresh()
        guard let lease = leases[camera] else { return nil }
        return await peer(lease.node)
    }

    nonisolated func reachable(node: String) async -> Bool { await peer(node) != nil }

    nonisolated func read(node: String, camera: Int64, recording: Int64, range: Range<Int64>, _ body: (ByteBuffer) async throws -> Void) async throws {
        guard let peer = await peer(node) else { throw FootageError.missing(path: "\(node): camera \(camera), recording \(recording) (node not alive)") }
        try await client.get(address: peer.report.address,
                             target: "/api/peer/cameras/\(camera)/recordings/\(recording)?offset=\(range.lowerBound)&length=\(range.count)", body)
    }
}
