import Media

/// The compact per-frame index of a recording (see docs/storage.md).
///
/// Per frame: a zigzag varint of `(duration − previous duration) << 1 | key`, then a zigzag varint
/// of the size minus the size of the previous frame *of the same kind* (key or not), then, only in
/// recordings with B-frames, a zigzag varint of the composition offset. A camera at a constant frame
/// rate spends one byte on the first field and one or two on the second: about 2–3 bytes a frame.
public struct SampleIndexEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []
    public let hasCompositionOffsets: Bool
    private var previousDuration: Int64 = 0
    private var previousKeySize: Int64 = 0
    private var previousOtherSize: Int64 = 0

    public init(hasCompositionOffsets: Bool) {
        self.hasCompositionOffsets = hasCompositionOffsets
    }

    public mutating func append(_ sample: MP4Sample) {
        let duration = Int64(sample.duration)
        Varint.appendZigzag((duration - previousDuration) * 2 + (sample.isKeyFrame ? 1 : 0), to: &bytes)
        previousDuration = duration
        let size = Int64(sample.size)
        if sample.isKeyFrame {
            Varint.appendZigzag(size - previousKeySize, to: &bytes)
            previousKeySize = size
        } else {
            Varint.appendZigzag(size - previousOtherSize, to: &bytes)
            previousOtherSize = size
        }
        if hasCompositionOffsets { Varint.appendZigzag(Int64(sample.compositionOffset), to: &bytes) }
    }
}

public enum SampleIndex {
    /// Decodes an index; throws when it is truncated or inconsistent, so that a damaged catalogue
    /// row is reported instead of producing a corrupt file.
    public static func decode(_ bytes: [UInt8], hasCompositionOffsets: Bool) throws(IndexError) -> [MP4Sample] {
        var samples: [MP4Sample] = []
        var i = 0
        var previousDuration: Int64 = 0, previousKeySize: Int64 = 0, previousOtherSize: Int64 = 0
        while i < bytes.count {
            guard let first = Varint.readZigzag(bytes, &i) else { throw IndexError("index truncated at frame \(samples.count)") }
            let key = first & 1 != 0
            let duration = previousDuration + (first - (key ? 1 : 0)) / 2
            previousDuration = duration
            guard let sizeDelta = Varint.readZigzag(bytes, &i) else { throw IndexError("index truncated at frame \(samples.count)") }
            let size: Int64
            if key { previousKeySize += sizeDelta; size = previousKeySize } else { previousOtherSize += sizeDelta; size = previousOtherSize }
            var offset: Int64 = 0
            if hasCompositionOffsets {
                guard let o = Varint.readZigzag(bytes, &i) else { throw IndexError("index truncated at frame \(samples.count)") }
                offset = o
            }
            guard duration >= 0, duration <= Int64(UInt32.max), size > 0, size <= Int64(UInt32.max), abs(offset) <= Int64(Int32.max) else {
                throw IndexError("index has an impossible frame \(samples.count) (duration \(duration), size \(size))")
            }
            samples.append(MP4Sample(duration: UInt32(duration), size: UInt32(size), isKeyFrame: key, compositionOffset: Int32(offset)))
        }
        return samples
    }
}

public struct IndexError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

enum Varint {
    static func appendZigzag(_ value: Int64, to bytes: inout [UInt8]) {
        var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func readZigzag(_ bytes: [UInt8], _ i: inout Int) -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count, shift < 64 {
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return Int64(bitPattern: (result >> 1)) ^ -Int64(bitPattern: result & 1) }
            shift += 7
        }
        return nil
    }
}
