/// What a node says about itself at each heartbeat (docs/cluster.md).
public struct NodeReport: Sendable, Equatable {
    /// `all` records and serves; `recorder` records (and serves too: any node serves everything);
    /// `api` serves only and never takes a camera.
    public enum Role: String, Sendable, Codable, CaseIterable {
        case all, recorder, api
        public var records: Bool { self != .api }
    }

    public var name: String
    public var role: Role
    /// Where other nodes and operators reach this node's HTTP server (HOST:PORT).
    public var address: String
    /// The most cameras this node takes.
    public var capacity: Int
    /// Cameras it receives now.
    public var cameras: Int
    public var diskFreeBytes: Int64
    public var diskTotalBytes: Int64
    public var startedMicros: Int64

    public init(name: String, role: Role, address: String, capacity: Int, cameras: Int = 0, diskFreeBytes: Int64 = 0, diskTotalBytes: Int64 = 0,
                startedMicros: Int64 = 0) {
        self.name = name
        self.role = role
        self.address = address
        self.capacity = capacity
        self.cameras = cameras
        self.diskFreeBytes = diskFreeBytes
        self.diskTotalBytes = diskTotalBytes
        self.startedMicros = startedMicros
    }
}

/// A node as the catalogue last heard of it.
public struct ClusterNode: Sendable, Equatable {
    public var report: NodeReport
    /// The catalogue's clock at the last heartbeat (microseconds since the epoch).
    public var lastSeenMicros: Int64
    /// Heard from within the lease time.
    public var alive: Bool
    /// Cameras whose unexpired lease it holds.
    public var leases: Int

    public init(report: NodeReport, lastSeenMicros: Int64, alive: Bool, leases: Int) {
        self.report = report
        self.lastSeenMicros = lastSeenMicros
        self.alive = alive
        self.leases = leases
    }
}

/// A node's right to record a camera: whoever holds the unexpired lease with the current epoch.
public struct CameraLease: Sendable, Equatable, Hashable {
    public var cameraID: Int64
    public var node: String
    /// Grows by one at every change of owner: a commit made under an older epoch is refused.
    public var epoch: Int64
    public var expiresMicros: Int64
    /// The node it is being handed over to (make-before-break): that node records the camera
    /// too, its rows are stored, and it takes the lease once it receives the camera; empty when
    /// no hand-over is under way.
    public var offeredTo: String

    public init(cameraID: Int64, node: String, epoch: Int64, expiresMicros: Int64, offeredTo: String = "") {
        self.cameraID = cameraID
        self.node = node
        self.epoch = epoch
        self.expiresMicros = expiresMicros
        self.offeredTo = offeredTo
    }
}

/// What one balancing leaves a node with.
public struct LeaseBalance: Sendable, Equatable {
    /// The leases in its name (including those it is handing over and still records).
    public var held: [CameraLease]
    /// Leases another node is handing over to it: it records those cameras too, and takes each
    /// lease at a later balancing once it receives the camera (`ready`).
    public var offered: [CameraLease]

    public init(held: [CameraLease], offered: [CameraLease]) {
        self.held = held
        self.offered = offered
    }
}

/// Nodes sharing one catalogue, and which camera each records (docs/cluster.md). Only a shared
/// backend (PostgreSQL) offers it; the catalogue's clock, not the nodes' clocks, decides expiry.
public protocol ClusterStore: Sendable {
    /// The node this catalogue was opened for.
    var nodeName: String { get }
    /// Records that this node is alive, with what it reports.
    func heartbeat(_ report: NodeReport) async throws
    /// Every node ever heard of, by name; `alive` when heard from within `ttlMicros`.
    func nodes(ttlMicros: Int64) async throws -> [ClusterNode]
    /// In one transaction among all nodes: renews this node's leases; hands those beyond its fair
    /// share (cameras over the recording nodes alive, at most `capacity`) over to a node below
    /// its share, make-before-break: it keeps recording them, and offers them (``CameraLease/offeredTo``)
    /// until the other takes them; takes the leases offered to it whose cameras it already
    /// receives (`ready`), and free and expired leases (the cameras of a node that stopped) up to
    /// its share, each with the next epoch.
    func balanceLeases(capacity: Int, ttlMicros: Int64, ready: Set<Int64>) async throws -> LeaseBalance
    /// Every unexpired lease.
    func leases() async throws -> [CameraLease]
    /// Lets go of every lease of this node (on a clean stop), so others take over at once.
    func releaseLeases() async throws
    /// Calls `onChange` with the table's name (`camera`, `camera_motion`) whenever any node
    /// changes the camera registry or motion settings, until the calling task is cancelled.
    func watchChanges(_ onChange: @escaping @Sendable (String) async -> Void) async throws
}

extension ClusterStore {
    /// Balances without taking any offered lease; returns the leases held.
    public func balanceLeases(capacity: Int, ttlMicros: Int64) async throws -> [CameraLease] {
        try await balanceLeases(capacity: capacity, ttlMicros: ttlMicros, ready: []).held
    }
}

/// How a node takes part in a cluster (`aula serve --catalog postgres://… --node NAME`).
public struct ClusterSettings: Sendable {
    public var role: NodeReport.Role
    /// HOST:PORT where this node is reached.
    public var address: String
    public var capacity: Int
    /// A node not heard from for this long loses its cameras to the others.
    public var leaseTime: Duration
    /// Heartbeats (and the balancing of leases) this often: a fifth of the lease time, so that a
    /// node that died is noticed within the lease time and its cameras taken within one more beat.
    public var heartbeatInterval: Duration { leaseTime / 5 }

    public init(role: NodeReport.Role = .all, address: String, capacity: Int = 1000, leaseTime: Duration = .seconds(12)) {
        self.role = role
        self.address = address
        self.capacity = capacity
        self.leaseTime = leaseTime
    }

    public var leaseMicros: Int64 { leaseTime.components.seconds * 1_000_000 + leaseTime.components.attoseconds / 1_000_000_000_000 }
}
