import City

/// A place where a camera could be mounted, with what mounting it there costs.
public struct CandidateSite: Sendable, Hashable, Codable, Identifiable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case buildingCorner, facade, lightingPole, manual
    }

    public var id: String
    public var kind: Kind
    /// Local metres (just outside the wall for building sites).
    public var position: Point
    /// Cost of a camera here (money or any unit; with a camera-count budget it is ignored).
    public var cost: Double
    /// Index into ``CityModel/districts`` of the first district containing the site.
    public var district: Int?

    public init(id: String, kind: Kind, position: Point, cost: Double, district: Int? = nil) {
        self.id = id
        self.kind = kind
        self.position = position
        self.cost = cost
        self.district = district
    }
}

/// How to propose candidate sites from the map.
public struct CandidateSiteOptions: Sendable, Hashable, Codable {
    public var buildingCorners = true
    /// Façade sites every `facadeSpacing` metres along walls at least that long.
    public var facades = true
    public var facadeSpacing: Double = 30
    public var lightingPoles = true
    /// Distance from the wall at which a building-mounted camera stands, metres.
    public var wallOffset: Double = 0.5
    /// Cost per site kind (e.g. a pole needs no wall permit, a façade needs an owner's consent).
    public var costs: [CandidateSite.Kind: Double] = [.buildingCorner: 1, .facade: 1.2, .lightingPole: 0.8, .manual: 1]
    /// Keep only sites within this distance (metres) of a main street, courtyard or school ground
    /// (nil keeps all). Sites far from any demand cannot help and only slow the solver.
    public var maximumDistanceToDemand: Double? = 60
    /// Drop sites closer than this to an already kept site, metres.
    public var minimumSpacing: Double = 5

    public init() {}
}

public enum CandidateSites {
    /// Proposes sites on building corners and façades (just outside the wall, never inside any
    /// building), on lighting poles, plus the `manual` ones (kept as given). Deterministic order.
    /// Every wall gets sites on the side that faces open ground, the inner rings of multipolygon
    /// buildings (yards enclosed by one building) included.
    public static func generate(city: CityModel, options: CandidateSiteOptions = CandidateSiteOptions(),
                                manual: [CandidateSite] = []) -> [CandidateSite] {
        let footprints = BuildingLookup(city.buildings)
        var raw: [(CandidateSite.Kind, Point)] = []
        for b in city.buildings {
            let rings = b.footprint.rings
            for (r, ring) in rings.enumerated() where ring.count >= 3 {
                let signed = signedArea(ring)
                // An inner ring of a multipolygon (a ring inside an odd number of the building's
                // others) bounds a yard: its open ground lies inside it, so its walls face inwards.
                let depth = rings.indices.filter { $0 != r && Polygon(ring: rings[$0]).contains(ring[0]) }.count
                let isHole = depth % 2 == 1
                for i in ring.indices {
                    let a = ring[i], c = ring[(i + 1) % ring.count]
                    let dx = c.x - a.x, dy = c.y - a.y
                    let len = (dx * dx + dy * dy).squareRoot()
                    guard len > 1e-6 else { continue }
                    // Outward normal of an edge for a counter-clockwise ring is (dy, −dx); the
                    // open side of a hole's wall is the other one.
                    let s: Double = (signed > 0) != isHole ? 1 : -1
                    let nx = s * dy / len, ny = -s * dx / len
                    if options.buildingCorners {
                        // Corner site: off the corner along the bisector of the two outward normals.
                        let prev = ring[(i + ring.count - 1) % ring.count]
                        let pdx = a.x - prev.x, pdy = a.y - prev.y
                        let plen = (pdx * pdx + pdy * pdy).squareRoot()
                        if plen > 1e-6 {
                            let bx = nx + s * pdy / plen, by = ny - s * pdx / plen
                            let bl = (bx * bx + by * by).squareRoot()
                            if bl > 1e-6 {
                                raw.append((.buildingCorner, Point(x: a.x + bx / bl * options.wallOffset * 1.5,
                                                                   y: a.y + by / bl * options.wallOffset * 1.5)))
                            }
                        }
                    }
                    if options.facades, len >= options.facadeSpacing {
                        let n = Int(len / options.facadeSpacing)
                        for k in 0..<n {
                            let t = (Double(k) + 0.5) / Double(n)
                            raw.append((.facade, Point(x: a.x + dx * t + nx * options.wallOffset, y: a.y + dy * t + ny * options.wallOffset)))
                        }
                    }
                }
            }
        }
        if options.lightingPoles { for l in city.streetLights { raw.append((.lightingPole, l.position)) } }

        var demandIndex: BucketIndex?
        if options.maximumDistanceToDemand != nil {
            var anchors: [Point] = []
            for s in city.streets where s.isMain {
                let length = s.length
                let n = max(1, Int(length / 10))
                for k in 0...n { anchors.append(PlaneGeometry.point(along: s.line, at: length * Double(k) / Double(n))) }
            }
            for area in city.courtyards.map(\.area) + city.schoolGrounds.map(\.area) {
                for ring in area.rings { anchors += ring }
                anchors.append(PlaneGeometry.centroid(area))
            }
            demandIndex = BucketIndex(points: anchors)
        }
        var kept: [CandidateSite] = []
        var keptIndex = SpacingIndex(cell: max(options.minimumSpacing, 1))
        for (kind, p) in raw {
            if footprints.contains(p) { continue }
            if let limit = options.maximumDistanceToDemand, let demandIndex, demandIndex.within(limit, of: p).isEmpty { continue }
            if keptIndex.hasNeighbour(p, within: options.minimumSpacing) { continue }
            keptIndex.insert(p)
            kept.append(CandidateSite(id: "\(kind.rawValue)-\(kept.count + 1)", kind: kind, position: p,
                                      cost: options.costs[kind] ?? 1, district: district(of: p, in: city)))
        }
        for m in manual {
            var site = m
            if site.district == nil { site.district = district(of: m.position, in: city) }
            kept.append(site)
        }
        return kept
    }

    static func district(of p: Point, in city: CityModel) -> Int? {
        city.districts.firstIndex { $0.area.boundingBox.minX <= p.x && p.x <= $0.area.boundingBox.maxX && $0.area.contains(p) }
    }

    static func signedArea(_ ring: [Point]) -> Double {
        var s = 0.0
        for i in ring.indices {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            s += a.x * b.y - b.x * a.y
        }
        return s / 2
    }
}

/// Building footprints by a grid of their boxes, for "is this point inside a building?".
struct BuildingLookup: Sendable {
    private let footprints: [Polygon]
    private let boxes: [BoundingBox]
    private var cells: [Int: [Int]] = [:]
    private let size = 50.0

    init(_ buildings: [Building]) {
        footprints = buildings.map(\.footprint)
        boxes = footprints.map(\.boundingBox)
        for (i, b) in boxes.enumerated() where b.minX <= b.maxX {
            for cx in Int((b.minX / size).rounded(.down))...Int((b.maxX / size).rounded(.down)) {
                for cy in Int((b.minY / size).rounded(.down))...Int((b.maxY / size).rounded(.down)) {
                    cells[Self.key(cx, cy), default: []].append(i)
                }
            }
        }
    }

    static func key(_ x: Int, _ y: Int) -> Int { x &* 73_856_093 ^ y &* 19_349_663 }

    func contains(_ p: Point) -> Bool {
        guard let ids = cells[Self.key(Int((p.x / size).rounded(.down)), Int((p.y / size).rounded(.down)))] else { return false }
        return ids.contains { i in
            let b = boxes[i]
            return p.x >= b.minX && p.x <= b.maxX && p.y >= b.minY && p.y <= b.maxY && footprints[i].contains(p)
        }
    }
}

/// Kept points hashed by cell, for the minimum spacing between sites.
struct SpacingIndex: Sendable {
    let cell: Double
    private var cells: [Int: [Point]] = [:]

    init(cell: Double) { self.cell = cell }

    mutating func insert(_ p: Point) {
        cells[BuildingLookup.key(Int((p.x / cell).rounded(.down)), Int((p.y / cell).rounded(.down))), default: []].append(p)
    }

    func hasNeighbour(_ p: Point, within d: Double) -> Bool {
        guard d > 0 else { return false }
        let cx = Int((p.x / cell).rounded(.down)), cy = Int((p.y / cell).rounded(.down))
        for x in (cx - 1)...(cx + 1) {
            for y in (cy - 1)...(cy + 1) {
                if let pts = cells[BuildingLookup.key(x, y)], pts.contains(where: { $0.distance(to: p) < d }) { return true }
            }
        }
        return false
    }
}
