/// One box of a parsed MP4 file.
public struct MP4Box: Sendable, Equatable {
    /// The four-character type, such as "moov".
    public var type: String
    /// The offset of the box's first byte in the parsed bytes.
    public var offset: Int
    /// The whole box's size, header included.
    public var size: Int
    /// The size of the header: 8, or 16 with a 64-bit `largesize`.
    public var headerSize: Int
    /// Child boxes, for the container types ``MP4BoxReader`` knows.
    public var children: [MP4Box]

    /// Where the payload (everything after the header) lies in the parsed bytes.
    public var payloadRange: Range<Int> { (offset + headerSize)..<(offset + size) }

    /// The first child of the given type.
    public func child(_ type: String) -> MP4Box? {
        children.first { $0.type == type }
    }

    /// The first descendant along a slash-separated path of types, such as "trak/mdia/mdhd".
    public func find(_ path: String) -> MP4Box? {
        var box = self
        for type in path.split(separator: "/") {
            guard let next = box.child(String(type)) else { return nil }
            box = next
        }
        return box
    }
}

/// A minimal MP4 box parser: sizes, types and the tree of the usual container boxes. Enough to
/// check the structure of what ``VirtualMP4`` and ``FragmentedMP4`` write, and to read the
/// header of any MP4 file.
public enum MP4BoxReader {
    /// Box types that hold only boxes.
    static let containers: Set<String> = [
        "moov", "trak", "edts", "mdia", "minf", "dinf", "stbl", "mvex", "moof", "traf", "mfra", "udta",
    ]
    /// Box types that hold boxes after a fixed number of bytes of their own fields.
    static let containersAfterFields: [String: Int] = [
        "stsd": 8,  // version, flags, entry_count
        "dref": 8,
        "avc1": 78, "avc3": 78, "hvc1": 78, "hev1": 78,  // VisualSampleEntry fields
    ]

    /// Parses the boxes in `bytes[range]` (all of `bytes` by default).
    ///
    /// - Throws: ``MediaError`` naming the offset of a box whose size is too small or runs past
    ///   the end.
    public static func parse(_ bytes: [UInt8], range: Range<Int>? = nil) throws(MediaError) -> [MP4Box] {
        let range = range ?? 0..<bytes.count
        guard range.lowerBound >= 0 && range.upperBound <= bytes.count else {
            throw MediaError("MP4 boxes: range \(range) is outside the \(bytes.count) bytes")
        }
        var boxes: [MP4Box] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            guard range.upperBound - offset >= 8 else {
                throw MediaError("MP4 box at offset \(offset): \(range.upperBound - offset) bytes left, too few for a header")
            }
            var size = Int(readUInt32(bytes, offset))
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            var headerSize = 8
            if size == 1 {
                guard range.upperBound - offset >= 16 else {
                    throw MediaError("MP4 box '\(type)' at offset \(offset): too few bytes for a largesize")
                }
                let large = UInt64(readUInt32(bytes, offset + 8)) << 32 | UInt64(readUInt32(bytes, offset + 12))
                guard large <= UInt64(Int.max) else {
                    throw MediaError("MP4 box '\(type)' at offset \(offset): largesize \(large) is too large")
                }
                size = Int(large)
                headerSize = 16
            } else if size == 0 {
                size = range.upperBound - offset  // extends to the end
            }
            guard size >= headerSize else {
                throw MediaError("MP4 box '\(type)' at offset \(offset): size \(size) is smaller than its header")
            }
            guard size <= range.upperBound - offset else {
                throw MediaError("MP4 box '\(type)' at offset \(offset): size \(size) runs past the end (\(range.upperBound - offset) bytes left)")
            }
            var box = MP4Box(type: type, offset: offset, size: size, headerSize: headerSize, children: [])
            let payloadStart = offset + headerSize
            let skip = containers.contains(type) ? 0 : containersAfterFields[type]
            if let skip {
                guard size - headerSize >= skip else {
                    throw MediaError("MP4 box '\(type)' at offset \(offset): \(size - headerSize) bytes of payload, fewer than its \(skip) bytes of fields")
                }
                box.children = try parse(bytes, range: (payloadStart + skip)..<(offset + size))
            }
            boxes.append(box)
            offset += size
        }
        return boxes
    }

    /// A big-endian 32-bit integer at `offset` (the caller checks the bounds).
    public static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
