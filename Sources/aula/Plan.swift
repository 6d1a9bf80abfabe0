import ArgumentParser
import City
import CityServices
import Foundation
import Planning
import Server

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan where the next cameras go: a phased programme, district by district, as a printable report.",
        discussion: """
            Demand is main-street length and courtyard area weighted by offence density (docs/planning.md); what the
            registered cameras already see is left out. Give exactly one of --cameras and --budget.
            """)

    @Option(help: "Budget as a number of cameras.")
    var cameras: Int?

    @Option(help: "Budget as money (site costs: building corner 1, façade 1.2, lighting pole 0.8).")
    var budget: Double?

    @OptionGroup var dataOptions: DataOptions
    var data: String { dataOptions.data }

    @Option(help: "Write the report (Markdown) to this file instead of printing it.")
    var out: String?

    @Option(help: "Field of view of the planned cameras, degrees.")
    var fieldOfView: Double = 90

    @Option(help: "Useful range of the planned cameras, metres.")
    var range: Double = 40

    @Option(help: "At most this many candidate sites.")
    var sites: Int = 400

    @Flag(help: "Also plan for ground the registered cameras already see.")
    var includeCovered = false

    func validate() throws {
        guard (cameras == nil) != (budget == nil) else { throw ValidationError("give exactly one of --cameras and --budget") }
        if let cameras, cameras < 1 { throw ValidationError("--cameras must be at least 1") }
        if let budget, !(budget > 0) { throw ValidationError("--budget must be more than 0") }
        guard fieldOfView > 0, fieldOfView <= 360 else { throw ValidationError("--field-of-view must be in (0, 360]") }
        guard range > 0 else { throw ValidationError("--range must be more than 0") }
        guard sites >= 1 else { throw ValidationError("--sites must be at least 1") }
    }

    func run() async throws {
        let catalog = try await dataOptions.openCatalog()
        let store = CityStore(catalog)
        guard let stored = try await store.loadCity() else {
            throw CityCommandError("no city is imported yet: run `aula import osm FILE --city NAME --data \(data)` first")
        }
        let register = try await store.loadOffences()
        var engine = CoverageEngine(city: stored.model)
        if !includeCovered {
            let registered = try await catalog.cameras().map(\.viewSpec).filter { (try? $0.validate()) != nil }
            try engine.setCameras(registered)
        }
        var settings = CityPlanner.Settings(budget: cameras.map { .cameras($0) } ?? .money(budget ?? 0))
        settings.camera = CameraModel(fieldOfView: fieldOfView, range: range)
        settings.maximumSites = sites
        settings.excludeCovered = !includeCovered
        settings.title = "Camera placement programme — \(stored.name)"
        let seen = engine
        let result = try CityPlanner.plan(city: stored.model, offences: register.offences, settings: settings) {
            !seen.camerasSeeing($0).isEmpty
        }
        let report = result.markdown
        try await store.saveReport(report)
        if let out {
            try Data(report.utf8).write(to: URL(fileURLWithPath: out))
            say("Wrote \(out): \(result.programme.cameraCount) cameras in \(result.programme.phases.count) phases, "
                + String(format: "%.1f %% of weighted demand (%.1f s).", result.solution.coveredPercent, result.seconds))
        } else {
            say(report)
        }
    }
}
