/// A set of disjoint closed intervals on a line, kept sorted. Coverage reduces lengths and areas
/// to such sets: the parameter range of a street segment that a camera sees, or the stretch of
/// one scanline that lies inside a courtyard.
struct IntervalSet: Sendable, Hashable {
    private(set) var intervals: [(lo: Double, hi: Double)]

    static let empty = IntervalSet(sortedDisjoint: [])

    init(sortedDisjoint: [(lo: Double, hi: Double)]) { intervals = sortedDisjoint }

    /// Builds the union of arbitrary intervals (any order, overlapping or not).
    init(union raw: [(lo: Double, hi: Double)]) {
        let sorted = raw.filter { $0.hi > $0.lo }.sorted { $0.lo < $1.lo }
        var out: [(lo: Double, hi: Double)] = []
        for iv in sorted {
            if let last = out.last, iv.lo <= last.hi {
                out[out.count - 1].hi = Swift.max(last.hi, iv.hi)
            } else {
                out.append(iv)
            }
        }
        intervals = out
    }

    var isEmpty: Bool { intervals.isEmpty }

    /// Total length of the intervals.
    var measure: Double { intervals.reduce(0) { $0 + ($1.hi - $1.lo) } }

    func union(_ other: IntervalSet) -> IntervalSet {
        if other.isEmpty { return self }
        if isEmpty { return other }
        return IntervalSet(union: intervals + other.intervals)
    }

    /// Two-pointer intersection of two sorted disjoint sets.
    func intersection(_ other: IntervalSet) -> IntervalSet {
        var out: [(lo: Double, hi: Double)] = []
        var i = 0
        var j = 0
        let a = intervals
        let b = other.intervals
        while i < a.count && j < b.count {
            let lo = Swift.max(a[i].lo, b[j].lo)
            let hi = Swift.min(a[i].hi, b[j].hi)
            if hi > lo { out.append((lo, hi)) }
            if a[i].hi < b[j].hi { i += 1 } else { j += 1 }
        }
        return IntervalSet(sortedDisjoint: out)
    }

    /// The parts of `self` not in `other`.
    func subtracting(_ other: IntervalSet) -> IntervalSet {
        if other.isEmpty || isEmpty { return self }
        var out: [(lo: Double, hi: Double)] = []
        var j = 0
        let b = other.intervals
        for iv in intervals {
            var lo = iv.lo
            while j < b.count && b[j].hi <= lo { j += 1 }
            var k = j
            while k < b.count && b[k].lo < iv.hi {
                if b[k].lo > lo { out.append((lo, b[k].lo)) }
                lo = Swift.max(lo, b[k].hi)
                k += 1
            }
            if iv.hi > lo { out.append((lo, iv.hi)) }
        }
        return IntervalSet(sortedDisjoint: out)
    }

    /// Length of the intersection without building it.
    func intersectionMeasure(_ other: IntervalSet) -> Double {
        var total = 0.0
        var i = 0
        var j = 0
        let a = intervals
        let b = other.intervals
        while i < a.count && j < b.count {
            let lo = Swift.max(a[i].lo, b[j].lo)
            let hi = Swift.min(a[i].hi, b[j].hi)
            if hi > lo { total += hi - lo }
            if a[i].hi < b[j].hi { i += 1 } else { j += 1 }
        }
        return total
    }

    static func == (l: IntervalSet, r: IntervalSet) -> Bool {
        l.intervals.count == r.intervals.count
            && zip(l.intervals, r.intervals).allSatisfy { $0.lo == $1.lo && $0.hi == $1.hi }
    }

    func hash(into hasher: inout Hasher) {
        for iv in intervals {
            hasher.combine(iv.lo)
            hasher.combine(iv.hi)
        }
    }
}
