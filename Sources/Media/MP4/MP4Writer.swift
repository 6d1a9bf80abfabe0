/// Builds ISO base media file format boxes (ISO/IEC 14496-12) into one growing byte array.
///
/// `box` writes a placeholder size, lets `body` write the payload and then patches the size, so
/// nested boxes need no intermediate arrays.
struct MP4Writer {
    var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func u16(_ value: UInt16) {
        bytes.appendBigEndian(value)
    }

    mutating func u32(_ value: UInt32) {
        bytes.appendBigEndian(value)
    }

    mutating func i32(_ value: Int32) {
        bytes.appendBigEndian(UInt32(bitPattern: value))
    }

    mutating func u64(_ value: UInt64) {
        bytes.appendBigEndian(UInt32(truncatingIfNeeded: value >> 32))
        bytes.appendBigEndian(UInt32(truncatingIfNeeded: value))
    }

    mutating func zeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    mutating func append(_ data: some Collection<UInt8>) {
        bytes.append(contentsOf: data)
    }

    /// Appends a four-character code.
    mutating func fourCC(_ code: String) {
        let utf8 = Array(code.utf8)
        assert(utf8.count == 4, "four-character code \(code)")
        bytes.append(contentsOf: utf8.prefix(4))
    }

    /// Appends a box of `type` whose payload `body` writes.
    ///
    /// Boxes Aula writes are far below 4 GiB (the only large one, `mdat`, is written by hand), so
    /// the 32-bit size always suffices.
    mutating func box(_ type: String, _ body: (inout MP4Writer) -> Void) {
        let start = bytes.count
        u32(0)
        fourCC(type)
        body(&self)
        let size = UInt32(truncatingIfNeeded: bytes.count - start)
        bytes[start] = UInt8(truncatingIfNeeded: size >> 24)
        bytes[start + 1] = UInt8(truncatingIfNeeded: size >> 16)
        bytes[start + 2] = UInt8(truncatingIfNeeded: size >> 8)
        bytes[start + 3] = UInt8(truncatingIfNeeded: size)
    }

    /// Appends a full box: a box whose payload starts with a version byte and 24 bits of flags.
    mutating func fullBox(_ type: String, version: UInt8 = 0, flags: UInt32 = 0, _ body: (inout MP4Writer) -> Void) {
        box(type) { writer in
            writer.u32(UInt32(version) << 24 | (flags & 0x00FF_FFFF))
            body(&writer)
        }
    }
}
