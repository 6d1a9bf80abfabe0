/// A courtyard or school ground prepared for measuring: its open ground (the area minus building
/// footprints) cut into scanlines and split by district. The engine caches its covered area.
struct AreaTarget: Sendable {
    struct Slice: Sendable {
        /// District index, or -1 outside all.
        var district: Int
        /// Open ground inside the district, one interval set per scanline.
        var rows: [IntervalSet]
        /// The lit part of `rows`.
        var litRows: [IntervalSet]
        var total: Double
        var lit: Double
        var covered: Double = 0
        var coveredLit: Double = 0
    }

    var kind: AreaCoverage.Kind
    var index: Int
    var box: BoundingBox
    var lines: Scanlines
    var slices: [Slice]
}
