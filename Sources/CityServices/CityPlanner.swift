import City
import Foundation
import Planning

/// The placement pipeline of docs/planning.md §3 on the imported city, shared by `POST /api/plan`
/// and `aula plan`: offence density → weighted demand (minus what registered cameras already see)
/// → candidate sites × headings → budgeted maximal covering → phased programme and report.
public enum CityPlanner {
    public struct Settings: Sendable {
        public var budget: PlacementBudget
        public var camera = CameraModel(fieldOfView: 90, range: 40)
        public var headings = 8
        /// At most this many candidate sites (an even stride through the proposals keeps the
        /// solve within seconds on a large city).
        public var maximumSites = 400
        /// Drop demand that registered cameras already see, so the plan is for the *next* cameras.
        public var excludeCovered = true
        public var title = "Camera placement programme"

        public init(budget: PlacementBudget) { self.budget = budget }
    }

    public struct Result: Sendable {
        public var programme: PhasedProgramme
        public var solution: PlacementSolution
        public var markdown: String
        public var sites: Int
        public var candidates: Int
        public var demandPoints: Int
        public var alreadyCovered: Int
        public var seconds: Double
    }

    /// - Parameter seen: whether a registered camera already sees a point (local metres).
    public static func plan(city: CityModel, offences: [Offence], settings: Settings,
                            seen: ((Point) -> Bool)? = nil) throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let density = offences.isEmpty ? nil
            : Hotspots.grid(offences, projection: city.projection, options: HotspotOptions(cellSize: 25, bandwidth: 150),
                            extent: city.extent.grown(by: 150)).density
        var demand = DemandPoints.sample(city: city, density: density)
        var alreadyCovered = 0
        if settings.excludeCovered, let seen {
            let before = demand.count
            demand.removeAll { seen($0.position) }
            alreadyCovered = before - demand.count
        }
        guard !demand.isEmpty else {
            throw CityCommandError(alreadyCovered > 0 ? "the registered cameras already see every main street and courtyard"
                                                      : "the city has no main streets, courtyards or school grounds to cover")
        }
        var sites = CandidateSites.generate(city: city)
        if sites.count > settings.maximumSites {
            let stride = Double(sites.count) / Double(settings.maximumSites)
            sites = (0..<settings.maximumSites).map { sites[Int(Double($0) * stride)] }
        }
        let problem: PlanningProblem
        do {
            problem = try PlanningProblem.build(city: city, sites: sites, demand: demand, headings: settings.headings,
                                                camera: settings.camera)
        } catch {
            throw CityCommandError("camera model: \(error)")
        }
        let solution = MaximalCovering.solve(problem, budget: settings.budget)
        let programme = PhasedProgramme.build(problem: problem, solution: solution)
        var markdown = PlanReport.markdown(programme, title: settings.title, budget: settings.budget, solution: solution,
                                           projection: city.projection)
        if offences.contains(where: \.synthetic) {
            markdown += "\nDemand is weighted by SYNTHETIC DEMO offences (not real records).\n"
        }
        let elapsed = clock.now - start
        return Result(programme: programme, solution: solution, markdown: markdown, sites: sites.count,
                      candidates: problem.candidates.count, demandPoints: demand.count, alreadyCovered: alreadyCovered,
                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
