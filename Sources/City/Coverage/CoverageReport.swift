/// How much of something is covered and lit: metres for streets, square metres for areas.
public struct CoverageMeasure: Sendable, Hashable, Codable {
    /// All of it.
    public var total: Double = 0
    /// The part some camera sees.
    public var covered: Double = 0
    /// The part within a lamp's radius.
    public var lit: Double = 0
    /// The part both seen and lit.
    public var coveredLit: Double = 0

    public init(total: Double = 0, covered: Double = 0, lit: Double = 0, coveredLit: Double = 0) {
        self.total = total
        self.covered = covered
        self.lit = lit
        self.coveredLit = coveredLit
    }

    /// covered / total in percent; 0 when there is nothing to cover.
    public var coveredPercent: Double { total > 0 ? 100 * covered / total : 0 }
    /// Seen but outside any lamp's light.
    public var coveredUnlit: Double { covered - coveredLit }

    static func + (a: CoverageMeasure, b: CoverageMeasure) -> CoverageMeasure {
        CoverageMeasure(total: a.total + b.total, covered: a.covered + b.covered, lit: a.lit + b.lit,
                        coveredLit: a.coveredLit + b.coveredLit)
    }
}

/// The coverage figures of one district or of the whole city.
public struct CoverageFigures: Sendable, Hashable, Codable {
    /// Main streets by centreline length, metres.
    public var mainStreets = CoverageMeasure()
    /// All other streets and paths by length, metres.
    public var otherStreets = CoverageMeasure()
    /// Courtyards by open area (buildings excluded), m².
    public var courtyards = CoverageMeasure()
    /// School and kindergarten grounds by open area (buildings excluded), m².
    public var schoolGrounds = CoverageMeasure()

    public init() {}
}

/// Figures for one district.
public struct DistrictCoverage: Sendable, Hashable, Codable {
    public var name: String
    public var source: String
    public var figures: CoverageFigures
}

/// City-wide and per-district coverage.
public struct CoverageReport: Sendable, Hashable, Codable {
    public var city: CoverageFigures
    /// In the order of ``CityModel/districts``.
    public var districts: [DistrictCoverage]
    /// What lies in no district (the city's figures minus all districts', when districts do not overlap).
    public var outsideDistricts: CoverageFigures
}

/// One straight piece of a street within one district, with the parts cameras see (for the map).
public struct StreetPieceCoverage: Sendable, Hashable, Codable {
    /// Index into ``CityModel/streets``.
    public var street: Int
    /// Index into ``CityModel/districts``; nil outside all.
    public var district: Int?
    public var from: Point
    public var to: Point
    /// The seen sub-segments, as (from, to) point pairs in order along the piece.
    public var covered: [[Point]]
}

/// Coverage of one courtyard or school ground (for the map).
public struct AreaCoverage: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case courtyard
        case schoolGround
    }

    public var kind: Kind
    /// Index into ``CityModel/courtyards`` or ``CityModel/schoolGrounds``.
    public var index: Int
    /// Open area and its covered part, m², summed over districts.
    public var measure: CoverageMeasure
}
