/// A simple polygon in normalised image coordinates, validated on construction.
public struct ZonePolygon: Sendable, Hashable, Codable {
    public let points: [NormalizedPoint]

    /// - Parameter field: how the caller names this polygon in errors ("zones[1].polygon").
    /// - Throws: ``MotionError`` naming the field when there are fewer than three points, a
    ///   coordinate is not a number or lies outside 0…1, the polygon has no area, or two of its
    ///   edges cross.
    public init(_ points: [NormalizedPoint], field: String = "polygon") throws(MotionError) {
        guard points.count >= 3 else { throw .invalid(field, "needs at least 3 points, got \(points.count)") }
        guard points.count <= 256 else { throw .invalid(field, "has \(points.count) points; at most 256 are allowed") }
        for (i, p) in points.enumerated() {
            for (axis, v) in [("x", p.x), ("y", p.y)] {
                guard v.isFinite else { throw .invalid("\(field)[\(i)].\(axis)", "is not a finite number") }
                guard v >= 0 && v <= 1 else { throw .invalid("\(field)[\(i)].\(axis)", "must lie in 0…1 (normalised image coordinates), got \(v)") }
            }
        }
        let polygon = points
        let n = polygon.count
        for i in 0..<n {
            for j in (i + 1)..<n {
                // Adjacent edges share a vertex; the first and last edge too.
                if j == i + 1 || (i == 0 && j == n - 1) { continue }
                if Self.segmentsCross(polygon[i], polygon[(i + 1) % n], polygon[j], polygon[(j + 1) % n]) {
                    throw .invalid(field, "edges \(i)–\((i + 1) % n) and \(j)–\((j + 1) % n) cross; draw the outline without crossing itself")
                }
            }
        }
        guard abs(Self.signedArea(polygon)) > 1e-6 else { throw .invalid(field, "has no area (its points are collinear or repeated)") }
        self.points = polygon
    }

    enum CodingKeys: String, CodingKey { case points }

    /// Decodes and validates, naming the field by its place in the document ("zones[1].polygon").
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let points = try container.decode([NormalizedPoint].self, forKey: .points)
        try self.init(points, field: fieldName(decoder.codingPath, fallback: "polygon"))
    }

    /// An axis-aligned rectangle, for tests and defaults.
    public static func rectangle(x0: Double, y0: Double, x1: Double, y1: Double, field: String = "polygon") throws(MotionError) -> ZonePolygon {
        try ZonePolygon([.init(x: x0, y: y0), .init(x: x1, y: y0), .init(x: x1, y: y1), .init(x: x0, y: y1)], field: field)
    }

    /// Area as a fraction of the image.
    public var area: Double { abs(Self.signedArea(points)) }

    /// Even-odd point-in-polygon test.
    public func contains(_ p: NormalizedPoint) -> Bool {
        var inside = false
        var j = points.count - 1
        for i in points.indices {
            let a = points[i], b = points[j]
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x)
                if p.x < x { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    static func signedArea(_ p: [NormalizedPoint]) -> Double {
        var s = 0.0
        for i in p.indices {
            let a = p[i], b = p[(i + 1) % p.count]
            s += a.x * b.y - b.x * a.y
        }
        return s / 2
    }

    static func segmentsCross(_ a: NormalizedPoint, _ b: NormalizedPoint, _ c: NormalizedPoint, _ d: NormalizedPoint) -> Bool {
        func orient(_ p: NormalizedPoint, _ q: NormalizedPoint, _ r: NormalizedPoint) -> Double {
            (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
        }
        func onSegment(_ p: NormalizedPoint, _ q: NormalizedPoint, _ r: NormalizedPoint) -> Bool {
            min(p.x, q.x) <= r.x && r.x <= max(p.x, q.x) && min(p.y, q.y) <= r.y && r.y <= max(p.y, q.y)
        }
        let o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b)
        if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) { return true }
        if o1 == 0 && onSegment(a, b, c) { return true }
        if o2 == 0 && onSegment(a, b, d) { return true }
        if o3 == 0 && onSegment(c, d, a) { return true }
        if o4 == 0 && onSegment(c, d, b) { return true }
        return false
    }
}

/// "zones[1].polygon" from a coding path.
func fieldName(_ path: [any CodingKey], fallback: String) -> String {
    var name = ""
    for key in path {
        if let index = key.intValue { name += "[\(index)]" } else { name += (name.isEmpty ? "" : ".") + key.stringValue }
    }
    return name.isEmpty ? fallback : name
}
