import Foundation

/// The city's streets and paths as a graph for walking distances: who of the guards on duty is
/// nearest to an incident by the way they would actually go, around buildings and over the
/// bridges a river leaves (docs/guards.md, "The dispatch rule").
///
/// Vertices are the points of the imported street centrelines; two streets meet where they share
/// a point (OSM ways meet at shared nodes, which project to the same point). Every edge can be
/// walked both ways. A place off the network (an incident in a courtyard, a guard in a yard)
/// joins it at the nearest point of the nearest street segment, in a straight line.
public struct WalkingGraph: Sendable {
    /// Vertex positions.
    public let points: [Point]
    /// Adjacency in compressed rows: the neighbours of `v` are `targets[offsets[v]..<offsets[v+1]]`.
    let offsets: [Int32]
    let targets: [Int32]
    let lengths: [Double]
    /// Segments (vertex pairs) bucketed by grid cell, for the nearest segment to a place.
    let cellSize: Double
    let segmentCells: [Int64: [Int32]]
    let segments: [(Int32, Int32)]
    /// Farthest a place may lie from every street and still join the network.
    public var maximumJoin: Double

    /// Builds the graph of `streets`; `maximumJoin` is how far (metres) a place may be from the
    /// nearest street and still be routed (farther: not reachable by the streets).
    public init(streets: [Street], maximumJoin: Double = 300, cellSize: Double = 50) {
        var index: [VertexKey: Int32] = [:]
        var points: [Point] = []
        var edges: [(Int32, Int32, Double)] = []
        func vertex(_ p: Point) -> Int32 {
            let key = VertexKey(p)
            if let v = index[key] { return v }
            let v = Int32(points.count)
            points.append(p)
            index[key] = v
            return v
        }
        for street in streets where street.line.count >= 2 {
            var previous = vertex(street.line[0])
            for p in street.line.dropFirst() {
                let v = vertex(p)
                if v != previous {
                    edges.append((previous, v, points[Int(previous)].distance(to: points[Int(v)])))
                }
                previous = v
            }
        }
        var degree = [Int32](repeating: 0, count: points.count + 1)
        for (a, b, _) in edges {
            degree[Int(a)] += 1
            degree[Int(b)] += 1
        }
        var offsets = [Int32](repeating: 0, count: points.count + 1)
        for v in 0..<points.count { offsets[v + 1] = offsets[v] + degree[v] }
        var fill = offsets
        var targets = [Int32](repeating: 0, count: edges.count * 2)
        var lengths = [Double](repeating: 0, count: edges.count * 2)
        for (a, b, length) in edges {
            targets[Int(fill[Int(a)])] = b
            lengths[Int(fill[Int(a)])] = length
            fill[Int(a)] += 1
            targets[Int(fill[Int(b)])] = a
            lengths[Int(fill[Int(b)])] = length
            fill[Int(b)] += 1
        }
        var cells: [Int64: [Int32]] = [:]
        var segments: [(Int32, Int32)] = []
        segments.reserveCapacity(edges.count)
        for (a, b, _) in edges {
            let s = Int32(segments.count)
            segments.append((a, b))
            let pa = points[Int(a)], pb = points[Int(b)]
            let x0 = Self.cell(min(pa.x, pb.x), cellSize), x1 = Self.cell(max(pa.x, pb.x), cellSize)
            let y0 = Self.cell(min(pa.y, pb.y), cellSize), y1 = Self.cell(max(pa.y, pb.y), cellSize)
            // Segments are short (between two nodes of a way); a long one is bucketed in every
            // cell of its box, bounded so that one absurd segment cannot fill memory.
            guard (x1 - x0 + 1) * (y1 - y0 + 1) <= 40_000 else { continue }
            for cx in x0...x1 {
                for cy in y0...y1 { cells[Self.key(cx, cy), default: []].append(s) }
            }
        }
        self.points = points
        self.offsets = offsets
        self.targets = targets
        self.lengths = lengths
        self.cellSize = cellSize
        self.segmentCells = cells
        self.segments = segments
        self.maximumJoin = maximumJoin
    }

    public var vertexCount: Int { points.count }
    public var edgeCount: Int { segments.count }

    /// Where a place joins the network: the nearest point on the nearest segment.
    struct Join {
        var segment: Int32
        var point: Point
        /// Straight-line metres from the place to `point`.
        var offset: Double
    }

    func join(_ place: Point) -> Join? {
        guard place.x.isFinite, place.y.isFinite, !segments.isEmpty else { return nil }
        let cx = Self.cell(place.x, cellSize), cy = Self.cell(place.y, cellSize)
        let reach = Int64((maximumJoin / cellSize).rounded(.up)) + 1
        var best: Join?
        // Rings of cells outwards; stop once the ring is farther than the best found.
        for ring in 0...reach {
            if let best, Double(ring - 1) * cellSize > best.offset { break }
            for dx in -ring...ring {
                for dy in -ring...ring where max(abs(dx), abs(dy)) == ring {
                    guard let bucket = segmentCells[Self.key(cx + dx, cy + dy)] else { continue }
                    for s in bucket {
                        let (a, b) = segments[Int(s)]
                        let q = Self.nearest(on: points[Int(a)], points[Int(b)], to: place)
                        let d = q.distance(to: place)
                        if d <= maximumJoin, d < best?.offset ?? .infinity { best = Join(segment: s, point: q, offset: d) }
                    }
                }
            }
        }
        return best
    }

    /// Walking metres from `origin` to each of `places` (nil: off the network, or not connected to
    /// `origin`'s part of it). One search from the origin serves every place, and it stops once
    /// every place's segment is settled.
    public func distances(from origin: Point, to places: [Point]) -> [Double?] {
        guard let start = join(origin) else { return places.map { _ in nil } }
        let joins = places.map(join)
        var wanted = Set<Int32>()
        for j in joins.compactMap({ $0 }) {
            let (a, b) = segments[Int(j.segment)]
            wanted.insert(a)
            wanted.insert(b)
        }
        let (distance, _) = search(from: start, until: wanted)
        return joins.map { j -> Double? in
            guard let j else { return nil }
            var best = Double.infinity
            if j.segment == start.segment { best = start.point.distance(to: j.point) }
            let (a, b) = segments[Int(j.segment)]
            best = min(best, distance[Int(a)] + points[Int(a)].distance(to: j.point), distance[Int(b)] + points[Int(b)].distance(to: j.point))
            return best.isFinite ? start.offset + best + j.offset : nil
        }
    }

    /// The way from `origin` to `destination` as a line (their joins to the network included), and
    /// its length; nil when either is off the network or they are not connected.
    public func route(from origin: Point, to destination: Point) -> (line: [Point], length: Double)? {
        guard let start = join(origin), let end = join(destination) else { return nil }
        if start.segment == end.segment {
            let length = start.offset + start.point.distance(to: end.point) + end.offset
            return ([origin, start.point, end.point, destination], length)
        }
        let (a, b) = segments[Int(end.segment)]
        let (distance, previous) = search(from: start, until: [a, b])
        let viaA = distance[Int(a)] + points[Int(a)].distance(to: end.point)
        let viaB = distance[Int(b)] + points[Int(b)].distance(to: end.point)
        let last = viaA <= viaB ? a : b
        guard min(viaA, viaB).isFinite else { return nil }
        var chain: [Point] = []
        var v = last
        while v >= 0 {
            chain.append(points[Int(v)])
            v = previous[Int(v)]
        }
        let line = [origin, start.point] + chain.reversed() + [end.point, destination]
        return (line, start.offset + min(viaA, viaB) + end.offset)
    }

    /// Dijkstra from a join point; stops when every vertex of `until` is settled (or the part of
    /// the network reachable is exhausted).
    func search(from start: Join, until wanted: Set<Int32>) -> (distance: [Double], previous: [Int32]) {
        var distance = [Double](repeating: .infinity, count: points.count)
        var previous = [Int32](repeating: -1, count: points.count)
        var heap = MinHeap()
        let (a, b) = segments[Int(start.segment)]
        for v in [a, b] {
            let d = start.point.distance(to: points[Int(v)])
            if d < distance[Int(v)] {
                distance[Int(v)] = d
                heap.push(d, v)
            }
        }
        var remaining = wanted
        while let (d, v) = heap.pop() {
            guard d <= distance[Int(v)] else { continue }
            remaining.remove(v)
            if remaining.isEmpty { break }
            for e in Int(offsets[Int(v)])..<Int(offsets[Int(v) + 1]) {
                let w = targets[e]
                let nd = d + lengths[e]
                if nd < distance[Int(w)] {
                    distance[Int(w)] = nd
                    previous[Int(w)] = v
                    heap.push(nd, w)
                }
            }
        }
        return (distance, previous)
    }

    static func nearest(on a: Point, _ b: Point, to p: Point) -> Point {
        let ab = b - a
        let l2 = Point.dot(ab, ab)
        guard l2 > 0 else { return a }
        let t = min(1, max(0, Point.dot(p - a, ab) / l2))
        return a + ab * t
    }

    static func cell(_ v: Double, _ size: Double) -> Int64 {
        let c = (v / size).rounded(.down)
        return Int64(max(-1e12, min(1e12, c)))
    }

    static func key(_ x: Int64, _ y: Int64) -> Int64 { (x &* 73_856_093) ^ (y &* 19_349_663) }
}

/// A point rounded to the centimetre: streets that share an OSM node share the vertex.
struct VertexKey: Hashable {
    var x: Int64
    var y: Int64
    init(_ p: Point) {
        x = Int64(max(-1e15, min(1e15, (p.x * 100).rounded())))
        y = Int64(max(-1e15, min(1e15, (p.y * 100).rounded())))
    }
}

/// A binary heap of (distance, vertex), smallest distance first.
struct MinHeap {
    private var items: [(Double, Int32)] = []

    mutating func push(_ d: Double, _ v: Int32) {
        items.append((d, v))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].0 < items[parent].0 else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (Double, Int32)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, items[l].0 < items[smallest].0 { smallest = l }
                if r < items.count, items[r].0 < items[smallest].0 { smallest = r }
                guard smallest != i else { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }
}
