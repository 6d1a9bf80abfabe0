import City

/// Which locations count as neighbours: binary weights (1 for a neighbour, 0 otherwise).
public enum SpatialWeights: Sendable, Hashable, Codable {
    /// Every location within `threshold` metres (inclusive), as libpysal's `DistanceBand(binary=True)`.
    case distanceBand(threshold: Double)
    /// The `k` nearest other locations, as libpysal's `KNN`. Ties at the k-th distance are broken
    /// by index (lower first); libpysal's k-d tree may break them differently, so exact grids are
    /// best paired with a `k` that ends a ring of equal distances (4, 8, 12, 20, 24 …).
    case kNearest(k: Int)

    /// Neighbour lists (excluding the location itself).
    func neighbours(of points: [Point]) -> [[Int]] {
        let index = BucketIndex(points: points)
        switch self {
        case .distanceBand(let t):
            return points.indices.map { i in index.within(t, of: points[i]).filter { $0 != i } }
        case .kNearest(let k):
            return points.indices.map { i in index.nearest(k, to: points[i], excluding: i) }
        }
    }
}

/// Points hashed into square buckets for radius and nearest-neighbour queries.
struct BucketIndex: Sendable {
    let points: [Point]
    let size: Double
    let minX: Double, minY: Double
    let columns: Int, rows: Int
    var buckets: [[Int]]

    init(points: [Point], targetPerBucket: Double = 2) {
        self.points = points
        let box = BoundingBox(points: points)
        minX = points.isEmpty ? 0 : box.minX
        minY = points.isEmpty ? 0 : box.minY
        let w = points.isEmpty ? 1 : max(box.maxX - box.minX, 1e-9)
        let h = points.isEmpty ? 1 : max(box.maxY - box.minY, 1e-9)
        let s = max((w * h * targetPerBucket / Double(max(points.count, 1))).squareRoot(), max(w, h) / 4096, 1e-6)
        size = s
        columns = Int(w / s) + 1
        rows = Int(h / s) + 1
        var buckets = [[Int]](repeating: [], count: columns * rows)
        for (i, p) in points.enumerated() { buckets[Self.slot(p, minX, minY, s, columns, rows)].append(i) }
        self.buckets = buckets
    }

    static func slot(_ p: Point, _ minX: Double, _ minY: Double, _ s: Double, _ columns: Int, _ rows: Int) -> Int {
        let c = min(columns - 1, max(0, Int((p.x - minX) / s)))
        let r = min(rows - 1, max(0, Int((p.y - minY) / s)))
        return r * columns + c
    }

    func within(_ radius: Double, of q: Point) -> [Int] {
        let c0 = max(0, Int(((q.x - radius - minX) / size).rounded(.down)))
        let c1 = min(columns - 1, Int(((q.x + radius - minX) / size).rounded(.down)))
        let r0 = max(0, Int(((q.y - radius - minY) / size).rounded(.down)))
        let r1 = min(rows - 1, Int(((q.y + radius - minY) / size).rounded(.down)))
        guard c0 <= c1, r0 <= r1 else { return [] }
        var out: [Int] = []
        let r2 = radius * radius
        for r in r0...r1 {
            for c in c0...c1 {
                for i in buckets[r * columns + c] {
                    let dx = points[i].x - q.x, dy = points[i].y - q.y
                    if dx * dx + dy * dy <= r2 { out.append(i) }
                }
            }
        }
        return out.sorted()
    }

    /// The `k` nearest points to `q` other than `excluding`, nearest first (ties by index).
    func nearest(_ k: Int, to q: Point, excluding: Int) -> [Int] {
        guard k > 0, points.count > 1 else { return [] }
        let want = min(k, points.count - 1)
        let c = min(columns - 1, max(0, Int((q.x - minX) / size)))
        let r = min(rows - 1, max(0, Int((q.y - minY) / size)))
        var found: [(d: Double, i: Int)] = []
        var ring = 0
        while true {
            for rr in (r - ring)...(r + ring) where rr >= 0 && rr < rows {
                for cc in (c - ring)...(c + ring) where cc >= 0 && cc < columns {
                    guard max(abs(rr - r), abs(cc - c)) == ring else { continue }
                    for i in buckets[rr * columns + cc] where i != excluding {
                        let dx = points[i].x - q.x, dy = points[i].y - q.y
                        found.append((dx * dx + dy * dy, i))
                    }
                }
            }
            // Everything within `ring * size` of q has been seen once ring ≥ 1 more than needed.
            if found.count >= want {
                found.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
                let kth = found[want - 1].d.squareRoot()
                if Double(ring) * size >= kth || (ring > columns && ring > rows) { break }
            } else if ring > columns && ring > rows { break }
            ring += 1
        }
        found.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
        return found.prefix(want).map(\.i)
    }
}
