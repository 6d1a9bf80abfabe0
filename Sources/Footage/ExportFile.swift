import Media

/// A virtual .mp4 for a time range: the generated header plus byte ranges of sample files.
public struct ExportFile: Sendable {
    public struct Source: Sendable {
        public var path: String
        public var offset: Int64
        public var length: Int

        public init(path: String, offset: Int64, length: Int) {
            self.path = path
            self.offset = offset
            self.length = length
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

    public init(mp4: VirtualMP4, sources: [Source], etag: String, skipped: [Int64], segments: [MP4Segment] = [], creationTime: Int64 = 0) {
        self.mp4 = mp4
        self.sources = sources
        self.etag = etag
        self.skipped = skipped
        self.segments = segments
        self.creationTime = creationTime
    }
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
