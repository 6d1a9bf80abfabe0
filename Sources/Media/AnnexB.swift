/// The H.264/H.265 byte-stream format (ITU-T H.264 Annex B): NAL units separated by start codes.
public enum AnnexB {
    /// Splits a byte stream on 3-byte (`00 00 01`) and 4-byte (`00 00 00 01`) start codes.
    ///
    /// Trailing zero bytes of each NAL unit belong to the byte stream, not the NAL unit, and are
    /// removed. Empty NAL units are skipped. Bytes before the first start code are returned as a
    /// NAL unit of their own, so input without any start code is not lost.
    public static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var nalUnits: [[UInt8]] = []
        var start = 0
        var index = 0
        let count = bytes.count
        func emit(_ end: Int) {
            var last = end
            while last > start && bytes[last - 1] == 0 { last -= 1 }
            if last > start { nalUnits.append(Array(bytes[start..<last])) }
        }
        while index + 2 < count {
            if bytes[index + 2] > 1 {
                // A start code at index, index+1 or index+2 would need bytes[index+2] to be 0 or 1.
                index += 3
                continue
            }
            if bytes[index] == 0 && bytes[index + 1] == 0 && bytes[index + 2] == 1 {
                emit(index)
                index += 3
                start = index
            } else {
                index += 1
            }
        }
        emit(count)
        return nalUnits
    }

    /// The size of `nalUnits` with 4-byte start codes, leaving out empty units (see ``write(_:to:)``).
    public static func size(of nalUnits: [[UInt8]]) -> Int {
        nalUnits.reduce(0) { $0 + ($1.isEmpty ? 0 : 4 + $1.count) }
    }

    /// Writes `nalUnits` with 4-byte start codes to memory that holds ``size(of:)`` bytes (a
    /// decoder's packet), leaving out empty units.
    public static func write(_ nalUnits: [[UInt8]], to destination: UnsafeMutablePointer<UInt8>) {
        var out = destination
        for nal in nalUnits where !nal.isEmpty {
            out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 1
            nal.withUnsafeBufferPointer { (out + 4).update(from: $0.baseAddress!, count: $0.count) }
            out += 4 + nal.count
        }
    }

    /// Joins NAL units with 4-byte start codes.
    public static func join(_ nalUnits: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nalUnits.reduce(0) { $0 + $1.count + 4 })
        for nal in nalUnits {
            out.append(contentsOf: [0, 0, 0, 1])
            out.append(contentsOf: nal)
        }
        return out
    }
}
