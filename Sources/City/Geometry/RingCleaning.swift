/// Removes the vertices that make a ring invalid by the OGC rules without adding anything to its
/// area: repeated points, points on a straight line through their neighbours, and the tips of
/// zero-width spikes (the ring going out along a line and back along the same line). Removing one
/// vertex can make its neighbour such a vertex, so the pass repeats around the ring (a stack, then
/// the seam where the ring closes) until none is left.
enum RingCleaning {
    /// `tolerance` is the largest distance (metres) by which a removed vertex may stand off the
    /// line through its neighbours; a ring that collapses below three vertices comes back empty.
    static func cleaned(_ ring: [Point], tolerance: Double) -> [Point] {
        cleaned(ring) { a, b, c in
            let ab = b - a, bc = c - b
            let longer = Swift.max(ab.length, bc.length)
            // Twice the triangle's area over its longer side at b: how far the third corner stands off that side.
            return longer <= tolerance || abs(Point.cross(ab, bc)) <= tolerance * longer
        }
    }

    /// The same on exact integer coordinates: a vertex goes when it repeats its predecessor or is
    /// exactly collinear with its neighbours (no tolerance; products of differences fit in 64 bits
    /// for the coordinate ranges used: a few degrees in units of 10⁻⁷°).
    static func cleaned(_ ring: [(x: Int64, y: Int64)]) -> [(x: Int64, y: Int64)] {
        cleaned(ring) { a, b, c in
            (b.x == a.x && b.y == a.y) || (b.x - a.x) * (c.y - b.y) == (b.y - a.y) * (c.x - b.x)
        }
    }

    /// Drops every vertex `b` for which `degenerate(a, b, c)` holds with its current neighbours.
    static func cleaned<P>(_ ring: [P], degenerate: (P, P, P) -> Bool) -> [P] {
        var kept: [P] = []
        kept.reserveCapacity(ring.count)
        for p in ring {
            while kept.count >= 2, degenerate(kept[kept.count - 2], kept[kept.count - 1], p) { kept.removeLast() }
            kept.append(p)
        }
        // The seam: the last and first vertices with their cyclic neighbours.
        var changed = true
        while changed, kept.count >= 3 {
            changed = false
            let n = kept.count
            if degenerate(kept[n - 2], kept[n - 1], kept[0]) {
                kept.removeLast()
                changed = true
            } else if degenerate(kept[n - 1], kept[0], kept[1]) {
                kept.removeFirst()
                changed = true
            }
        }
        // Two vertices left that are the same point, or three on a line, enclose nothing.
        return kept.count >= 3 ? kept : []
    }
}

extension RingCleaning {
    typealias GridPoint = (x: Int64, y: Int64)

    /// Undoes the small folds that rounding to a grid can make: where two edges that do not share
    /// a vertex cross or touch, the short stretch of ring between them (a loop a few grid units
    /// across) is cut out and the ring goes straight on. A fold whose loop encloses more than
    /// `maximumLoopArea` (square grid units, doubled) is left alone: that is no rounding artefact.
    /// Exact: integer orientation tests.
    static func untangled(_ ring: [GridPoint], maximumLoopArea: Int64) -> [GridPoint] {
        var r = cleaned(ring)
        for _ in 0..<64 {
            guard r.count >= 4, let (from, count) = smallestFold(r), count < r.count - 2 else { return r }
            let n = r.count
            let loop = (0...count).map { r[(from + $0) % n] }
            guard abs(doubledArea(loop)) <= maximumLoopArea else { return r }
            // Drop vertices from+1 … from+count (cyclically): the ring goes from `from` straight to the next.
            var drop = Set<Int>()
            for k in 1...count { drop.insert((from + k) % n) }
            r = cleaned(r.indices.filter { !drop.contains($0) }.map { r[$0] })
        }
        return r
    }

    /// Twice the signed area of a ring.
    static func doubledArea(_ r: [GridPoint]) -> Int64 {
        var s: Int64 = 0
        for i in r.indices {
            let a = r[i], b = r[(i + 1) % r.count]
            s += a.x * b.y - b.x * a.y
        }
        return s
    }

    /// Among edges (i, i+1) and (j, j+1) that meet without sharing a vertex, the pair closest along
    /// the ring: returns i and the number of vertices strictly after i up to j (the stretch to cut).
    static func smallestFold(_ r: [GridPoint]) -> (Int, Int)? {
        let n = r.count
        var minX = Int64.max, minY = Int64.max, maxX = Int64.min, maxY = Int64.min
        for p in r {
            minX = Swift.min(minX, p.x); maxX = Swift.max(maxX, p.x)
            minY = Swift.min(minY, p.y); maxY = Swift.max(maxY, p.y)
        }
        let side = Swift.max(maxX - minX, maxY - minY, 1)
        let cell = Swift.max(1, side / Int64(Double(n).squareRoot().rounded(.up)))
        var cells: [Int64: [Int]] = [:]
        for i in 0..<n {
            let a = r[i], b = r[(i + 1) % n]
            for cx in (Swift.min(a.x, b.x) - minX) / cell ... (Swift.max(a.x, b.x) - minX) / cell {
                for cy in (Swift.min(a.y, b.y) - minY) / cell ... (Swift.max(a.y, b.y) - minY) / cell {
                    cells[cx << 32 | cy, default: []].append(i)
                }
            }
        }
        var best: (Int, Int)?
        for edges in cells.values where edges.count > 1 {
            for x in 0..<(edges.count - 1) {
                for y in (x + 1)..<edges.count {
                    let i = edges[x], j = edges[y]
                    let forward = (j - i + n) % n, backward = (i - j + n) % n
                    if forward <= 1 || backward <= 1 { continue }  // adjacent edges share a vertex
                    guard meet(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n]) else { continue }
                    let fold = forward <= backward ? (i, forward) : (j, backward)
                    if best.map({ fold.1 < $0.1 }) ?? true { best = fold }
                }
            }
        }
        return best
    }

    /// Whether the closed segments a–b and c–d have a point in common.
    static func meet(_ a: GridPoint, _ b: GridPoint, _ c: GridPoint, _ d: GridPoint) -> Bool {
        func orient(_ p: GridPoint, _ q: GridPoint, _ s: GridPoint) -> Int {
            let v = (q.x - p.x) * (s.y - p.y) - (q.y - p.y) * (s.x - p.x)
            return v > 0 ? 1 : v < 0 ? -1 : 0
        }
        func within(_ p: GridPoint, _ q: GridPoint, _ s: GridPoint) -> Bool {
            Swift.min(p.x, q.x) <= s.x && s.x <= Swift.max(p.x, q.x) && Swift.min(p.y, q.y) <= s.y && s.y <= Swift.max(p.y, q.y)
        }
        let o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b)
        if o1 * o2 < 0 && o3 * o4 < 0 { return true }
        return (o1 == 0 && within(a, b, c)) || (o2 == 0 && within(a, b, d)) || (o3 == 0 && within(c, d, a)) || (o4 == 0 && within(c, d, b))
    }
}
