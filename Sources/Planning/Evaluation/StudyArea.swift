import City

/// A named area of the map: the pilot, a control area, a district.
public struct StudyArea: Sendable, Hashable, Codable {
    public var name: String
    public var area: Polygon

    public init(name: String, area: Polygon) {
        self.name = name
        self.area = area
    }

    /// A square of side `side` metres centred on `centre`.
    public static func square(name: String, centre: Point, side: Double) -> StudyArea {
        let h = side / 2
        return StudyArea(name: name, area: Polygon(ring: PlaneGeometry.rectangle(
            BoundingBox(minX: centre.x - h, minY: centre.y - h, maxX: centre.x + h, maxY: centre.y + h))))
    }
}
