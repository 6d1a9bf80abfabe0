/// One of the eight data mask patterns (ISO/IEC 18004, 7.8.2, table 10): a data module is
/// inverted where the pattern's condition holds for its row `y` and column `x`.
struct Mask: Sendable, Hashable {
    let rawValue: Int

    init(_ rawValue: Int) {
        precondition((0..<8).contains(rawValue), "QR code masks are 0 to 7, not \(rawValue)")
        self.rawValue = rawValue
    }

    static let all = (0..<8).map(Mask.init)

    func inverts(x: Int, y: Int) -> Bool {
        switch rawValue {
        case 0: (y + x) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (y + x) % 3 == 0
        case 4: (y / 2 + x / 3) % 2 == 0
        case 5: (y * x) % 2 + (y * x) % 3 == 0
        case 6: ((y * x) % 2 + (y * x) % 3) % 2 == 0
        default: ((y + x) % 2 + (y * x) % 3) % 2 == 0
        }
    }
}

/// The penalty of a masked symbol (ISO/IEC 18004, 7.8.3.1, table 11); the mask with the lowest
/// penalty is chosen, the first on a tie.
///
/// The symbol is scored as it stands after masking, before the format and version information
/// and the dark module are written (those areas count as light): the standard adds them in the
/// step after mask selection. A finder-like 1:1:3:1:1 run counts when four light modules precede
/// or follow it, the area outside the symbol being light (it is the quiet zone).
/// `QRCodeTests` check every term against an independent encoder (segno).
enum Penalty {
    static func score(_ grid: ModuleGrid) -> Int {
        let size = grid.size
        var total = 0
        var darkCount = 0
        var line = [Bool](repeating: false, count: size)
        for horizontal in [true, false] {
            for i in 0..<size {
                for j in 0..<size { line[j] = horizontal ? grid[j, i] : grid[i, j] }
                total += runs(line) + finderLike(line)
                if horizontal { darkCount += line.lazy.filter { $0 }.count }
            }
        }
        // N2: 3 for every 2 × 2 square of one colour (overlapping squares each count).
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = grid[x, y]
                if grid[x + 1, y] == colour && grid[x, y + 1] == colour && grid[x + 1, y + 1] == colour {
                    total += 3
                }
            }
        }
        // N4: 10 for every full 5 % that the dark share is away from 50 %.
        let cells = size * size
        total += 10 * (abs(darkCount * 20 - cells * 10) / cells)
        return total
    }

    /// N1: 3 for a run of five modules of one colour, one more for each further module.
    private static func runs(_ line: [Bool]) -> Int {
        var score = 0
        var length = 0
        for (j, module) in line.enumerated() {
            length = j > 0 && module == line[j - 1] ? length + 1 : 1
            let runEnds = j == line.count - 1 || line[j + 1] != module
            if runEnds && length >= 5 { score += length - 2 }
        }
        return score
    }

    /// N3: 40 for every dark-light-dark-dark-dark-light-dark run with four light modules before
    /// or after it. Two such runs can overlap (shifted by 4 or 6 modules, sharing dark modules);
    /// they look like one finder to a reader, so a run that overlaps a counted one is not counted
    /// again.
    private static func finderLike(_ line: [Bool]) -> Int {
        let pattern = [true, false, true, true, true, false, true]
        guard line.count >= pattern.count else { return 0 }
        func isLight(_ range: Range<Int>) -> Bool {
            range.allSatisfy { $0 < 0 || $0 >= line.count || !line[$0] }
        }
        var score = 0
        var countedEnd = 0
        for start in 0...(line.count - 7) where start >= countedEnd
            && (0..<7).allSatisfy({ line[start + $0] == pattern[$0] })
            && (isLight((start - 4)..<start) || isLight((start + 7)..<(start + 11))) {
            score += 40
            countedEnd = start + 7
        }
        return score
    }
}
