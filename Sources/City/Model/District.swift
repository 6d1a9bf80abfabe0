/// A district for which figures are reported: an administrative boundary (admin_level ≥ 9), a
/// `place=suburb|quarter|neighbourhood` area, or a polygon a user drew.
public struct District: Sendable, Hashable, Codable {
    public var source: String
    public var name: String
    public var area: Polygon

    public init(source: String, name: String, area: Polygon) {
        self.source = source
        self.name = name
        self.area = area
    }
}
