/// A lighting point (`highway=street_lamp`). It lights a disc of ``CoverageOptions/lampRadius``.
public struct StreetLight: Sendable, Hashable, Codable {
    public var source: String
    public var position: Point

    public init(source: String, position: Point) {
        self.source = source
        self.position = position
    }
}
