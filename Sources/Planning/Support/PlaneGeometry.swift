import City

/// Small geometric helpers the planning code needs and `City` keeps internal.
enum PlaneGeometry {
    /// Distance from `p` to the segment `a`–`b`.
    static func distance(_ p: Point, _ a: Point, _ b: Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        var t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0
        t = min(1, max(0, t))
        let qx = a.x + dx * t - p.x, qy = a.y + dy * t - p.y
        return (qx * qx + qy * qy).squareRoot()
    }

    /// Distance from `p` to the nearest edge of `polygon` (0 is not returned for inside points:
    /// callers test containment first).
    static func distanceToBoundary(_ p: Point, _ polygon: Polygon) -> Double {
        var best = Double.infinity
        for ring in polygon.rings {
            var j = ring.count - 1
            for i in ring.indices {
                best = min(best, distance(p, ring[j], ring[i]))
                j = i
            }
        }
        return best
    }

    /// The area-weighted centroid of a polygon's outer rings (even-odd, holes subtract).
    static func centroid(_ polygon: Polygon) -> Point {
        var ax = 0.0, ay = 0.0, total = 0.0
        for ring in polygon.rings {
            var a = 0.0, cx = 0.0, cy = 0.0
            for i in ring.indices {
                let p = ring[i], q = ring[(i + 1) % ring.count]
                let c = p.x * q.y - q.x * p.y
                a += c
                cx += (p.x + q.x) * c
                cy += (p.y + q.y) * c
            }
            a /= 2
            guard abs(a) > 1e-12 else { continue }
            // Sign from nesting: a ring inside another ring is a hole.
            let depth = polygon.rings.filter { $0 != ring && contains($0, ring[0]) }.count
            let sign: Double = depth % 2 == 0 ? 1 : -1
            let area = abs(a) * sign
            ax += cx / (6 * a) * area
            ay += cy / (6 * a) * area
            total += area
        }
        guard total != 0 else {
            let pts = polygon.rings.joined()
            let n = Double(max(1, pts.count))
            return Point(x: pts.reduce(0) { $0 + $1.x } / n, y: pts.reduce(0) { $0 + $1.y } / n)
        }
        return Point(x: ax / total, y: ay / total)
    }

    static func contains(_ ring: [Point], _ p: Point) -> Bool { Polygon(ring: ring).contains(p) }

    /// A point `distance` metres along a polyline (clamped to its ends).
    static func point(along line: [Point], at distance: Double) -> Point {
        guard var previous = line.first else { return Point(x: 0, y: 0) }
        var left = distance
        for next in line.dropFirst() {
            let d = previous.distance(to: next)
            if d >= left, d > 0 {
                let t = left / d
                return Point(x: previous.x + (next.x - previous.x) * t, y: previous.y + (next.y - previous.y) * t)
            }
            left -= d
            previous = next
        }
        return previous
    }

    /// An axis-aligned rectangle ring.
    static func rectangle(_ box: BoundingBox) -> [Point] {
        [Point(x: box.minX, y: box.minY), Point(x: box.maxX, y: box.minY),
         Point(x: box.maxX, y: box.maxY), Point(x: box.minX, y: box.maxY)]
    }
}
