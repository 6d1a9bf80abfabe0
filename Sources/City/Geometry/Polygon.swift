/// A region of the plane bounded by one or more rings, read with the even-odd rule: a point is
/// inside when a ray from it crosses the rings an odd number of times. One outer ring with holes,
/// or several disjoint outer rings (an OSM multipolygon), both fit without extra structure.
///
/// Rings are stored open: the last point is not a repeat of the first.
public struct Polygon: Sendable, Hashable, Codable {
    /// The rings, outer rings and holes alike; orientation does not matter.
    public var rings: [[Point]]

    /// Creates a polygon; a repeated closing point at the end of a ring is dropped.
    public init(rings: [[Point]]) {
        self.rings = rings.map { ring in
            if ring.count > 1, ring.first == ring.last { return Array(ring.dropLast()) }
            return ring
        }.filter { $0.count >= 3 }
    }

    /// A polygon with a single ring.
    public init(ring: [Point]) { self.init(rings: [ring]) }

    /// True when the polygon has no ring, so covers nothing.
    public var isEmpty: Bool { rings.isEmpty }

    /// The bounding box of all rings.
    public var boundingBox: BoundingBox { BoundingBox(points: rings.joined()) }

    /// The area in square metres under the even-odd rule.
    ///
    /// A ring nested inside an odd number of others is a hole and subtracts; this assumes rings do
    /// not cross one another, which the importers check for closed rings but not for crossings.
    public var area: Double {
        if rings.count == 1 { return abs(Polygon.signedArea(rings[0])) }
        var total = 0.0
        for (i, ring) in rings.enumerated() {
            var depth = 0
            for (j, other) in rings.enumerated() where j != i {
                if Polygon.ringContains(other, ring[0]) { depth += 1 }
            }
            total += (depth % 2 == 0 ? 1 : -1) * abs(Polygon.signedArea(ring))
        }
        return total
    }

    /// Whether `p` lies inside (even-odd). Points exactly on an edge may go either way.
    public func contains(_ p: Point) -> Bool {
        var inside = false
        for ring in rings where Polygon.ringContains(ring, p) { inside.toggle() }
        return inside
    }

    /// Distance from `p` to the nearest ring edge.
    func distanceToBoundary(_ p: Point) -> Double {
        var best = Double.infinity
        for ring in rings {
            var j = ring.count - 1
            for i in ring.indices {
                let a = ring[j]
                let d = ring[i] - a
                let len2 = Point.dot(d, d)
                let t = len2 > 0 ? Swift.min(1, Swift.max(0, Point.dot(p - a, d) / len2)) : 0
                best = Swift.min(best, (a + d * t).distance(to: p))
                j = i
            }
        }
        return best
    }

    /// Every edge of every ring, as (start, end) pairs.
    var edges: [(Point, Point)] {
        var out: [(Point, Point)] = []
        for ring in rings {
            for i in ring.indices { out.append((ring[i], ring[(i + 1) % ring.count])) }
        }
        return out
    }

    /// Shoelace formula; positive for counter-clockwise rings.
    static func signedArea(_ ring: [Point]) -> Double {
        var s = 0.0
        for i in ring.indices {
            let a = ring[i]
            let b = ring[(i + 1) % ring.count]
            s += a.x * b.y - b.x * a.y
        }
        return s / 2
    }

    /// Crossing-number test for one ring.
    static func ringContains(_ ring: [Point], _ p: Point) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in ring.indices {
            let a = ring[i]
            let b = ring[j]
            // Half-open rule on y so a vertex exactly at p.y is counted once.
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x)
                if p.x < x { inside.toggle() }
            }
            j = i
        }
        return inside
    }
}
