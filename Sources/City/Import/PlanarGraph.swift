import Foundation

/// An undirected planar graph of straight edges, with the faces it bounds. Used to find the open
/// ground enclosed by buildings (``CourtyardDeriver``).
struct PlanarGraph {
    private(set) var points: [Point] = []
    private var index: [Key: Int] = [:]
    private var edges: Set<Edge> = []

    private struct Key: Hashable {
        var x: Int64
        var y: Int64
    }

    private struct Edge: Hashable {
        var u: Int
        var v: Int
        init(_ a: Int, _ b: Int) {
            u = min(a, b)
            v = max(a, b)
        }
    }

    /// The vertex at `p`, merging points within the 1 cm grid.
    private mutating func vertex(_ p: Point) -> Int {
        let key = Key(x: Int64((p.x * 100).rounded()), y: Int64((p.y * 100).rounded()))
        if let v = index[key] { return v }
        points.append(p)
        index[key] = points.count - 1
        return points.count - 1
    }

    mutating func addEdge(_ a: Point, _ b: Point) {
        let u = vertex(a)
        let v = vertex(b)
        if u != v { edges.insert(Edge(u, v)) }
    }

    /// Splits every edge at vertices lying on it (within `tolerance` metres), so walls that meet in
    /// a T are joined.
    mutating func splitTJunctions(tolerance: Double) {
        var grid = GridIndex(cellSize: 20)
        for (i, p) in points.enumerated() { grid.insert(i, BoundingBox(points: [p])) }
        var result: Set<Edge> = []
        for e in edges {
            let a = points[e.u]
            let b = points[e.v]
            let d = b - a
            let len2 = Point.dot(d, d)
            var onEdge: [(t: Double, v: Int)] = []
            for v in grid.query(BoundingBox(points: [a, b]).expanded(by: tolerance)) where v != e.u && v != e.v {
                let t = Point.dot(points[v] - a, d) / len2
                guard t > 0, t < 1 else { continue }
                if (a + d * t).distance(to: points[v]) <= tolerance { onEdge.append((t, v)) }
            }
            if onEdge.isEmpty {
                result.insert(e)
                continue
            }
            onEdge.sort { $0.t < $1.t }
            var prev = e.u
            for (_, v) in onEdge {
                result.insert(Edge(prev, v))
                prev = v
            }
            result.insert(Edge(prev, e.v))
        }
        edges = result
    }

    /// Rings of the bounded faces, counter-clockwise. Each half-edge is followed by turning as far
    /// right as possible at its end, which walks every face with the face on the left; bounded
    /// faces come out counter-clockwise (positive area), outer boundaries clockwise.
    func boundedFaces() -> [[Point]] { faces().bounded }

    /// All faces: bounded ones counter-clockwise, and the outer boundary of every connected
    /// component clockwise.
    func faces() -> (bounded: [[Point]], outer: [[Point]]) {
        var adjacency = [[Int]](repeating: [], count: points.count)
        for e in edges {
            adjacency[e.u].append(e.v)
            adjacency[e.v].append(e.u)
        }
        for v in adjacency.indices {
            let p = points[v]
            adjacency[v].sort { atan2(points[$0].y - p.y, points[$0].x - p.x) < atan2(points[$1].y - p.y, points[$1].x - p.x) }
        }
        var visited = [Set<Int>](repeating: [], count: points.count)  // per vertex: targets already walked
        var bounded: [[Point]] = []
        var outer: [[Point]] = []
        for start in adjacency.indices {
            for firstTarget in adjacency[start] where !visited[start].contains(firstTarget) {
                var ring: [Point] = []
                var u = start
                var v = firstTarget
                var steps = 0
                while !visited[u].contains(v), steps <= 2 * edges.count {
                    visited[u].insert(v)
                    ring.append(points[u])
                    let around = adjacency[v]
                    let k = around.firstIndex(of: u)!
                    let w = around[(k - 1 + around.count) % around.count]
                    u = v
                    v = w
                    steps += 1
                }
                guard ring.count >= 3 else { continue }
                if Polygon.signedArea(ring) > 0 { bounded.append(ring) } else { outer.append(ring) }
            }
        }
        return (bounded, outer)
    }
}
