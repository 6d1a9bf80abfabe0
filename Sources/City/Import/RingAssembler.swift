/// Joins the member ways of a multipolygon or boundary relation into closed rings.
///
/// OSM splits long boundaries into many ways that meet end to end, in any order and direction. A
/// ring is grown from one way by appending a way that continues from its open end, until it comes
/// back to where it started. Real boundaries sometimes carry a redundant branch (two parallel
/// paths between the same nodes), so where several ways continue the search backtracks instead of
/// failing; ways that end up in no ring are reported as left over. Roles are not needed: rings
/// are read with the even-odd rule, so holes come out as holes whatever the file calls them.
enum RingAssembler {
    struct Result {
        var rings: [[Int64]]
        /// Indices of the input ways that fit in no ring.
        var leftOver: [Int]
    }

    /// Throws when no ring at all can be closed.
    static func rings(of ways: [[Int64]], relation: String) throws -> Result {
        var used = ways.map { $0.count < 2 }
        // The ways that start or end at each node, in input order: the candidates to continue a
        // path from there, found without scanning every way at every step.
        var ends: [Int64: [Int]] = [:]
        for (k, w) in ways.enumerated() where w.count >= 2 {
            ends[w[0], default: []].append(k)
            if w[w.count - 1] != w[0] { ends[w[w.count - 1], default: []].append(k) }
        }
        var result = Result(rings: [], leftOver: [])
        var budget = 200_000  // steps of the search; real relations need a handful per way
        for first in ways.indices where !used[first] {
            used[first] = true
            if let ring = close(from: first, ways, ends, &used, &budget) {
                result.rings.append(ring)
            } else {
                result.leftOver.append(first)
            }
        }
        guard !result.rings.isEmpty else {
            let end = ways.first(where: { $0.count >= 2 })?.last.map(String.init) ?? "?"
            throw ImportError(element: relation, reason: "member ways form no closed ring (open at node \(end))")
        }
        for ring in result.rings where Set(ring).count < 3 {
            throw ImportError(element: relation, reason: "ring through node \(ring[0]) has fewer than 3 distinct nodes")
        }
        return result
    }

    /// Depth-first from way `first`: appends unused ways that continue from the open end until the
    /// path comes back to its start, backtracking where a branch leads nowhere; marks the ways it
    /// keeps. Iterative, with the path kept once, so that a relation of 100,000 member ways needs
    /// neither 100,000 stack frames nor a copy of the path per step (the recursive search it
    /// replaces needed both: 17 GB and a crash for such a file).
    private static func close(from first: Int, _ ways: [[Int64]], _ ends: [Int64: [Int]], _ used: inout [Bool],
                              _ budget: inout Int) -> [Int64]? {
        let start = ways[first][0]
        var chosen: [(way: Int, reversed: Bool)] = [(first, false)]
        var length = ways[first].count  // nodes in the path so far
        func ring() -> [Int64] {
            var nodes = ways[first]
            for (k, reversed) in chosen.dropFirst() { nodes += (reversed ? ways[k].reversed() : ways[k]).dropFirst() }
            return nodes
        }
        func giveBack() { for (k, _) in chosen.dropFirst() { used[k] = false } }
        if length > 2, ways[first][length - 1] == start { return ring() }
        budget -= 1
        guard budget > 0 else { return nil }
        // One frame per way of the path: the node the path ends at after it, and the next
        // candidate to try from there.
        var frames: [(end: Int64, cursor: Int)] = [(ways[first][length - 1], 0)]
        while let top = frames.last {
            let candidates = ends[top.end] ?? []
            var cursor = top.cursor
            while cursor < candidates.count, used[candidates[cursor]] { cursor += 1 }
            guard cursor < candidates.count else {
                // Nothing continues from here: take the last way back off the path.
                frames.removeLast()
                if frames.isEmpty { return nil }
                let (k, _) = chosen.removeLast()
                used[k] = false
                length -= ways[k].count - 1
                continue
            }
            frames[frames.count - 1].cursor = cursor + 1
            let k = candidates[cursor]
            used[k] = true
            let forward = ways[k][0] == top.end
            let end = forward ? ways[k][ways[k].count - 1] : ways[k][0]
            chosen.append((k, !forward))
            length += ways[k].count - 1
            if length > 2, end == start { return ring() }
            budget -= 1
            guard budget > 0 else {
                giveBack()
                return nil
            }
            frames.append((end, 0))
        }
        return nil
    }
}
