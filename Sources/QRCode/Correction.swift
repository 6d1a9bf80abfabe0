extension QRCode {
    /// How much of the symbol may be damaged or dirty and still read (ISO/IEC 18004, 6.5.1):
    /// about 7 % of the codewords at `.low`, 15 % at `.medium`, 25 % at `.quartile`, 30 % at `.high`.
    /// Higher levels need a bigger symbol for the same text.
    public enum Correction: Int, Sendable, CaseIterable, CustomStringConvertible {
        case low, medium, quartile, high

        /// The two bits that name the level in the format information (L = 01, M = 00, Q = 11, H = 10).
        var formatBits: Int {
            switch self {
            case .low: 0b01
            case .medium: 0b00
            case .quartile: 0b11
            case .high: 0b10
            }
        }

        public var description: String {
            switch self {
            case .low: "L"
            case .medium: "M"
            case .quartile: "Q"
            case .high: "H"
            }
        }
    }
}
