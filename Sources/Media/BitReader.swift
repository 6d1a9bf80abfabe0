/// Reads bits and Exp-Golomb codes (H.264 9.1, H.265 9.2) from an RBSP, most significant bit first.
/// Every read is bounds-checked and throws instead of trapping, since the input comes from cameras.
struct BitReader {
    private let bytes: [UInt8]
    private var position = 0  // in bits
    /// Names the structure being read in error messages, e.g. "H.264 SPS".
    let context: String

    init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
    }

    var bitsLeft: Int { bytes.count * 8 - position }

    private func truncated(_ field: String) -> MediaError {
        MediaError("\(context): truncated at \(field) (bit \(position) of \(bytes.count * 8))")
    }

    mutating func bit(_ field: String) throws(MediaError) -> Bool {
        try bits(1, field) == 1
    }

    /// Reads up to 32 bits as an unsigned number.
    mutating func bits(_ count: Int, _ field: String) throws(MediaError) -> UInt32 {
        guard count <= bitsLeft else { throw truncated(field) }
        var value: UInt32 = 0
        for _ in 0..<count {
            let byte = bytes[position >> 3]
            let bit = (byte >> (7 - UInt8(position & 7))) & 1
            value = value << 1 | UInt32(bit)
            position += 1
        }
        return value
    }

    mutating func skip(_ count: Int, _ field: String) throws(MediaError) {
        guard count >= 0, count <= bitsLeft else { throw truncated(field) }
        position += count
    }

    /// Unsigned Exp-Golomb `ue(v)`; values up to 2^32 - 2.
    mutating func ue(_ field: String) throws(MediaError) -> Int {
        var leadingZeros = 0
        while try !bit(field) {
            leadingZeros += 1
            guard leadingZeros <= 31 else {
                throw MediaError("\(context): \(field) has an Exp-Golomb code longer than 32 bits")
            }
        }
        let suffix = try bits(leadingZeros, field)
        return (1 << leadingZeros) - 1 + Int(suffix)
    }

    /// Signed Exp-Golomb `se(v)`.
    mutating func se(_ field: String) throws(MediaError) -> Int {
        let code = try ue(field)
        return code & 1 == 1 ? (code + 1) / 2 : -(code / 2)
    }

    /// Reads `ue(v)` and checks it against the range the standard allows.
    mutating func ue(_ field: String, max: Int) throws(MediaError) -> Int {
        let value = try ue(field)
        guard value <= max else {
            throw MediaError("\(context): \(field) \(value) exceeds its maximum \(max)")
        }
        return value
    }
}
