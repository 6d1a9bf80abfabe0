/// A straight piece of a street centreline inside one district (or outside all): the unit the
/// engine caches street coverage for.
struct StreetPiece: Sendable {
    var street: Int
    var isMain: Bool
    /// Index of the district, or -1 outside all.
    var district: Int
    var a: Point
    var b: Point
    var length: Double
    var box: BoundingBox
    /// Parameter intervals (t ∈ [0, 1] from a to b) within a lamp's radius.
    var lit: IntervalSet
    /// Parameter intervals seen by some camera; updated when a camera near it changes.
    var covered: IntervalSet = .empty
}
