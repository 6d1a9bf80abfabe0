/// The square of modules being built, with a record of which modules belong to function patterns
/// (ISO/IEC 18004, 6.3) so that codeword placement and masking leave them alone.
struct ModuleGrid: Sendable {
    let size: Int
    private(set) var dark: [Bool]
    private(set) var isFunction: [Bool]

    /// A grid with every function pattern drawn; the format and version areas and the dark module
    /// are reserved, light, until `drawFormatAndVersion` (they are written after masking, 7.9–7.10).
    init(version: SymbolVersion) {
        size = version.size
        dark = Array(repeating: false, count: size * size)
        isFunction = Array(repeating: false, count: size * size)
        drawTiming()
        drawFinder(x: 0, y: 0)
        drawFinder(x: size - 7, y: 0)
        drawFinder(x: 0, y: size - 7)
        drawAlignmentPatterns(version.alignmentCentres)
        reserveFormatAndVersion(hasVersionBlocks: version.number >= 7)
    }

    subscript(x: Int, y: Int) -> Bool { dark[y * size + x] }

    private mutating func set(_ x: Int, _ y: Int, _ isDark: Bool) {
        dark[y * size + x] = isDark
        isFunction[y * size + x] = true
    }

    /// Row and column 6 alternate dark and light, dark on even positions (6.3.5). The finders
    /// drawn afterwards overwrite their ends.
    private mutating func drawTiming() {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
    }

    /// A 7 × 7 finder (dark ring, light ring, dark 3 × 3 centre) with its one-module light
    /// separator on the sides that face the symbol (6.3.3).
    private mutating func drawFinder(x left: Int, y top: Int) {
        for dy in -1...7 {
            for dx in -1...7 {
                let x = left + dx, y = top + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let ring = max(abs(dx - 3), abs(dy - 3)) // 0 at the centre, 4 on the separator
                set(x, y, ring != 2 && ring != 4)
            }
        }
    }

    /// A 5 × 5 alignment pattern (dark ring, light ring, dark centre) at every pair of centres
    /// except the three that fall on the finders (6.3.6).
    private mutating func drawAlignmentPatterns(_ centres: [Int]) {
        let last = centres.count - 1
        for (i, cy) in centres.enumerated() {
            for (j, cx) in centres.enumerated() {
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
    }

    private mutating func reserveFormatAndVersion(hasVersionBlocks: Bool) {
        for i in 0..<9 where i != 6 { // the timing lines cross at 6
            set(8, i, false)          // beside the top-left finder, down column 8…
            set(i, 8, false)          // …and along row 8
        }
        for i in 0..<8 {
            set(size - 1 - i, 8, false) // below the top-right finder
            set(8, size - 1 - i, false) // beside the bottom-left finder, with the dark module
        }
        guard hasVersionBlocks else { return }
        for a in 0..<6 {
            for b in (size - 11)..<(size - 8) {
                set(a, b, false)
                set(b, a, false)
            }
        }
    }

    /// Writes the codewords' bits, most significant first, in two-module-wide columns from the
    /// bottom-right corner, upwards then downwards in turn, skipping function modules and the
    /// vertical timing column (7.7.3). Modules left over (remainder bits) stay light.
    mutating func place(_ codewords: [UInt8]) {
        let totalBits = codewords.count * 8
        var bit = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = ((size - 1 - right) / 2) % 2 == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] {
                    if bit < totalBits {
                        dark[y * size + x] = (codewords[bit / 8] >> UInt8(7 - bit % 8)) & 1 == 1
                        bit += 1
                    }
                }
            }
            right -= 2
        }
        precondition(bit == totalBits, "the version's codeword count matches its free modules")
    }

    /// Inverts every data module where the mask's condition holds (7.8.2).
    func masked(with mask: Mask) -> ModuleGrid {
        var copy = self
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && mask.inverts(x: x, y: y) {
                copy.dark[y * size + x].toggle()
            }
        }
        return copy
    }

    /// Writes both copies of the format information, the dark module and, from version 7, both
    /// copies of the version information (7.9, 7.10). Bit 0 is the least significant.
    mutating func drawFormatAndVersion(correction: QRCode.Correction, mask: Mask, version: SymbolVersion) {
        let format = Self.formatBits(correction: correction, mask: mask)
        func bit(_ value: Int, _ i: Int) -> Bool { (value >> i) & 1 == 1 }
        // Around the top-left finder: up column 8 (skipping the timing row), then left along row 8.
        for i in 0..<6 { set(8, i, bit(format, i)) }
        set(8, 7, bit(format, 6))
        set(8, 8, bit(format, 7))
        set(7, 8, bit(format, 8))
        for i in 9..<15 { set(14 - i, 8, bit(format, i)) }
        // The second copy: along row 8 under the top-right finder, then down column 8 beside the
        // bottom-left one.
        for i in 0..<8 { set(size - 1 - i, 8, bit(format, i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(format, i)) }
        set(8, size - 8, true) // the dark module
        guard version.number >= 7 else { return }
        let info = Self.versionBits(version.number)
        for i in 0..<18 {
            let a = size - 11 + i % 3, b = i / 3
            set(a, b, bit(info, i)) // above the bottom-right corner, beside the top-right finder
            set(b, a, bit(info, i)) // left of the bottom-left finder
        }
    }

    /// The 15-bit format information: level and mask, a BCH(15,5) remainder of the generator
    /// x¹⁰ + x⁸ + x⁵ + x⁴ + x² + x + 1 (0x537), XORed with 101010000010010 so it is never all light.
    static func formatBits(correction: QRCode.Correction, mask: Mask) -> Int {
        let data = correction.formatBits << 3 | mask.rawValue
        return (data << 10 | bchRemainder(data << 10, generator: 0x537, degree: 10)) ^ 0x5412
    }

    /// The 18-bit version information: the version, then a BCH(18,6) remainder of the generator
    /// x¹² + x¹¹ + x¹⁰ + x⁹ + x⁸ + x⁵ + x² + 1 (0x1F25).
    static func versionBits(_ version: Int) -> Int {
        version << 12 | bchRemainder(version << 12, generator: 0x1F25, degree: 12)
    }

    /// The remainder of a polynomial over GF(2) divided by the generator of the given degree.
    private static func bchRemainder(_ value: Int, generator: Int, degree: Int) -> Int {
        var remainder = value
        var top = Int.bitWidth - 1 - remainder.leadingZeroBitCount
        while remainder != 0 && top >= degree {
            remainder ^= generator << (top - degree)
            top = Int.bitWidth - 1 - remainder.leadingZeroBitCount
        }
        return remainder
    }
}
