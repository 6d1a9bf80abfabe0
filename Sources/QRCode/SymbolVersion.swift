/// The geometry and error-correction layout of one QR code version (1–40), from ISO/IEC 18004
/// tables 1, 9 and E.1. Only the per-level error-correction table is stored; everything else is
/// derived from the version number.
struct SymbolVersion: Sendable {
    let number: Int

    init(_ number: Int) {
        precondition((1...40).contains(number), "QR code versions are 1 to 40, not \(number)")
        self.number = number
    }

    static let all = (1...40).map(SymbolVersion.init)

    /// Modules along one side: 21 for version 1, four more for each version after it.
    var size: Int { 17 + 4 * number }

    /// Bits of the byte mode's character count indicator (table 3).
    var byteCountBits: Int { number < 10 ? 8 : 16 }

    /// Centres of the alignment patterns along each axis (annex E): evenly spaced from 6 to
    /// `size - 7` with an even step, the step rounded up; version 32 is the table's one exception.
    var alignmentCentres: [Int] {
        guard number >= 2 else { return [] }
        let count = number / 7 + 2
        let last = size - 7
        var step = number == 32 ? 26 : (last - 6 + count - 2) / (count - 1)
        step += step % 2
        return [6] + (0..<(count - 1)).map { last - step * $0 }.reversed()
    }

    /// Modules left for codewords once the function patterns are drawn: the whole square minus
    /// three finders with their separators (3 × 64), the two timing lines between them, both
    /// copies of the format information with the dark module (31), the alignment patterns (25
    /// modules each, but 5 of each one on a timing line are already counted), and for versions 7
    /// and up both version blocks (2 × 18).
    var dataModules: Int {
        var free = size * size - 3 * 64 - 2 * (size - 16) - 31
        let centres = alignmentCentres.count
        if centres > 0 {
            free -= 25 * (centres * centres - 3) - 10 * (centres - 2)
        }
        if number >= 7 { free -= 36 }
        return free
    }

    /// All codewords of the symbol, data and error correction; the bits left over are remainder bits.
    var totalCodewords: Int { dataModules / 8 }

    /// The error-correction layout at one level.
    func blocks(_ correction: QRCode.Correction) -> BlockLayout {
        let level = correction.rawValue
        return BlockLayout(total: totalCodewords,
                           blockCount: Self.blockCounts[level][number - 1],
                           eccPerBlock: Self.eccPerBlock[level][number - 1])
    }

    /// Data codewords at one level.
    func dataCodewords(_ correction: QRCode.Correction) -> Int { blocks(correction).dataCodewords }

    /// The most bytes one byte-mode segment can hold at one level.
    func byteCapacity(_ correction: QRCode.Correction) -> Int {
        (dataCodewords(correction) * 8 - 4 - byteCountBits) / 8
    }

    // Table 9, by level (L, M, Q, H) then version: error-correction codewords in each block…
    private static let eccPerBlock: [[Int]] = [
        [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
         28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
         26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
         28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
         30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]
    // …and the number of blocks.
    private static let blockCounts: [[Int]] = [
        [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
         8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
         17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
         23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
         25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]
}

/// How a version's codewords are split into Reed–Solomon blocks at one level (ISO/IEC 18004,
/// 7.5.2): every block has the same number of error-correction codewords; when the data does not
/// divide evenly, the last blocks carry one data codeword more than the first.
struct BlockLayout: Sendable {
    let total: Int
    let blockCount: Int
    let eccPerBlock: Int

    var dataCodewords: Int { total - blockCount * eccPerBlock }
    /// Blocks of the first group (the shorter ones).
    var shortBlocks: Int { blockCount - total % blockCount }
    /// Data codewords in a short block; a long block has one more.
    var shortBlockData: Int { total / blockCount - eccPerBlock }

    func dataLength(ofBlock index: Int) -> Int { shortBlockData + (index < shortBlocks ? 0 : 1) }
}
