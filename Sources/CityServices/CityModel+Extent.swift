import City

extension CityModel {
    /// The box of the city's buildings and streets (a 100 m square at the origin when it has none).
    /// Analyses run over this box, never over the box of whatever points a register holds: one
    /// offence recorded at the North Pole must not make a grid the size of a hemisphere.
    public var extent: BoundingBox {
        // One pass without gathering the points (every hot-spot request reads it).
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        func add(_ p: Point) {
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        for b in buildings { for ring in b.footprint.rings { for p in ring { add(p) } } }
        for s in streets { for p in s.line { add(p) } }
        return minX > maxX ? BoundingBox(minX: -50, minY: -50, maxX: 50, maxY: 50) : BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }
}

extension BoundingBox {
    public func grown(by d: Double) -> BoundingBox { BoundingBox(minX: minX - d, minY: minY - d, maxX: maxX + d, maxY: maxY + d) }
}
