/// Building walls and footprints, indexed by a grid so a camera looks only at walls within its range.
struct ObstacleIndex: Sendable {
    let walls: [(Point, Point)]
    private var wallGrid = GridIndex(cellSize: 25)
    let footprints: [Polygon]
    private var footprintGrid = GridIndex(cellSize: 50)

    init(buildings: [Building]) {
        var walls: [(Point, Point)] = []
        for b in buildings { walls += b.footprint.edges }
        self.walls = walls
        footprints = buildings.map(\.footprint)
        for (i, w) in walls.enumerated() { wallGrid.insert(i, BoundingBox(points: [w.0, w.1])) }
        for (i, f) in footprints.enumerated() { footprintGrid.insert(i, f.boundingBox) }
    }

    /// Indices of walls whose grid cells touch the box.
    func walls(in box: BoundingBox) -> [Int] { wallGrid.query(box) }

    /// Whether `p` lies inside any building.
    func isInsideBuilding(_ p: Point) -> Bool {
        footprintGrid.query(BoundingBox(points: [p])).contains { footprints[$0].contains(p) }
    }
}
