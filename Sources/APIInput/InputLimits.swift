/// The bounds every request value is checked against before it becomes a number the server
/// computes with, so that no arithmetic on it can overflow (docs/api.md, "Input").
public enum InputLimits {
    /// Ids are positive and fit a JavaScript number exactly (2^53 − 1), the largest a browser
    /// can send back unchanged.
    public static let ids: ClosedRange<Int64> = 1...9_007_199_254_740_991
    /// Strings that are not documented with their own limit.
    public static let stringLength = 10_000
    /// Times: RFC 3339's years 0001–9999. In 90 kHz ticks they span ±2.9e16, so a difference, a
    /// sum of two or a conversion to microseconds (×100/9) stays far inside `Int64`.
    public static let years: ClosedRange<Int> = 1...9999
}
