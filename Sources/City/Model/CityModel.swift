/// A city's geometry on its local metric plane: what the importers produce and the coverage engine
/// consumes. Plain values, `Codable`, so a server can store and reload it as JSON.
public struct CityModel: Sendable, Hashable, Codable {
    public var projection: LocalProjection
    public var buildings: [Building]
    public var streets: [Street]
    public var courtyards: [Courtyard]
    public var schoolGrounds: [SchoolGround]
    public var streetLights: [StreetLight]
    public var districts: [District]
    /// What the import kept aside and why (features cut off by the extract's edge, untagged nodes).
    public var warnings: [String]

    public init(
        projection: LocalProjection, buildings: [Building] = [], streets: [Street] = [],
        courtyards: [Courtyard] = [], schoolGrounds: [SchoolGround] = [],
        streetLights: [StreetLight] = [], districts: [District] = [], warnings: [String] = []
    ) {
        self.projection = projection
        self.buildings = buildings
        self.streets = streets
        self.courtyards = courtyards
        self.schoolGrounds = schoolGrounds
        self.streetLights = streetLights
        self.districts = districts
        self.warnings = warnings
    }
}
