/// A feature as read from a file, still in degrees and still only tags: the meeting point of the
/// OSM and GeoJSON readers, so that both are classified by the same rules (``CityBuilder``).
struct RawFeature: Sendable {
    enum Geometry: Sendable {
        case point(GeoCoordinate)
        /// A way or LineString; closed when first == last, which may then also be read as an area.
        case line([GeoCoordinate])
        /// Rings under the even-odd rule (closed, first == last).
        case area([[GeoCoordinate]])
    }

    /// `way 123`, `feature 4` …: what errors and warnings call it.
    var source: String
    var tags: [String: String]
    var geometry: Geometry
}
