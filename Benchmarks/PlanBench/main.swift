import City
import Foundation
import Planning
import Randomness

// Placement planner benchmark: 2,000 candidates (250 sites × 8 headings) × 20,000 demand points on
// the real Monaco extract, release build:
//
//     swift run -c release --scratch-path .build-plan PlanBench
//
// Figures go into docs/planning.md.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }

let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let osm = root.deletingLastPathComponent().appendingPathComponent("shared/data/osm/monaco.osm.gz")
guard let data = FileManager.default.contents(atPath: osm.path) else {
    print("Monaco extract missing at \(osm.path)")
    exit(1)
}

var city: CityModel!
let tImport = try seconds { city = try OSMImporter.importCity(from: data) }
print("import Monaco: \(ms(tImport)), \(city.buildings.count) buildings, \(city.streets.filter(\.isMain).count) main streets")

// Demo offences → density surface → demand weights.
var scenario: SyntheticOffences.Scenario!
let tOffences = seconds { scenario = SyntheticOffences.generate(city: city, options: SyntheticOffences.Options()) }
var surface: DensitySurface!
let tKDE = seconds {
    surface = Hotspots.grid(scenario.offences, projection: city.projection, options: HotspotOptions(cellSize: 25, bandwidth: 150)).density
}
print("synthetic offences: \(scenario.offences.count) in \(ms(tOffences)); KDE + Gi* grid: \(ms(tKDE))")

var demandOptions = DemandOptions()
demandOptions.streetSpacing = 1.6
demandOptions.areaSpacing = 1.6
var demand: [DemandPoint] = []
let tDemand = seconds { demand = DemandPoints.sample(city: city, density: surface, options: demandOptions) }
// Exactly 20,000 points: an even stride through the samples, then re-weighted.
if demand.count > 20_000 {
    let stride = Double(demand.count) / 20_000
    demand = (0..<20_000).map { demand[Int(Double($0) * stride)] }
    for k in demand.indices { demand[k].measure *= stride }
    DemandPoints.weigh(&demand, density: surface, options: demandOptions)
}
print("demand points: \(demand.count) (\(ms(tDemand)))")

var siteOptions = CandidateSiteOptions()
siteOptions.maximumDistanceToDemand = 15
var sites = CandidateSites.generate(city: city, options: siteOptions)
let allSites = sites.count
if sites.count > 250 {
    let stride = Double(sites.count) / 250
    sites = (0..<250).map { sites[Int(Double($0) * stride)] }
}
print("sites: \(sites.count) of \(allSites) proposed")

var problem: PlanningProblem!
let tBuild = try seconds {
    problem = try PlanningProblem.build(city: city, sites: sites, demand: demand, headings: 8,
                                        camera: CameraModel(fieldOfView: 90, range: 60))
}
let nnz = problem.candidates.reduce(0) { $0 + $1.covers.count }
print("coverage sets: \(problem.candidates.count) candidates with coverage (of \(sites.count * 8)), \(nnz) pairs, \(ms(tBuild))")

for budget in [PlacementBudget.cameras(50), .cameras(150), .money(120)] {
    var solution: PlacementSolution!
    let t = seconds { solution = MaximalCovering.solve(problem, budget: budget) }
    print("solve \(budget): \(ms(t)); greedy \(String(format: "%.2f", 100 * solution.greedyObjective / solution.totalWeight)) % → "
          + "\(String(format: "%.2f", solution.coveredPercent)) % of weighted demand, \(solution.chosen.count) cameras, "
          + "\(solution.swaps) swaps")
    if case .cameras(50) = budget {
        var programme: PhasedProgramme!
        let tp = seconds { programme = PhasedProgramme.build(problem: problem, solution: solution) }
        print("phased programme: \(programme.phases.count) phases in \(ms(tp))")
    }
}
print("target: coverage sets + solve < 10 s")

// Solver stress test: 2,000 candidates (250 sites × 8) × 20,000 points with dense, overlapping
// coverage on a 1 km square (each candidate sees every point within 120 m in its 90° sector, no obstacles).
var rng = SeededRandom(seed: 7)
let stressDemand = (0..<20_000).map { _ in
    DemandPoint(position: Point(x: rng.unit() * 1000, y: rng.unit() * 1000), kind: .courtyard, measure: 1, district: nil,
                lit: false, weight: 0.5 + rng.unit())
}
let stressSites = (0..<250).map { k in
    CandidateSite(id: "s\(k)", kind: .manual, position: Point(x: rng.unit() * 1000, y: rng.unit() * 1000), cost: 0.5 + rng.unit())
}
var stress: PlanningProblem!
let tStress = try seconds {
    stress = try PlanningProblem.build(city: CityModel(projection: city.projection), sites: stressSites, demand: stressDemand,
                                       headings: 8, camera: CameraModel(fieldOfView: 90, range: 120))
}
print("stress coverage sets: \(stress.candidates.count) candidates, \(stress.candidates.reduce(0) { $0 + $1.covers.count }) pairs, \(ms(tStress))")
for budget in [PlacementBudget.cameras(100), .money(100)] {
    var solution: PlacementSolution!
    let t = seconds { solution = MaximalCovering.solve(stress, budget: budget) }
    print("stress solve \(budget): \(ms(t)); greedy \(String(format: "%.2f", 100 * solution.greedyObjective / solution.totalWeight)) % → "
          + "\(String(format: "%.2f", solution.coveredPercent)) %, \(solution.chosen.count) cameras, \(solution.swaps) swaps")
}
