/// A region of a camera's picture with a role.
public struct Zone: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Motion here raises events (an entrance, the playground at night).
        case alert
        /// Motion here is not analysed (trees, a road).
        case ignore
        /// Never analysed, and blacked out in live view, playback, exports and thumbnails for anyone
        /// without the right to see behind it (residents' windows).
        case privacy
    }

    /// Stable name, used in events ("entrance").
    public var name: String
    public var kind: Kind
    public var polygon: ZonePolygon
    /// When an alert zone raises events; ignored for other kinds.
    public var schedule: DailySchedule

    public init(name: String, kind: Kind, polygon: ZonePolygon, schedule: DailySchedule = .always) {
        self.name = name
        self.kind = kind
        self.polygon = polygon
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey { case name, kind, polygon, schedule }

    /// Decodes; a missing schedule means always.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        kind = try c.decode(Kind.self, forKey: .kind)
        polygon = try c.decode(ZonePolygon.self, forKey: .polygon)
        schedule = try c.decodeIfPresent(DailySchedule.self, forKey: .schedule) ?? .always
    }
}
