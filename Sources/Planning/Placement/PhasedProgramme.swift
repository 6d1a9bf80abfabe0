import City

/// A camera of a plan, ready to show on a map or install.
public struct PlannedCamera: Sendable, Hashable, Codable {
    /// Index into ``PlanningProblem/candidates``.
    public var candidate: Int
    public var siteID: String
    public var siteKind: CandidateSite.Kind
    public var position: Point
    /// Degrees clockwise from north.
    public var heading: Double
    public var fieldOfView: Double
    public var range: Double
    public var cost: Double
    public var district: Int?

    /// The camera as a spec the coverage engine (and the camera registry) understands.
    public func viewSpec(id: String? = nil) -> CameraViewSpec {
        CameraViewSpec(id: id ?? "plan-\(siteID)", position: .local(position), heading: heading, fieldOfView: fieldOfView,
                       range: range)
    }
}

/// Covered shares in percent: of the weighted demand, of main-street length, of courtyard area and
/// of school-ground area (estimated from the demand samples, see docs/planning.md).
public struct CoverageShares: Sendable, Hashable, Codable {
    public var weighted: Double = 0
    public var mainStreet: Double = 0
    public var courtyard: Double = 0
    public var schoolGround: Double = 0

    public init(weighted: Double = 0, mainStreet: Double = 0, courtyard: Double = 0, schoolGround: Double = 0) {
        self.weighted = weighted
        self.mainStreet = mainStreet
        self.courtyard = courtyard
        self.schoolGround = schoolGround
    }

    static func - (a: CoverageShares, b: CoverageShares) -> CoverageShares {
        CoverageShares(weighted: a.weighted - b.weighted, mainStreet: a.mainStreet - b.mainStreet,
                       courtyard: a.courtyard - b.courtyard, schoolGround: a.schoolGround - b.schoolGround)
    }
}

/// One phase of the programme: the cameras of one district.
public struct ProgrammePhase: Sendable, Hashable, Codable {
    /// 1-based.
    public var number: Int
    /// Index into ``CityModel/districts``; nil for cameras outside every district.
    public var district: Int?
    public var districtName: String
    public var cameras: [PlannedCamera]
    public var cost: Double
    /// Percentage points this phase adds.
    public var added: CoverageShares
    /// Coverage after this phase.
    public var cumulative: CoverageShares
    /// Added weighted demand (percentage points) per unit of cost: the order of the phases.
    public var gainPerCost: Double
}

/// The plan split into phases, district by district, in order of weighted demand gained per cost.
public struct PhasedProgramme: Sendable, Hashable, Codable {
    public var phases: [ProgrammePhase]
    public var totalCost: Double
    public var final: CoverageShares
    public var cameraCount: Int { phases.reduce(0) { $0 + $1.cameras.count } }

    /// Groups the solution's cameras by the district of their site and orders the districts
    /// greedily: next is the district whose cameras add the most weighted demand per cost, given
    /// the phases before it (overlap between neighbouring districts' cameras is counted once).
    public static func build(problem: PlanningProblem, solution: PlacementSolution) -> PhasedProgramme {
        var groups: [Int?: [Int]] = [:]
        for c in solution.chosen { groups[problem.sites[problem.candidates[c].site].district, default: []].append(c) }
        var tally = ShareTally(problem)
        var remaining = Array(groups.keys)
        var phases: [ProgrammePhase] = []
        while !remaining.isEmpty {
            var bestKey = 0
            var bestScore = -1.0
            var bestAdded = CoverageShares()
            for (k, key) in remaining.enumerated() {
                let cams = groups[key]!
                let added = tally.shares(adding: cams) - tally.current
                let cost = cams.reduce(0) { $0 + problem.sites[problem.candidates[$1].site].cost }
                let score = cost > 0 ? added.weighted / cost : added.weighted * 1e12
                if score > bestScore + 1e-12 { bestScore = score; bestKey = k; bestAdded = added }
            }
            let key = remaining.remove(at: bestKey)
            let cams = groups[key]!
            tally.add(cams)
            let planned = cams.map { c -> PlannedCamera in
                let cand = problem.candidates[c]
                let site = problem.sites[cand.site]
                return PlannedCamera(candidate: c, siteID: site.id, siteKind: site.kind, position: site.position, heading: cand.heading,
                                     fieldOfView: problem.camera.fieldOfView, range: problem.camera.range, cost: site.cost,
                                     district: site.district)
            }
            let name = key.flatMap { $0 < problem.districtNames.count ? problem.districtNames[$0] : nil } ?? "outside districts"
            phases.append(ProgrammePhase(number: phases.count + 1, district: key, districtName: name, cameras: planned,
                                         cost: planned.reduce(0) { $0 + $1.cost }, added: bestAdded, cumulative: tally.current,
                                         gainPerCost: bestScore))
        }
        return PhasedProgramme(phases: phases, totalCost: phases.reduce(0) { $0 + $1.cost }, final: tally.current)
    }
}

/// Covered demand so far, by kind.
struct ShareTally {
    let problem: PlanningProblem
    var covered: [Bool]
    var current = CoverageShares()
    let totals: (weight: Double, street: Double, yard: Double, school: Double)

    init(_ problem: PlanningProblem) {
        self.problem = problem
        covered = Array(repeating: false, count: problem.demand.count)
        var t = (0.0, 0.0, 0.0, 0.0)
        for d in problem.demand {
            t.0 += d.weight
            switch d.kind {
            case .mainStreet: t.1 += d.measure
            case .courtyard: t.2 += d.measure
            case .schoolGround: t.3 += d.measure
            }
        }
        totals = t
    }

    func shares(adding cameras: [Int]) -> CoverageShares {
        var copy = self
        copy.add(cameras)
        return copy.current
    }

    mutating func add(_ cameras: [Int]) {
        var s = current
        func pct(_ v: Double, _ total: Double) -> Double { total > 0 ? 100 * v / total : 0 }
        for c in cameras {
            for i32 in problem.candidates[c].covers where !covered[Int(i32)] {
                let d = problem.demand[Int(i32)]
                covered[Int(i32)] = true
                s.weighted += pct(d.weight, totals.weight)
                switch d.kind {
                case .mainStreet: s.mainStreet += pct(d.measure, totals.street)
                case .courtyard: s.courtyard += pct(d.measure, totals.yard)
                case .schoolGround: s.schoolGround += pct(d.measure, totals.school)
                }
            }
        }
        current = s
    }
}
