/// A building footprint. Buildings are the obstacles of the coverage model: nothing behind a wall
/// is seen, and the ground under a building is never counted as covered.
public struct Building: Sendable, Hashable, Codable {
    /// Where it came from, e.g. `way 123`, `relation 7`, `feature 4`.
    public var source: String
    public var footprint: Polygon
    /// Metres: the `height` tag, else `building:levels` × 3 m, else ``ImportOptions/defaultBuildingHeight``.
    public var height: Double

    public init(source: String, footprint: Polygon, height: Double) {
        self.source = source
        self.footprint = footprint
        self.height = height
    }
}
