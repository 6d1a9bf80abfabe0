/// Reads the protocol buffers wire format (varints, length-delimited fields) over part of a byte
/// array, by hand, for the OSM PBF reader: the format is small and the reader must be bounded
/// everywhere (no field may point past its message, no varint may run longer than 10 bytes).
///
/// Every problem is an ``ImportError`` naming `context` (the PBF block) and the byte offset in it.
struct ProtobufReader {
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// What errors name, e.g. `PBF block 3 (file offset 1204)`.
    let context: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, context: String) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.position = r.lowerBound
        self.end = r.upperBound
        self.context = context
    }

    var isAtEnd: Bool { position >= end }

    func error(_ reason: String) -> ImportError {
        ImportError(element: context, reason: "\(reason) (byte \(position) of the block)")
    }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws(ImportError) -> (number: Int, type: WireType)? {
        guard position < end else { return nil }
        let key = try varint()
        let number = key >> 3
        guard number > 0, number <= 536_870_911 else { throw error("field number \(number) is invalid") }
        guard let type = WireType(rawValue: Int(key & 7)) else {
            throw error("wire type \(key & 7) of field \(number) is not supported")
        }
        return (Int(number), type)
    }

    mutating func varint() throws(ImportError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw error("a number runs past the end of its message") }
            let b = bytes[position]
            position += 1
            // The tenth byte may only carry the top bit of 64.
            if shift == 63 && b > 1 { throw error("a number is longer than 64 bits") }
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// A zigzag-encoded `sint32`/`sint64`.
    mutating func signedVarint() throws(ImportError) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// An `int32`/`int64` (two's complement, negative values take ten bytes).
    mutating func int64() throws(ImportError) -> Int64 { Int64(bitPattern: try varint()) }

    /// The byte range of a length-delimited field, checked to lie inside this message.
    mutating func lengthDelimited() throws(ImportError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw error("a field of \(length) bytes runs past the end of its message (\(end - position) bytes left)")
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// A reader over a sub-message.
    mutating func message(context: String? = nil) throws(ImportError) -> ProtobufReader {
        ProtobufReader(bytes, range: try lengthDelimited(), context: context ?? self.context)
    }

    mutating func string() throws(ImportError) -> String {
        String(decoding: bytes[try lengthDelimited()], as: UTF8.self)
    }

    mutating func skip(_ type: WireType) throws(ImportError) {
        switch type {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64, .fixed32:
            let size = type == .fixed64 ? 8 : 4
            guard end - position >= size else { throw error("a fixed-size field runs past the end of its message") }
            position += size
        }
    }

    /// A repeated integer field, packed (one length-delimited run) or not (one value per field):
    /// parsers must accept both. Appends each raw varint to `values`.
    mutating func repeatedVarints(_ type: WireType, into values: inout [UInt64]) throws(ImportError) {
        switch type {
        case .varint: values.append(try varint())
        case .lengthDelimited:
            var packed = try message()
            while !packed.isAtEnd { values.append(try packed.varint()) }
        default: throw error("a list of numbers has wire type \(type.rawValue)")
        }
    }
}

extension UInt64 {
    /// The zigzag-decoded value of a `sint64`.
    var zigzagDecoded: Int64 { Int64(bitPattern: (self >> 1) ^ (0 &- (self & 1))) }
}
