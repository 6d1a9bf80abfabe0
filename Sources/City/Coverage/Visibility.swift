import Foundation

/// The region a camera sees: its sector (heading ± FOV/2, out to range) minus everything behind a
/// building wall, as a polygon star-shaped around the camera.
public struct VisibilityPolygon: Sendable, Hashable, Codable {
    public var cameraID: String
    /// The camera's position in local metres.
    public var origin: Point
    /// Empty when the camera stands inside a building.
    public var polygon: Polygon

    public init(cameraID: String, origin: Point, polygon: Polygon) {
        self.cameraID = cameraID
        self.origin = origin
        self.polygon = polygon
    }
}

/// Computes visibility polygons by an angular sweep with ray casting.
///
/// Between two consecutive "critical" directions — a wall's end, a wall crossing the range circle,
/// the sector's edges — the nearest wall along a ray does not change, so the visible boundary there
/// is a straight piece of that wall or an arc of the range circle. Casting one ray on each side of
/// every critical direction (and along the arc every `arcStep` degrees) therefore gives the exact
/// polygon, arcs aside. Walls are bucketed by the directions they span so a ray tests only a few.
/// Walls that cross without an endpoint between them (overlapping buildings) are the one case the
/// sweep does not cut exactly.
enum Visibility {
    /// Angular offset of the rays cast either side of a wall's end, degrees.
    static let epsilon = 1e-5
    /// How far (metres) a vertex may stand off the line through its neighbours and still be
    /// dropped as a spike or a point on a straight edge: far below what the rays resolve.
    static let cleaningTolerance = 1e-6

    static func polygon(from c: Point, heading: Double, fieldOfView fov: Double, range r: Double,
                        obstacles: ObstacleIndex, arcStep: Double) -> Polygon {
        if obstacles.isInsideBuilding(c) { return Polygon(rings: []) }
        let full = fov >= 360
        let span = full ? 360.0 : fov
        let start = full ? 0.0 : heading - fov / 2
        func relative(_ p: Point) -> Double {
            var a = ((p - c).bearingDegrees - start).truncatingRemainder(dividingBy: 360)
            if a < 0 { a += 360 }
            return a
        }

        // Walls within range, bucketed by the directions (relative to the sector start) they span.
        let bucketWidth = 0.5
        let bucketCount = 720
        var buckets = [[Int]](repeating: [], count: bucketCount)
        var walls: [(Point, Point)] = []
        var critical: [(angle: Double, isEnd: Bool)] = [(0, false)]
        if !full { critical.append((span, false)) }
        for w in obstacles.walls(in: BoundingBox.around(c, radius: r)) {
            let (a, b) = obstacles.walls[w]
            guard distance(c, a, b) < r else { continue }
            let cr = Point.cross(a - c, b - c)
            if abs(cr) < 1e-12 { continue }  // a wall seen edge-on hides nothing but its own line
            let k = walls.count
            walls.append((a, b))
            var lo = relative(a)
            var hi = relative(b)
            var d = hi - lo
            if d > 180 { d -= 360 } else if d < -180 { d += 360 }
            if d < 0 { swap(&lo, &hi); d = -d }
            let first = Int(lo / bucketWidth)
            let last = Int((lo + d) / bucketWidth)
            for q in first...last { buckets[q % bucketCount].append(k) }
            for p in [a, b] where p.distance(to: c) < r {
                let ang = relative(p)
                if ang <= span { critical.append((ang, true)) }
            }
            for t in circleCrossings(c, r, a, b) {
                let ang = relative(a + (b - a) * t)
                if ang <= span { critical.append((ang, false)) }
            }
        }
        let arcCount = Int((span / arcStep).rounded(.up))
        for k in 1..<Swift.max(arcCount, 1) { critical.append((span * Double(k) / Double(arcCount), false)) }
        critical.sort { $0.angle < $1.angle }

        func cast(_ angle: Double) -> Point {
            var a = angle.truncatingRemainder(dividingBy: 360)
            if a < 0 { a += 360 }
            let dir = Point.unit(bearingDegrees: start + a)
            var best = r
            for k in buckets[Int(a / bucketWidth) % bucketCount] {
                let (p, q) = walls[k]
                let e = q - p
                let den = Point.cross(dir, e)
                if abs(den) < 1e-15 { continue }
                let w = p - c
                let t = Point.cross(w, e) / den
                let u = Point.cross(w, dir) / den
                if t > 0, t < best, u >= -1e-9, u <= 1 + 1e-9 { best = t }
            }
            return c + dir * best
        }

        var ring: [Point] = full ? [] : [c]
        var last = -1.0
        for (angle, isEnd) in critical {
            if isEnd {
                let before = full ? angle - epsilon : Swift.max(0, angle - epsilon)
                let after = full ? angle + epsilon : Swift.min(span, angle + epsilon)
                append(cast(before), to: &ring)
                append(cast(after), to: &ring)
            } else if angle - last > 1e-9 {
                append(cast(angle), to: &ring)
            }
            last = angle
        }
        if full, let first = ring.first, let end = ring.last, first.distance(to: end) < 1e-9 { ring.removeLast() }
        // Rays either side of a wall's end that hit the same wall, and walls seen along their own
        // line, leave repeated points, points on a straight edge and zero-width spikes (the ring
        // out and back along one line): invalid by the OGC rules though they add no area.
        return Polygon(ring: RingCleaning.cleaned(ring, tolerance: cleaningTolerance))
    }

    private static func append(_ p: Point, to ring: inout [Point]) {
        if let last = ring.last, last.distance(to: p) < 1e-9 { return }
        ring.append(p)
    }

    /// Distance from `c` to the segment `a`–`b`.
    static func distance(_ c: Point, _ a: Point, _ b: Point) -> Double {
        let d = b - a
        let len2 = Point.dot(d, d)
        let t = len2 > 0 ? Swift.min(1, Swift.max(0, Point.dot(c - a, d) / len2)) : 0
        return (a + d * t).distance(to: c)
    }

    /// Parameters t ∈ (0, 1) where the segment `a`–`b` crosses the circle of radius `r` around `c`.
    static func circleCrossings(_ c: Point, _ r: Double, _ a: Point, _ b: Point) -> [Double] {
        let d = b - a
        let f = a - c
        let qa = Point.dot(d, d)
        let qb = 2 * Point.dot(f, d)
        let qc = Point.dot(f, f) - r * r
        let disc = qb * qb - 4 * qa * qc
        guard qa > 0, disc > 0 else { return [] }
        let s = disc.squareRoot()
        return [(-qb - s) / (2 * qa), (-qb + s) / (2 * qa)].filter { $0 > 0 && $0 < 1 }
    }
}
