import NIOCore
import Media

/// A virtual .mp4 for a time range: the generated header plus byte ranges of sample files.
public struct ExportFile: Sendable {
    public struct Source: Sendable {
        public var path: String
        public var offset: Int64
        public var length: Int
        /// The node whose disk holds the sample file; empty for this node. Another node's bytes
        /// are read through ``ExportFile/peers`` (the recording `recording` of camera `camera`).
        public var node: String
        public var camera: Int64
        public var recording: Int64

        public init(path: String, offset: Int64, length: Int, node: String = "", camera: Int64 = 0, recording: Int64 = 0) {
            self.path = path
            self.offset = offset
            self.length = length
            self.node = node
            self.camera = camera
            self.recording = recording
        }
    }

    public var mp4: VirtualMP4
    public var sources: [Source]
    public var etag: String
    /// Recordings left out because their files are damaged (reported, never served).
    public var skipped: [Int64]
    /// What ``mp4`` was laid out from (a masked transcode re-encodes them).
    public var segments: [MP4Segment] = []
    public var creationTime: Int64 = 0
    /// Reads the sources that live on other nodes of the cluster (nil with one node alone).
    public var peers: (any PeerFootage)?

    public init(mp4: VirtualMP4, sources: [Source], etag: String, skipped: [Int64], segments: [MP4Segment] = [], creationTime: Int64 = 0) {
        self.mp4 = mp4
        self.sources = sources
        self.etag = etag
        self.skipped = skipped
        self.segments = segments
        self.creationTime = creationTime
    }
}

/// Sample-file bytes on another node of the cluster, read over the node-to-node channel
/// (docs/cluster.md, "Any node serves everything").
public protocol PeerFootage: Sendable {
    /// Whether `node` is alive now (heard from within the lease time): recordings on a node that
    /// is not are left out of an export, as damaged ones are, rather than failing it midway.
    func reachable(node: String) async -> Bool
    /// Calls `body` with the bytes `range` of the sample file of `recording` (camera `camera`) on
    /// `node`, in order, in chunks; throws when the node does not deliver all of them.
    func read(node: String, camera: Int64, recording: Int64, range: Range<Int64>, _ body: (ByteBuffer) async throws -> Void) async throws
}

/// 64-bit FNV-1a: a stable, cheap fingerprint for ETags (not a security measure).
public struct FNV1a: Sendable {
    public var value: UInt64 = 0xcbf2_9ce4_8422_2325
    public init() {}
    public mutating func add(_ text: String) {
        for b in text.utf8 {
            value ^= UInt64(b)
            value = value &* 0x100_0000_01b3
        }
    }
    public var hex: String { String(value, radix: 16) }
}
