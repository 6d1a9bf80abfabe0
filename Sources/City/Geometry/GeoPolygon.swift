/// A polygon as Aula writes it for the outside world (GeoJSON, RFC 7946): WGS84 positions
/// `[longitude, latitude]` rounded to 7 decimals (about 1 cm), rings closed, outer rings
/// counter-clockwise and holes clockwise, each outer ring with its own holes.
///
/// Rounding moves every vertex by up to half a centimetre, which can turn a sliver narrower than
/// that into a repeated point or a line traced out and back (invalid by the OGC rules), so the
/// rings are cleaned again on the rounded grid, exactly, in integer units of 10⁻⁷°.
public struct GeoPolygon: Sendable, Hashable {
    /// Each part: its outer ring, then its holes, every ring closed.
    public var parts: [[[[Double]]]]

    /// "Polygon" for one part, "MultiPolygon" otherwise.
    public var type: String { parts.count == 1 ? "Polygon" : "MultiPolygon" }

    /// True when nothing is left (every ring collapsed).
    public var isEmpty: Bool { parts.isEmpty }
}

extension LocalProjection {
    /// The largest loop (twice its area, in square units of 10⁻⁷°: about 0.1 m²) that output
    /// rounding is taken to have folded; see ``RingCleaning/untangled(_:maximumLoopArea:)``.
    static let maximumFold: Int64 = 2_000

    /// The GeoJSON form of `polygon` (even-odd rings → outer rings with their holes).
    public func geoPolygon(_ polygon: Polygon) -> GeoPolygon {
        typealias Grid = (x: Int64, y: Int64)
        let rings: [[Grid]] = polygon.rings.compactMap { ring in
            let snapped = ring.map { p -> Grid in
                let g = unproject(p)
                return (Int64((g.longitude * 1e7).rounded()), Int64((g.latitude * 1e7).rounded()))
            }
            let clean = RingCleaning.untangled(snapped, maximumLoopArea: Self.maximumFold)
            return clean.isEmpty ? nil : clean
        }
        func area2(_ r: [Grid]) -> Int64 {
            var s: Int64 = 0
            for i in r.indices {
                let a = r[i], b = r[(i + 1) % r.count]
                s += a.x * b.y - b.x * a.y
            }
            return s
        }
        func point(_ g: Grid) -> Point { Point(x: Double(g.x), y: Double(g.y)) }
        let plain = rings.map { $0.map(point) }
        let areas = rings.map { abs(area2($0)) }
        // A ring lies inside another when most of its first few vertices do (a hole may touch its
        // outer ring at a vertex, which the crossing test may count either way).
        func inside(_ i: Int, _ j: Int) -> Bool {
            guard areas[i] < areas[j] else { return false }
            let probe = plain[i].prefix(5)
            return 2 * probe.filter { Polygon.ringContains(plain[j], $0) }.count > probe.count
        }
        var parents = [[Int]](repeating: [], count: rings.count)
        for i in rings.indices {
            for j in rings.indices where j != i && inside(i, j) { parents[i].append(j) }
        }
        func closed(_ r: [Grid], counterClockwise: Bool) -> [[Double]] {
            var r = r
            if (area2(r) > 0) != counterClockwise { r.reverse() }
            return (r + [r[0]]).map { [Double($0.x) / 1e7, Double($0.y) / 1e7] }
        }
        var parts: [[[[Double]]]] = []
        var partOf: [Int: Int] = [:]
        for i in rings.indices where parents[i].count % 2 == 0 {
            partOf[i] = parts.count
            parts.append([closed(rings[i], counterClockwise: true)])
        }
        for i in rings.indices where parents[i].count % 2 == 1 {
            // The hole's outer ring is the smallest even-depth ring around it.
            let outer = parents[i].filter { partOf[$0] != nil }.min { areas[$0] < areas[$1] }
            if let outer, let k = partOf[outer] { parts[k].append(closed(rings[i], counterClockwise: false)) }
        }
        return GeoPolygon(parts: parts)
    }
}
