/// One sample (access unit) of an MP4 track, as the index describes it.
public struct MP4Sample: Sendable, Equatable, Hashable {
    /// Decode-time delta to the next sample, in 90 kHz ticks (the sample's `stts` entry).
    public var duration: UInt32
    /// Size of the sample's bytes in the file (length-prefixed NAL units, see ``AVCCFormat``).
    public var size: UInt32
    /// Whether a decoder can start here (a sync sample: H.264 IDR, H.265 IRAP).
    public var isKeyFrame: Bool
    /// Presentation time minus decode time in 90 kHz ticks; 0 for streams without B-frames.
    public var compositionOffset: Int32

    public init(duration: UInt32, size: UInt32, isKeyFrame: Bool, compositionOffset: Int32 = 0) {
        self.duration = duration
        self.size = size
        self.isKeyFrame = isKeyFrame
        self.compositionOffset = compositionOffset
    }
}

/// A run of consecutive samples whose bytes lie back to back in one place (typically a byte range of
/// one sample file), all described by the same ``VideoParameters``. It becomes one MP4 chunk.
public struct MP4Segment: Sendable, Equatable {
    public var parameters: VideoParameters
    public var samples: [MP4Sample]
    /// The number of bytes of the segment: the sum of the sample sizes.
    public var dataLength: Int
    /// An opaque identifier the caller chooses for where the bytes are (a sample file and offset,
    /// a row of the index). ``VirtualMP4`` never interprets it.
    public var source: Int

    /// Creates a segment; `dataLength` is the sum of the sample sizes.
    public init(parameters: VideoParameters, samples: [MP4Sample], source: Int) {
        self.parameters = parameters
        self.samples = samples
        self.dataLength = samples.reduce(0) { $0 + Int($1.size) }
        self.source = source
    }
}

/// The sample format of `avc1`/`hvc1` tracks: each NAL unit preceded by its length as a 4-byte
/// big-endian integer (the avcC/hvcC boxes of ``VideoParameters`` declare 4-byte lengths).
///
/// The recorder stores access units in this form in its sample files, so an MP4 can refer to those
/// bytes as they are. Parameter sets (SPS, PPS, VPS), SEI and access unit delimiters may stay in the
/// samples: decoders accept in-band parameter sets that repeat the sample entry's.
public enum AVCCFormat {
    /// Joins `nalUnits` (without start codes), each preceded by its 4-byte big-endian length.
    public static func lengthPrefixed(_ nalUnits: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lengthPrefixedSize(nalUnits))
        append(nalUnits, to: &out)
        return out
    }

    /// Appends `nalUnits` in this form to `out` (a buffer reused from frame to frame).
    public static func append(_ nalUnits: [[UInt8]], to out: inout [UInt8]) {
        for nal in nalUnits {
            out.appendBigEndian(UInt32(truncatingIfNeeded: nal.count))
            out.append(contentsOf: nal)
        }
    }

    /// The size of ``lengthPrefixed(_:)``'s result, without building it.
    public static func lengthPrefixedSize(_ nalUnits: [[UInt8]]) -> Int {
        nalUnits.reduce(0) { $0 + $1.count + 4 }
    }

    /// Splits length-prefixed sample bytes back into NAL units.
    ///
    /// - Throws: ``MediaError`` if a length runs past the end of `bytes`.
    public static func split(_ bytes: [UInt8]) throws(MediaError) -> [[UInt8]] {
        var nalUnits: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            guard bytes.count - index >= 4 else {
                throw MediaError("length-prefixed sample: \(bytes.count - index) bytes left at offset \(index), too few for a length")
            }
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            index += 4
            guard length <= bytes.count - index else {
                throw MediaError("length-prefixed sample: NAL unit of \(length) bytes at offset \(index - 4) runs past the end (\(bytes.count) bytes)")
            }
            nalUnits.append(Array(bytes[index..<index + length]))
            index += length
        }
        return nalUnits
    }
}
