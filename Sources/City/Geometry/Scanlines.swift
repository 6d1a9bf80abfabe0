/// Horizontal scanlines through a region, `spacing` metres apart, each line standing for the strip
/// of that height around it (midpoint rule). The area of any region inside the box is the sum over
/// lines of (inside length × spacing). Between two corners of the boundaries the inside length
/// changes linearly with y, which the midpoint rule integrates exactly; only strips that contain a
/// corner or a crossing of two boundaries carry an error, bounded by the strip's share of that
/// corner (see docs/coverage.md).
struct Scanlines: Sendable, Hashable {
    /// y of the first line's strip bottom.
    let originY: Double
    let spacing: Double
    let count: Int

    init(covering box: BoundingBox, spacing: Double) {
        self.spacing = spacing
        originY = (box.minY / spacing).rounded(.down) * spacing  // aligned, so regions share lines
        let top = (box.maxY / spacing).rounded(.up) * spacing
        count = Swift.max(0, Int(((top - originY) / spacing).rounded()))
    }

    /// y of line `i` (the middle of its strip).
    func y(_ i: Int) -> Double { originY + (Double(i) + 0.5) * spacing }

    /// Intervals inside `polygon` for every line.
    func rows(inside polygon: Polygon) -> [IntervalSet] {
        var xs = [[Double]](repeating: [], count: count)
        for ring in polygon.rings {
            var j = ring.count - 1
            for i in ring.indices {
                addCrossings(ring[j], ring[i], into: &xs)
                j = i
            }
        }
        return xs.indices.map { Clipping.pairUp(&xs[$0]) }
    }

    /// Appends to `xs[line]` the x where the edge `a`–`b` crosses each line (half-open in y so a
    /// vertex exactly on a line is counted once).
    func addCrossings(_ a: Point, _ b: Point, into xs: inout [[Double]]) {
        let lo = Swift.min(a.y, b.y)
        let hi = Swift.max(a.y, b.y)
        if hi == lo { return }
        // Lines with lo <= y < hi.
        var first = Int(((lo - originY) / spacing - 0.5).rounded(.up))
        first = Swift.max(first, 0)
        var i = first
        while i < count {
            let y = self.y(i)
            if y >= hi { break }
            if y >= lo { xs[i].append(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x)) }
            i += 1
        }
    }
}
