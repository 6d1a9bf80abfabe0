import City

/// One offence in the register.
///
/// Time is an integer (microseconds since the Unix epoch, UTC) as everywhere in Aula's storage;
/// the place is a point on the map, given in degrees or already in the city's local metres.
public struct Offence: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var time: Int64
    public var location: OffenceLocation
    /// One of the register's configured types (``OffenceTypeList``), e.g. `theft`.
    public var type: String
    public var status: OffenceStatus
    /// Links (URLs or export ids) to footage that shows the offence.
    public var footageLinks: [String]
    /// The address as reported, when the place came from an address.
    public var address: String?
    /// True for generated demo data (``SyntheticOffences``); real imports are never synthetic.
    public var synthetic: Bool

    public init(id: String, time: Int64, location: OffenceLocation, type: String, status: OffenceStatus = .registered,
                footageLinks: [String] = [], address: String? = nil, synthetic: Bool = false) {
        self.id = id
        self.time = time
        self.location = location
        self.type = type
        self.status = status
        self.footageLinks = footageLinks
        self.address = address
        self.synthetic = synthetic
    }

    /// The place in the local metres of `projection`.
    public func point(in projection: LocalProjection) -> Point { location.point(in: projection) }
}

/// Where an offence happened: WGS84 degrees, or local metres of the city's projection.
public enum OffenceLocation: Sendable, Hashable, Codable {
    case geo(GeoCoordinate)
    case local(Point)

    public func point(in projection: LocalProjection) -> Point {
        switch self {
        case .geo(let g): return projection.project(g)
        case .local(let p): return p
        }
    }
}

/// Whether the case is open or closed.
public enum OffenceStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case registered
    case solved
}

/// The offence types a register accepts: a configurable list of short lowercase names.
public struct OffenceTypeList: Sendable, Hashable, Codable {
    public var types: [String]

    /// The default list: the kinds of offence a courtyard camera can plausibly deter or record.
    public static let standard = OffenceTypeList(types: [
        "theft", "burglary", "vehicle crime", "vandalism", "assault", "robbery", "disorder", "drugs", "other",
    ])

    public init(types: [String]) { self.types = types }

    public func contains(_ type: String) -> Bool { types.contains(type) }
}

/// A filter over the register: a period and a set of types (nil means all types).
public struct OffenceFilter: Sendable, Hashable, Codable {
    /// Inclusive start, microseconds since the epoch; nil means from the beginning.
    public var from: Int64?
    /// Exclusive end; nil means until now.
    public var until: Int64?
    public var types: Set<String>?

    public init(from: Int64? = nil, until: Int64? = nil, types: Set<String>? = nil) {
        self.from = from
        self.until = until
        self.types = types
    }

    public func matches(_ o: Offence) -> Bool {
        if let from, o.time < from { return false }
        if let until, o.time >= until { return false }
        if let types, !types.contains(o.type) { return false }
        return true
    }
}

extension Sequence where Element == Offence {
    /// The offences matching a filter.
    public func filtered(_ filter: OffenceFilter) -> [Offence] { self.filter(filter.matches) }
}
