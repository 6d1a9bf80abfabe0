import City

/// A regular grid of square cells over part of the local plane; cell `(column, row)` has index
/// `row * columns + column`, rows running north from `origin`.
public struct AnalysisGrid: Sendable, Hashable, Codable {
    /// South-west corner, local metres.
    public var origin: Point
    /// Cell side, metres.
    public var cellSize: Double
    public var columns: Int
    public var rows: Int

    public init(origin: Point, cellSize: Double, columns: Int, rows: Int) {
        self.origin = origin
        self.cellSize = cellSize
        self.columns = columns
        self.rows = rows
    }

    /// The smallest grid of `cellSize` cells that covers `box` (at least one cell).
    public init(covering box: BoundingBox, cellSize: Double) {
        origin = Point(x: box.minX, y: box.minY)
        self.cellSize = cellSize
        columns = max(1, Int(((box.maxX - box.minX) / cellSize).rounded(.up)))
        rows = max(1, Int(((box.maxY - box.minY) / cellSize).rounded(.up)))
    }

    public var count: Int { columns * rows }

    /// The centre of cell `index`.
    public func centre(_ index: Int) -> Point {
        Point(x: origin.x + (Double(index % columns) + 0.5) * cellSize, y: origin.y + (Double(index / columns) + 0.5) * cellSize)
    }

    /// The cell containing `p`, or nil outside the grid.
    public func cell(containing p: Point) -> Int? {
        let c = Int(((p.x - origin.x) / cellSize).rounded(.down))
        let r = Int(((p.y - origin.y) / cellSize).rounded(.down))
        guard c >= 0, c < columns, r >= 0, r < rows else { return nil }
        return r * columns + c
    }

    /// The square of cell `index` as a ring (for map layers).
    public func ring(_ index: Int) -> [Point] {
        let x = origin.x + Double(index % columns) * cellSize
        let y = origin.y + Double(index / columns) * cellSize
        return PlaneGeometry.rectangle(BoundingBox(minX: x, minY: y, maxX: x + cellSize, maxY: y + cellSize))
    }

    /// Counts of points per cell; points outside the grid are ignored.
    public func counts(of points: [Point]) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        for p in points { if let i = cell(containing: p) { out[i] += 1 } }
        return out
    }
}
