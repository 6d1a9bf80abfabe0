import City

/// The lens every candidate camera gets.
public struct CameraModel: Sendable, Hashable, Codable {
    public var fieldOfView: Double
    /// Useful range, metres (from the pixel density the working group needs, not the lens maximum).
    public var range: Double
    public var mountingHeight: Double

    public init(fieldOfView: Double = 90, range: Double = 40, mountingHeight: Double = 4) {
        self.fieldOfView = fieldOfView
        self.range = range
        self.mountingHeight = mountingHeight
    }
}

/// One way to install a camera: a site and a heading, with the demand points it would see.
public struct PlacementCandidate: Sendable, Hashable, Codable {
    /// Index into ``PlanningProblem/sites``.
    public var site: Int
    /// Degrees clockwise from north.
    public var heading: Double
    /// Indices into ``PlanningProblem/demand`` of the points inside the visibility polygon, ascending.
    public var covers: [Int32]

    public init(site: Int, heading: Double, covers: [Int32]) {
        self.site = site
        self.heading = heading
        self.covers = covers
    }
}

/// A budgeted maximal covering instance: sites, candidates (site × heading) and weighted demand.
public struct PlanningProblem: Sendable, Hashable, Codable {
    public var sites: [CandidateSite]
    public var candidates: [PlacementCandidate]
    public var demand: [DemandPoint]
    public var camera: CameraModel
    /// District names (from the city) for reports; indices match ``CandidateSite/district``.
    public var districtNames: [String]

    public init(sites: [CandidateSite], candidates: [PlacementCandidate], demand: [DemandPoint], camera: CameraModel,
                districtNames: [String] = []) {
        self.sites = sites
        self.candidates = candidates
        self.demand = demand
        self.camera = camera
        self.districtNames = districtNames
    }

    /// Builds the candidates: every site × `headings` evenly spaced headings (starting at north),
    /// each covering the demand points inside its visibility polygon (buildings are obstacles;
    /// ``CoverageEngine`` computes the polygons). Candidates that see no demand are dropped.
    public static func build(city: CityModel, sites: [CandidateSite], demand: [DemandPoint], headings: Int = 8,
                             camera: CameraModel = CameraModel()) throws(CameraSpecError) -> PlanningProblem {
        precondition(headings >= 1, "at least one heading")
        // An engine over the buildings alone: it only has to produce visibility polygons.
        var engine = CoverageEngine(city: CityModel(projection: city.projection, buildings: city.buildings))
        var specs: [CameraViewSpec] = []
        for (s, site) in sites.enumerated() {
            for h in 0..<headings {
                specs.append(CameraViewSpec(id: "\(s)/\(h)", position: .local(site.position),
                                            heading: 360 * Double(h) / Double(headings), fieldOfView: camera.fieldOfView,
                                            range: camera.range, mountingHeight: camera.mountingHeight))
            }
        }
        try engine.setCameras(specs)
        let index = BucketIndex(points: demand.map(\.position), targetPerBucket: 4)
        var candidates: [PlacementCandidate] = []
        for (s, site) in sites.enumerated() {
            for h in 0..<headings {
                guard let view = engine.visibility(of: "\(s)/\(h)"), !view.polygon.isEmpty else { continue }
                let box = view.polygon.boundingBox
                let near = index.within(camera.range + 1e-6, of: site.position)
                var covers: [Int32] = []
                for i in near {
                    let p = demand[i].position
                    if p.x >= box.minX, p.x <= box.maxX, p.y >= box.minY, p.y <= box.maxY, view.polygon.contains(p) {
                        covers.append(Int32(i))
                    }
                }
                if !covers.isEmpty {
                    candidates.append(PlacementCandidate(site: s, heading: 360 * Double(h) / Double(headings), covers: covers))
                }
            }
        }
        return PlanningProblem(sites: sites, candidates: candidates, demand: demand, camera: camera,
                               districtNames: city.districts.map(\.name))
    }

    /// Total demand weight (the objective's upper bound).
    public var totalWeight: Double { demand.reduce(0) { $0 + $1.weight } }

    /// Weight covered by a set of candidates.
    public func coveredWeight(_ chosen: [Int]) -> Double {
        var covered = [Bool](repeating: false, count: demand.count)
        var total = 0.0
        for c in chosen {
            for i in candidates[c].covers where !covered[Int(i)] {
                covered[Int(i)] = true
                total += demand[Int(i)].weight
            }
        }
        return total
    }
}
