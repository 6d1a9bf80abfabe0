import City

extension CityModel {
    /// The box of the city's buildings and streets (a 100 m square at the origin when it has none).
    /// Analyses run over this box, never over the box of whatever points a register holds: one
    /// offence recorded at the North Pole must not make a grid the size of a hemisphere.
    public var extent: BoundingBox {
        let points = buildings.flatMap { $0.footprint.rings.joined() } + streets.flatMap(\.line)
        return points.isEmpty ? BoundingBox(minX: -50, minY: -50, maxX: 50, maxY: 50) : BoundingBox(points: points)
    }
}

extension BoundingBox {
    public func grown(by d: Double) -> BoundingBox { BoundingBox(minX: minX - d, minY: minY - d, maxX: maxX + d, maxY: maxY + d) }
}
