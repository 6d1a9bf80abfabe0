/// The grounds of a school or kindergarten (`amenity=school|kindergarten` areas); coverage by area.
public struct SchoolGround: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case school
        case kindergarten
    }

    public var source: String
    public var name: String?
    public var kind: Kind
    public var area: Polygon

    public init(source: String, name: String?, kind: Kind, area: Polygon) {
        self.source = source
        self.name = name
        self.kind = kind
        self.area = area
    }
}
