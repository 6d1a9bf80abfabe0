import City

/// What a city-wide hot-spot answer carries: the significant cells only (Gi* class ≠ 0, i.e. hot
/// or cold at 90 % or more), and for drawing them those cells merged into rectangles of one class.
///
/// A city's grid has hundreds of thousands of cells, nearly all of them neither hot nor cold; sending
/// each as a polygon made the answer tens of megabytes. Rows are cut into runs of one class, and a
/// run continues the rectangle of the row below when it spans the same columns with the same class,
/// so a hot spot of a few hundred cells is drawn as a handful of rectangles, each a valid polygon
/// that shares edges with its neighbours but never overlaps them.
public struct HotspotMap: Sendable, Hashable {
    /// Cells `column ..< column + columns` × `row ..< row + rows`, all of one class.
    public struct Rectangle: Sendable, Hashable {
        public var column: Int
        public var row: Int
        public var columns: Int
        public var rows: Int
        public var classification: HotspotClass
    }

    /// Indices of the significant cells, ascending.
    public var cells: [Int]
    public var rectangles: [Rectangle]

    public init(_ result: GridHotspots) {
        let grid = result.grid
        // Significant (class ≠ 0) is p < 0.10; the test on p alone keeps this pass cheap on big grids.
        var significant: [Int] = []
        result.giStar.withUnsafeBufferPointer { g in
            var i = 0
            while i < g.count {
                if g[i].p < 0.10 { significant.append(i) }
                i += 1
            }
        }
        cells = significant
        var done: [Rectangle] = []
        // Rectangles still growing, keyed by the run they end in: first column, column count, class.
        var open: [Run: Rectangle] = [:]
        var k = 0
        for row in 0..<grid.rows {
            var runs: [Run] = []
            while k < cells.count, cells[k] / grid.columns == row {
                let first = cells[k]
                let cls = result.giStar[first].classification
                var last = first
                while k + 1 < cells.count, cells[k + 1] == last + 1, cells[k + 1] / grid.columns == row,
                      result.giStar[cells[k + 1]].classification == cls {
                    k += 1
                    last += 1
                }
                k += 1
                runs.append(Run(column: first % grid.columns, columns: last - first + 1, classification: cls))
            }
            var next: [Run: Rectangle] = [:]
            for run in runs {
                if var grown = open.removeValue(forKey: run) {
                    grown.rows += 1
                    next[run] = grown
                } else {
                    next[run] = Rectangle(column: run.column, row: row, columns: run.columns, rows: 1, classification: run.classification)
                }
            }
            done += open.values
            open = next
        }
        done += open.values
        rectangles = done.sorted { ($0.row, $0.column) < ($1.row, $1.column) }
    }

    struct Run: Hashable {
        var column: Int
        var columns: Int
        var classification: HotspotClass
    }
}

extension AnalysisGrid {
    /// The outline of a rectangle of cells, local metres, counter-clockwise.
    public func ring(_ r: HotspotMap.Rectangle) -> [Point] {
        let x0 = origin.x + Double(r.column) * cellSize, y0 = origin.y + Double(r.row) * cellSize
        return PlaneGeometry.rectangle(BoundingBox(minX: x0, minY: y0, maxX: x0 + Double(r.columns) * cellSize,
                                                   maxY: y0 + Double(r.rows) * cellSize))
    }
}
