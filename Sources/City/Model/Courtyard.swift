/// An open yard whose coverage is measured by area. See docs/coverage.md for the rule.
public struct Courtyard: Sendable, Hashable, Codable {
    /// How a courtyard became one.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// An area tagged as yard-like (``ImportOptions/courtyardTags``).
        case tagged
        /// Open ground walled in on all sides by touching buildings.
        case derived
    }

    public var source: String
    public var origin: Origin
    public var area: Polygon

    public init(source: String, origin: Origin, area: Polygon) {
        self.source = source
        self.origin = origin
        self.area = area
    }
}
