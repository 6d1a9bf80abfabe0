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
        var result = Result(rings: [], leftOver: [])
        var budget = 200_000  // backtracking steps; real relations need a handful
        for first in ways.indices where !used[first] {
            used[first] = true
            if let ring = close(ways[first], ways, &used, &budget) {
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

    /// Depth-first: extends `path` with unused ways until it closes; marks the ways it keeps.
    private static func close(_ path: [Int64], _ ways: [[Int64]], _ used: inout [Bool], _ budget: inout Int) -> [Int64]? {
        guard let end = path.last, let start = path.first else { return nil }
        if path.count > 2, end == start { return path }
        budget -= 1
        guard budget > 0 else { return nil }
        for k in ways.indices where !used[k] && (ways[k].first == end || ways[k].last == end) {
            used[k] = true
            let next = ways[k].first == end ? ways[k] : ways[k].reversed()
            if let ring = close(path + next.dropFirst(), ways, &used, &budget) { return ring }
            used[k] = false
        }
        return nil
    }
}
