/// Joins the member ways of a multipolygon or boundary relation into closed rings.
///
/// OSM splits long boundaries into many ways that meet end to end, in any order and direction. A
/// ring is grown from one way by appending whichever unused way starts or ends where it ends, until
/// it closes. Roles are not needed: the rings are read with the even-odd rule, so holes come out as
/// holes whatever the file calls them.
enum RingAssembler {
    static func rings(of ways: [[Int64]], relation: String) throws -> [[Int64]] {
        var unused = ways.filter { $0.count >= 2 }
        var rings: [[Int64]] = []
        while let first = unused.popLast() {
            var ring = first
            while ring.first != ring.last {
                guard let end = ring.last else { break }
                guard let k = unused.firstIndex(where: { $0.first == end || $0.last == end }) else {
                    throw ImportError(element: relation, reason: "ring is not closed: no member way continues from node \(end)")
                }
                let next = unused.remove(at: k)
                ring += (next.first == end ? next : next.reversed()).dropFirst()
            }
            guard ring.count >= 4 else {
                throw ImportError(element: relation, reason: "ring through node \(ring[0]) has fewer than 3 distinct nodes")
            }
            rings.append(ring)
        }
        return rings
    }
}
