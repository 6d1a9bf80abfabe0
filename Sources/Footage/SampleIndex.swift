import Media

/// The compact per-frame index of a recording (see docs/storage.md).
///
/// Per frame, one unsigned varint packs three things: the zigzagged difference between this frame's
/// size and the size of the previous frame *of the same kind* (key or not), shifted left by two;
/// the key-frame flag (bit 1); and whether the duration changed from the previous frame (bit 0).
/// Only when it changed follows a zigzag varint of the duration difference, and, only in recordings
/// with B-frames, a zigzag varint of the composition offset. A camera at a constant frame rate
/// thus spends a single varint per frame: 2–3 bytes for frames of a few kilobytes.
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
        let size = Int64(sample.size)
        let sizeDelta: Int64
        if sample.isKeyFrame {
            sizeDelta = size - previousKeySize
            previousKeySize = size
        } else {
            sizeDelta = size - previousOtherSize
            previousOtherSize = size
        }
        let duration = Int64(sample.duration)
        let durationChanged = duration != previousDuration
        Varint.append(Varint.zigzag(sizeDelta) << 2 | (sample.isKeyFrame ? 2 : 0) | (durationChanged ? 1 : 0), to: &bytes)
        if durationChanged { Varint.append(Varint.zigzag(duration - previousDuration), to: &bytes) }
        previousDuration = duration
        if hasCompositionOffsets { Varint.append(Varint.zigzag(Int64(sample.compositionOffset)), to: &bytes) }
    }
}

public enum SampleIndex {
    /// Decodes an index; throws when it is truncated or inconsistent, so that a damaged catalogue
    /// row is reported instead of producing a corrupt file.
    public static func decode(_ bytes: [UInt8], hasCompositionOffsets: Bool) throws(IndexError) -> [MP4Sample] {
        var samples: [MP4Sample] = []
        var i = 0
        var previousDuration: Int64 = 0, previousKeySize: Int64 = 0, previousOtherSize: Int64 = 0
        func next() throws(IndexError) -> UInt64 {
            guard let v = Varint.read(bytes, &i) else { throw IndexError("index truncated at frame \(samples.count)") }
            return v
        }
        while i < bytes.count {
            let first = try next()
            let key = first & 2 != 0
            let sizeDelta = Varint.unzigzag(first >> 2)
            let size: Int64
            if key { previousKeySize &+= sizeDelta; size = previousKeySize } else { previousOtherSize &+= sizeDelta; size = previousOtherSize }
            if first & 1 != 0 { previousDuration &+= Varint.unzigzag(try next()) }
            let duration = previousDuration
            let offset = hasCompositionOffsets ? Varint.unzigzag(try next()) : 0
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
    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func read(_ bytes: [UInt8], _ i: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count, shift < 64 {
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }
}
