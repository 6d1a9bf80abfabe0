import Media

/// One camera's frames since its last key frame, kept as compact copies for cameras nobody watches,
/// so that the first viewer's picture appears at once instead of up to a GOP later (docs/live.md);
/// also what a masked or converting encoder starts from (`MaskedLive`).
///
/// The frames are copied into one buffer whose capacity is kept from GOP to GOP, rather than held
/// as references to their access units: holding a GOP of access units for each of 300 cameras
/// cost 1.2 MB and 0.09 s of CPU per camera-minute (allocations that outlive seconds defeat the
/// allocator's reuse); this costs one `memcpy` per frame and about the GOP's size in memory.
public struct RecentGOP: Sendable {
    struct Entry: Sendable {
        var end: Int
        var timestamp: Int64
        var rtpTimestamp: UInt32
        var isKeyFrame: Bool
        var wall: Int64
    }

    public private(set) var parameters: VideoParameters?
    /// The frames' NAL units, each prefixed by its 4-byte length.
    private var bytes: [UInt8] = []
    private(set) var entries: [Entry] = []
    /// A GOP larger than this is not kept (a first viewer then waits for the next key frame).
    static let maxBytes = 8 << 20

    public init() {}

    /// The frames kept.
    public var count: Int { entries.count }

    public mutating func add(_ unit: AccessUnit, parameters: VideoParameters, wall: Int64) {
        if unit.isKeyFrame || self.parameters != parameters {
            bytes.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
            self.parameters = parameters
        }
        guard unit.isKeyFrame || !entries.isEmpty else { return }  // wait for a key frame
        guard bytes.count + AVCCFormat.lengthPrefixedSize(unit.nalUnits) <= Self.maxBytes else {
            bytes.removeAll()
            entries.removeAll()
            return
        }
        AVCCFormat.append(unit.nalUnits, to: &bytes)
        entries.append(Entry(end: bytes.count, timestamp: unit.timestamp, rtpTimestamp: unit.rtpTimestamp, isKeyFrame: unit.isKeyFrame, wall: wall))
    }

    /// The kept frames as access units again, in the order they arrived (first a key frame).
    public func units() -> [(unit: AccessUnit, wall: Int64)] {
        var result: [(unit: AccessUnit, wall: Int64)] = []
        result.reserveCapacity(entries.count)
        var start = 0
        for entry in entries {
            // Written by `add`, so always well formed.
            let nalUnits = (try? AVCCFormat.split(Array(bytes[start..<entry.end]))) ?? []
            result.append((AccessUnit(timestamp: entry.timestamp, rtpTimestamp: entry.rtpTimestamp, isKeyFrame: entry.isKeyFrame, nalUnits: nalUnits), entry.wall))
            start = entry.end
        }
        return result
    }
}
