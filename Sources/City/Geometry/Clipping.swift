/// Exact one-dimensional cuts of polygons and circles: the pieces of a segment that lie inside a
/// region, and the stretches of a horizontal scanline inside it. Lengths come straight from these;
/// areas come from summing scanlines (see ``Scanlines``).
enum Clipping {
    /// The parameter intervals `t ∈ [0, 1]` of the segment `a + t (b − a)` that lie inside `polygon`.
    ///
    /// Every crossing with a ring edge splits the segment; each piece is then wholly inside or
    /// outside, decided by testing its midpoint. Exact up to floating point.
    ///
    /// With a `tolerance`, pieces within that distance of the boundary count as inside: a street
    /// drawn along a district boundary then belongs to the district instead of to floating-point luck.
    static func segment(_ a: Point, _ b: Point, inside polygon: Polygon, tolerance: Double = 0) -> IntervalSet {
        let d = b - a
        var cuts: [Double] = [0, 1]
        for ring in polygon.rings {
            var j = ring.count - 1
            for i in ring.indices {
                if let t = crossing(a, d, ring[j], ring[i]) { cuts.append(t) }
                j = i
            }
        }
        cuts.sort()
        var pieces: [(lo: Double, hi: Double)] = []
        for k in 0..<(cuts.count - 1) where cuts[k + 1] - cuts[k] > 1e-12 {
            let mid = a + d * ((cuts[k] + cuts[k + 1]) / 2)
            if polygon.contains(mid) || (tolerance > 0 && polygon.distanceToBoundary(mid) <= tolerance) {
                pieces.append((cuts[k], cuts[k + 1]))
            }
        }
        return IntervalSet(union: pieces)
    }

    /// Parameter `t` on `a + t d` where it crosses the segment `p`–`q`, if it does within [0, 1].
    private static func crossing(_ a: Point, _ d: Point, _ p: Point, _ q: Point) -> Double? {
        let e = q - p
        let den = Point.cross(d, e)
        if abs(den) < 1e-15 { return nil }  // parallel: the midpoint tests handle overlap
        let w = p - a
        let t = Point.cross(w, e) / den
        let u = Point.cross(w, d) / den
        guard t > 0, t < 1, u >= 0, u <= 1 else { return nil }
        return t
    }

    /// The parameter interval of the segment `a`–`b` inside the disc of radius `r` around `c`.
    static func segment(_ a: Point, _ b: Point, insideDiscAt c: Point, radius r: Double) -> IntervalSet {
        let d = b - a
        let f = a - c
        let qa = Point.dot(d, d)
        let qb = 2 * Point.dot(f, d)
        let qc = Point.dot(f, f) - r * r
        guard qa > 0 else { return qc <= 0 ? IntervalSet(sortedDisjoint: [(0, 1)]) : .empty }
        let disc = qb * qb - 4 * qa * qc
        guard disc > 0 else { return .empty }
        let s = disc.squareRoot()
        let lo = Swift.max(0, (-qb - s) / (2 * qa))
        let hi = Swift.min(1, (-qb + s) / (2 * qa))
        return hi > lo ? IntervalSet(sortedDisjoint: [(lo, hi)]) : .empty
    }

    /// The x-intervals where the horizontal line at `y` is inside `polygon` (even-odd).
    static func row(_ y: Double, inside polygon: Polygon) -> IntervalSet {
        var xs: [Double] = []
        for ring in polygon.rings {
            var j = ring.count - 1
            for i in ring.indices {
                let a = ring[j]
                let b = ring[i]
                if (a.y > y) != (b.y > y) { xs.append(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x)) }
                j = i
            }
        }
        return pairUp(&xs)
    }

    /// Pairs sorted crossing abscissae into inside intervals (even-odd).
    static func pairUp(_ xs: inout [Double]) -> IntervalSet {
        xs.sort()
        var out: [(lo: Double, hi: Double)] = []
        var k = 0
        while k + 1 < xs.count {
            if xs[k + 1] > xs[k] { out.append((xs[k], xs[k + 1])) }
            k += 2
        }
        return IntervalSet(union: out)
    }

    /// The x-interval of the horizontal line at `y` inside the disc of radius `r` around `c`.
    static func row(_ y: Double, insideDiscAt c: Point, radius r: Double) -> IntervalSet {
        let dy = y - c.y
        let h2 = r * r - dy * dy
        guard h2 > 0 else { return .empty }
        let h = h2.squareRoot()
        return IntervalSet(sortedDisjoint: [(c.x - h, c.x + h)])
    }
}
