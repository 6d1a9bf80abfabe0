/// The codeword sequence of a symbol (ISO/IEC 18004, 7.4–7.6): one byte-mode segment, terminator
/// and padding, split into blocks, each block given its Reed–Solomon codewords, then interleaved.
enum Codewords {
    /// The data codewords for `bytes` in byte mode, filling exactly `capacity` codewords.
    /// The caller has checked that the bytes fit.
    static func data(_ bytes: [UInt8], countBits: Int, capacity: Int) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)               // mode indicator: byte
        bits.append(bytes.count, count: countBits)  // character count
        for byte in bytes { bits.append(Int(byte), count: 8) }
        let capacityBits = capacity * 8
        precondition(bits.count <= capacityBits, "the caller checks the capacity")
        // Terminator: up to four zero bits, fewer when the symbol is full (7.4.9)…
        bits.append(0, count: min(4, capacityBits - bits.count))
        // …zero bits to the next codeword boundary, then the pad codewords 11101100 and 00010001
        // in turn (7.4.10).
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < capacity {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// The final message (7.6): the data split into the layout's blocks, each followed by its
    /// error-correction codewords; then the data codewords taken column by column across the
    /// blocks (a short block has none in the last column), then the error-correction codewords
    /// the same way.
    static func interleaved(_ data: [UInt8], layout: BlockLayout) -> [UInt8] {
        precondition(data.count == layout.dataCodewords)
        let generator = ReedSolomon.generator(degree: layout.eccPerBlock)
        var blocks: [[UInt8]] = []
        var ecc: [[UInt8]] = []
        var start = 0
        for index in 0..<layout.blockCount {
            let block = Array(data[start..<(start + layout.dataLength(ofBlock: index))])
            start += block.count
            blocks.append(block)
            ecc.append(ReedSolomon.remainder(of: block, generator: generator))
        }
        var message: [UInt8] = []
        message.reserveCapacity(layout.total)
        for column in 0..<(layout.shortBlockData + 1) {
            for block in blocks where column < block.count { message.append(block[column]) }
        }
        for column in 0..<layout.eccPerBlock {
            for block in ecc { message.append(block[column]) }
        }
        return message
    }
}

/// Bits appended most significant first, read back as bytes.
struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, count bitCount: Int) {
        for shift in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 { bytes[count / 8] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}
