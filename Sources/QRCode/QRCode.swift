/// A QR code (ISO/IEC 18004 model 2) holding one text as UTF-8 bytes in byte mode: what a phone's
/// camera app reads and, for a URL, opens.
///
/// ```swift
/// let code = try QRCode("https://aula.example.kz/guard.html?checkpoint=Xk3", correction: .medium)
/// let svg = code.svg()   // print it on a page
/// ```
///
/// The smallest version (1–40, 21 to 177 modules a side) that holds the text at the requested
/// correction level is chosen, and the mask with the lowest penalty (7.8.3). Only byte mode is
/// written, without an ECI header, so a reader guesses the bytes' character set: ASCII is safe
/// (a URL percent-encodes anything else), while mostly-ASCII text with a few non-ASCII letters
/// may be misread (zbar takes it for Shift JIS). Byte mode is never the smallest code for digits
/// or upper-case letters alone, but a URL with a random token gains nothing from the other modes.
public struct QRCode: Sendable {
    /// The version, 1 to 40.
    public let version: Int
    /// Modules along one side, without the quiet zone: `17 + 4 × version`.
    public let size: Int
    /// The correction level the code was made with.
    let correction: Correction
    /// The data mask pattern, 0 to 7.
    let mask: Int
    private let modules: [Bool]

    /// Encodes `text`.
    ///
    /// - Throws: `QRCode.TextTooLong` when the text's UTF-8 bytes do not fit in version 40 at
    ///   this level (2953 bytes at `.low`, 2331 at `.medium`, 1663 at `.quartile`, 1273 at `.high`).
    public init(_ text: String, correction: Correction = .medium) throws {
        try self.init(text, correction: correction, version: nil, mask: nil)
    }

    /// Encodes `text` with a fixed version or mask (for tests comparing against other encoders);
    /// `nil` chooses as the public initialiser does.
    init(_ text: String, correction: Correction, version requested: Int?, mask requestedMask: Int?) throws {
        let bytes = Array(text.utf8)
        let symbol: SymbolVersion
        if let requested {
            symbol = SymbolVersion(requested)
            guard bytes.count <= symbol.byteCapacity(correction) else {
                throw TextTooLong(byteCount: bytes.count, limit: symbol.byteCapacity(correction),
                                  correction: correction, version: requested)
            }
        } else {
            guard let smallest = SymbolVersion.all.first(where: { bytes.count <= $0.byteCapacity(correction) }) else {
                throw TextTooLong(byteCount: bytes.count, limit: SymbolVersion(40).byteCapacity(correction),
                                  correction: correction, version: 40)
            }
            symbol = smallest
        }

        let grid = Self.unmasked(bytes, version: symbol, correction: correction)

        let chosen: Mask
        var masked: ModuleGrid
        if let requestedMask {
            chosen = Mask(requestedMask)
            masked = grid.masked(with: chosen)
        } else {
            var best: (mask: Mask, grid: ModuleGrid, penalty: Int)?
            for mask in Mask.all {
                let candidate = grid.masked(with: mask)
                let penalty = Penalty.score(candidate)
                if best == nil || penalty < best!.penalty { best = (mask, candidate, penalty) }
            }
            (chosen, masked) = (best!.mask, best!.grid)
        }
        masked.drawFormatAndVersion(correction: correction, mask: chosen, version: symbol)

        version = symbol.number
        size = symbol.size
        self.correction = correction
        mask = chosen.rawValue
        modules = masked.dark
    }

    /// The function patterns and the placed codewords of `bytes`, before masking.
    static func unmasked(_ bytes: [UInt8], version: SymbolVersion, correction: Correction) -> ModuleGrid {
        let layout = version.blocks(correction)
        let data = Codewords.data(bytes, countBits: version.byteCountBits, capacity: layout.dataCodewords)
        var grid = ModuleGrid(version: version)
        grid.place(Codewords.interleaved(data, layout: layout))
        return grid
    }

    /// Whether the module in column `x` and row `y` (both `0..<size`, from the top-left corner) is dark.
    public subscript(x: Int, y: Int) -> Bool {
        precondition((0..<size).contains(x) && (0..<size).contains(y), "(\(x), \(y)) is outside the \(size) × \(size) code")
        return modules[y * size + x]
    }

    /// The most UTF-8 bytes a code can hold at `correction`, in `version` (1–40).
    public static func capacity(version: Int = 40, correction: Correction = .medium) -> Int {
        SymbolVersion(version).byteCapacity(correction)
    }
}
