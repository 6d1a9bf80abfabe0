/// Choices an import makes about what counts as what. The defaults are documented in
/// docs/coverage.md; a city with its own tagging habits can change them.
public struct ImportOptions: Sendable, Hashable {
    /// `highway` values counted as main streets. Every other linear `highway` way is kept as an
    /// "other" street.
    public var mainStreetClasses: Set<String> = ["primary", "secondary", "tertiary"]
    /// Height of a building without `height` or `building:levels`, metres.
    public var defaultBuildingHeight: Double = 10
    /// Metres per `building:levels`.
    public var metresPerLevel: Double = 3
    /// Areas with any of these tags are courtyards (``Courtyard/Origin/tagged``).
    public var courtyardTags: [TagMatch] = [
        TagMatch(key: "leisure", value: "playground"),
        TagMatch(key: "landuse", value: "grass"),
        TagMatch(key: "parking", value: "surface"),
    ]
    /// Also derive courtyards as open ground walled in by touching buildings.
    public var deriveEnclosedCourtyards = true
    /// Derived courtyards smaller than this (m²) are light wells, not yards.
    public var minimumCourtyardArea: Double = 30
    /// Derived courtyards larger than this (m²) are not yards but city blocks that happen to be ringed.
    public var maximumCourtyardArea: Double = 50_000
    /// `boundary=administrative` areas with at least this `admin_level` are districts.
    public var minimumDistrictAdminLevel = 9
    /// `place` values whose areas are districts.
    public var districtPlaces: Set<String> = ["suburb", "quarter", "neighbourhood"]
    /// Centre of the local projection; the centre of the imported data's extent when nil.
    public var projectionOrigin: GeoCoordinate?
    /// The most bytes a compressed file may inflate to: an `.osm.gz` whole, or all the blocks of
    /// an `.osm.pbf` together (each block is also held to the format's 32 MiB). 1 GiB holds the
    /// OSM XML of a region far larger than a city (the shared extracts inflate to 14 MB or less)
    /// while a "zip bomb" of a few kilobytes stops there instead of filling the memory.
    public var maximumInflatedSize = 1 << 30
    /// The most nodes, way nodes and relation members an `.osm.pbf` may hold (about 1 GB of
    /// memory at the limit, far more than a city's extract holds). A PBF is dense enough
    /// that 1 GiB of inflated blocks of one-byte deltas would otherwise become 8 GiB of node
    /// references. XML needs no such limit: each reference takes a dozen bytes of text.
    public var maximumElements = 100_000_000

    public init() {}
}

/// A tag to look for: `key=value`, or any value of `key` when `value` is nil.
public struct TagMatch: Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = value
    }

    func matches(_ tags: [String: String]) -> Bool {
        guard let v = tags[key] else { return false }
        return value == nil || value == v
    }
}
