import City

/// A sample of what should be watched: a piece of main street or a patch of courtyard or school
/// ground, with the weight the planner maximises.
public struct DemandPoint: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case mainStreet, courtyard, schoolGround
    }

    public var position: Point
    public var kind: Kind
    /// Metres of street or square metres of ground this sample stands for.
    public var measure: Double
    /// Index into ``CityModel/districts``, nil outside every district.
    public var district: Int?
    /// Within a lamp's radius.
    public var lit: Bool
    /// The weight: share of its kind's total measure × (1 + relative offence density) × school
    /// factor × unlit factor (see ``DemandOptions``).
    public var weight: Double

    public init(position: Point, kind: Kind, measure: Double, district: Int?, lit: Bool, weight: Double) {
        self.position = position
        self.kind = kind
        self.measure = measure
        self.district = district
        self.lit = lit
        self.weight = weight
    }
}

/// How demand is sampled and weighted.
public struct DemandOptions: Sendable, Hashable, Codable {
    /// One sample per this many metres of main street.
    public var streetSpacing: Double = 10
    /// Grid spacing inside courtyards and school grounds, metres.
    public var areaSpacing: Double = 5
    /// Share of the total weight given to main streets (the rest goes to courtyards and school
    /// grounds, split by area), before the factors below.
    public var streetShare: Double = 0.5
    /// Multiplier for samples on school grounds.
    public var schoolFactor: Double = 2
    /// Multiplier for samples farther than `lampRadius` from every lamp.
    public var unlitFactor: Double = 1.5
    public var lampRadius: Double = 25
    /// How strongly offence density raises the weight: weight × (1 + densityInfluence · d / d̄),
    /// with d the KDE density at the sample and d̄ its mean over all samples.
    public var densityInfluence: Double = 1

    public init() {}
}

public enum DemandPoints {
    /// Samples main streets (midpoints of pieces of about `streetSpacing`) and the open ground of
    /// courtyards and school grounds (a grid, points under roofs dropped) and weights them.
    /// `density` is an offence density surface (``KernelDensity``); nil weighs every place alike.
    public static func sample(city: CityModel, density: DensitySurface? = nil,
                              options: DemandOptions = DemandOptions()) -> [DemandPoint] {
        let buildings = BuildingLookup(city.buildings)
        var lampIndex = BucketIndex(points: city.streetLights.map(\.position))
        if city.streetLights.isEmpty { lampIndex = BucketIndex(points: []) }
        func lit(_ p: Point) -> Bool { !city.streetLights.isEmpty && !lampIndex.within(options.lampRadius, of: p).isEmpty }
        var out: [DemandPoint] = []
        for s in city.streets where s.isMain {
            let length = s.length
            guard length > 0 else { continue }
            let n = max(1, Int((length / options.streetSpacing).rounded()))
            let piece = length / Double(n)
            for k in 0..<n {
                let p = PlaneGeometry.point(along: s.line, at: piece * (Double(k) + 0.5))
                out.append(DemandPoint(position: p, kind: .mainStreet, measure: piece,
                                       district: CandidateSites.district(of: p, in: city), lit: lit(p), weight: 0))
            }
        }
        var seen = Set<Int64>()   // one sample per grid node even where areas overlap
        let areas = city.courtyards.map { ($0.area, DemandPoint.Kind.courtyard) }
            + city.schoolGrounds.map { ($0.area, DemandPoint.Kind.schoolGround) }
        let h = options.areaSpacing
        for (area, kind) in areas.sorted(by: { $0.1 == .schoolGround && $1.1 != .schoolGround }) {
            let box = area.boundingBox
            guard box.minX <= box.maxX else { continue }
            // A global lattice (node = (i + ½)·h) so neighbouring areas never sample the same spot twice.
            let i0 = Int((box.minX / h - 0.5).rounded(.up)), i1 = Int((box.maxX / h - 0.5).rounded(.down))
            let j0 = Int((box.minY / h - 0.5).rounded(.up)), j1 = Int((box.maxY / h - 0.5).rounded(.down))
            guard i0 <= i1, j0 <= j1 else { continue }
            for j in j0...j1 {
                for i in i0...i1 {
                    let p = Point(x: (Double(i) + 0.5) * h, y: (Double(j) + 0.5) * h)
                    guard area.contains(p), !buildings.contains(p) else { continue }
                    guard seen.insert(Int64(i) << 32 ^ Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: j)))).inserted else { continue }
                    out.append(DemandPoint(position: p, kind: kind, measure: h * h,
                                           district: CandidateSites.district(of: p, in: city), lit: lit(p), weight: 0))
                }
            }
        }
        weigh(&out, density: density, options: options)
        return out
    }

    /// Sets the weights of samples (public so hand-made demand can be weighted the same way).
    public static func weigh(_ points: inout [DemandPoint], density: DensitySurface?, options: DemandOptions) {
        let streetTotal = points.filter { $0.kind == .mainStreet }.reduce(0) { $0 + $1.measure }
        let areaTotal = points.filter { $0.kind != .mainStreet }.reduce(0) { $0 + $1.measure }
        let streetShare = areaTotal == 0 ? 1 : streetTotal == 0 ? 0 : options.streetShare
        let densities = points.map { density?.value(at: $0.position) ?? 0 }
        let meanDensity = densities.isEmpty ? 0 : densities.reduce(0, +) / Double(densities.count)
        for k in points.indices {
            let p = points[k]
            var w = p.kind == .mainStreet ? streetShare * p.measure / streetTotal : (1 - streetShare) * p.measure / areaTotal
            if meanDensity > 0 { w *= 1 + options.densityInfluence * densities[k] / meanDensity }
            if p.kind == .schoolGround { w *= options.schoolFactor }
            if !p.lit { w *= options.unlitFactor }
            points[k].weight = w
        }
    }
}
