import Catalog
import City
import CityServices
import Foundation
import Hummingbird
import HummingbirdTesting
import Planning
import Testing

@testable import App
@testable import Server

/// The API on the real Monaco extract (© OpenStreetMap contributors, ODbL), checked against the
/// City and Planning modules called directly.
@Suite(.serialized) struct CityMonacoAPITests {
    /// One imported Monaco with 200 sample cameras and synthetic offences, shared by the tests.
    static let preparing = Task { () throws -> (data: String, city: CityModel) in
        let data = temporaryDirectory()
        let stored = try await CityImport.importCity(file: monacoPath, name: "Monaco", dataDirectory: data)
        try await CityImport.generateSyntheticOffences(dataDirectory: data)
        return (data, stored.model)
    }
    static func prepared() async throws -> (data: String, city: CityModel) { try await preparing.value }

    static func register(_ count: Int, in server: AulaApp, city: CityModel) async throws -> [Camera] {
        var out: [Camera] = []
        for spec in SampleCameras.generate(for: city, count: count, seed: 2024) {
            let g = city.projection.unproject(spec.position.point(in: city.projection))
            let heading = (spec.heading.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
            out.append(try await server.catalog.insert(testCamera(spec.id, lat: g.latitude, lon: g.longitude, heading: heading,
                                                                  fov: spec.fieldOfView, range: spec.range)))
        }
        return out
    }

    static func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return (clock.now - start).seconds * 1000
    }

    @Test func coverageMatchesTheEngineAndPreviewIsFast() async throws {
        #expect(FileManager.default.fileExists(atPath: monacoPath), "Monaco extract missing at \(monacoPath)")
        let (data, city) = try await Self.prepared()
        let server = try await cityServer(data: data)
        let cameras = try await Self.register(200, in: server, city: city)
        try await Application(router: server.makeRouter()).test(.router) { client in
            var coverage: (status: HTTPResponse.Status, json: [String: Any], array: [[String: Any]], headers: HTTPFields)!
            let first = try await Self.milliseconds { coverage = try await client.json(.get, "/api/coverage") }
            #expect(coverage.status == .ok)
            #expect(coverage.json["cameras"] as? Int == 200)
            var engine = CoverageEngine(city: city)
            try engine.setCameras(cameras.map(\.viewSpec))
            let expected = engine.report()
            let districts = try #require(coverage.json["districts"] as? [[String: Any]])
            #expect(districts.map { $0["name"] as? String } == expected.districts.map(\.name))
            for (d, e) in zip(districts, expected.districts) {
                let f = d as [String: Any]
                #expect(abs((f.double("figures.mainStreets.percent") ?? -1) - e.figures.mainStreets.coveredPercent) < 0.01)
                #expect(abs((f.double("figures.courtyards.percent") ?? -1) - e.figures.courtyards.coveredPercent) < 0.01)
            }
            #expect(abs((coverage.json.double("city.mainStreets.percent") ?? -1) - expected.city.mainStreets.coveredPercent) < 0.01)
            let again = try await Self.milliseconds { _ = try await client.json(.get, "/api/coverage") }

            // Dragging one camera: previews one after another, never saved.
            let moved = cameras[10]
            var previews: [Double] = []
            for step in 1...10 {
                let body = #"{"cameraId": \#(moved.id), "location": {"lat": \#(moved.latitude + Double(step) * 0.00002), "lon": \#(moved.longitude)}, "heading": \#(Double(step) * 30)}"#
                previews.append(try await Self.milliseconds {
                    let r = try await client.json(.post, "/api/coverage/preview", body)
                    #expect(r.status == .ok)
                })
            }
            let after = try await client.json(.get, "/api/coverage")
            #expect(after.json.double("city.mainStreets.percent") == coverage.json.double("city.mainStreets.percent"))
            let streets = try await Self.milliseconds { _ = try await client.json(.get, "/api/coverage/streets") }
            let geometry = try await Self.milliseconds { _ = try await client.json(.get, "/api/city/geometry") }
            print("Monaco API, 200 cameras, debug build: first /api/coverage \(Int(first)) ms, again \(Int(again)) ms, "
                  + "preview median \(Int(previews.sorted()[5])) ms, /api/coverage/streets \(Int(streets)) ms, /api/city/geometry \(Int(geometry)) ms")
            #expect(previews.sorted()[5] < 1000)
        }
        await server.recorder.stopAll()
    }

    @Test func hotspotsPlanAndEvaluationAgreeWithPlanning() async throws {
        let (data, city) = try await Self.prepared()
        let server = try await cityServer(data: data)
        let register = try await CityStore(dataDirectory: data).loadOffences()
        #expect(register.offences.allSatisfy(\.synthetic) && !register.offences.isEmpty)
        try await Application(router: server.makeRouter()).test(.router) { client in
            // Hot spots for thefts in 2024, 100 m cells.
            let hs = try await client.json(.get, "/api/hotspots?from=2024-01-01&to=2025-01-01&types=theft,assault&cell=100")
            #expect(hs.status == .ok)
            let filter = OffenceFilter(from: CivilTime.microseconds(year: 2024, month: 1, day: 1),
                                       until: CivilTime.microseconds(year: 2025, month: 1, day: 1), types: ["theft", "assault"])
            // Over the city's extent grown by one bandwidth, as the server computes it (docs/api.md, "Input").
            let direct = Hotspots.grid(register.offences, filter: filter, projection: city.projection, options: HotspotOptions(cellSize: 100),
                                       extent: city.extent.grown(by: HotspotOptions().bandwidth))
            #expect(hs.json["offenceCount"] as? Int == direct.offenceCount)
            #expect(hs.json["hotCells"] as? Int == direct.giStar.filter { $0.classification.rawValue > 0 }.count)
            #expect(hs.json["synthetic"] as? Bool == true)
            // Only the significant cells are sent, with their figures in parallel arrays.
            let cells = try #require(hs.json["cells"] as? [String: Any])
            let index = try #require(cells["index"] as? [Int]), z = try #require(cells["z"] as? [Double]), count = try #require(cells["count"] as? [Double])
            #expect(Set(index) == Set(direct.giStar.indices.filter { direct.giStar[$0].classification.rawValue != 0 }))
            #expect(!index.isEmpty && index.count == z.count && index.count == count.count)
            for (k, i) in index.enumerated() {
                #expect(abs(z[k] - direct.giStar[i].z) < 1e-6)
                #expect(count[k] == direct.counts[i])
            }
            let badHotspots = try await client.json(.get, "/api/hotspots?cell=5")
            #expect(fields(badHotspots.json) == ["cell"])

            // Plan 5 cameras over all the ground (the other test may have registered cameras in this folder).
            let plan = try await client.json(.post, "/api/plan", #"{"cameras": 5, "sites": 60, "excludeCovered": false}"#)
            #expect(plan.status == .ok)
            #expect(plan.json["cameraCount"] as? Int == 5)
            var settings = CityPlanner.Settings(budget: .cameras(5))
            settings.maximumSites = 60
            let expected = try CityPlanner.plan(city: city, offences: register.offences, settings: settings)
            #expect(abs((plan.json.double("coveredPercent") ?? -1) - expected.solution.coveredPercent) < 0.01)
            let phases = try #require(plan.json["phases"] as? [[String: Any]])
            #expect(phases.count == expected.programme.phases.count)
            #expect(((phases.first?["cameras"] as? [[String: Any]])?.first?["view"] as? [Any]) != nil)
            #expect((plan.json["report"] as? String)?.hasPrefix("# Camera placement programme") == true)
            let report = try await client.execute(uri: "/api/plan/report", method: .get, headers: adminHeaders) { $0 }
            #expect(report.status == .ok)
            #expect(String(buffer: report.body).contains("SYNTHETIC"))
            let badPlan = try await client.json(.post, "/api/plan", #"{"cameras": 5, "budget": 3}"#)
            #expect(badPlan.status == .unprocessableContent)

            // The demo pilot, evaluated through the API and directly.
            let evaluation = try await client.json(.post, "/api/evaluation", #"{"scenario": true}"#)
            #expect(evaluation.status == .ok)
            let scenario = try #require(register.scenario)
            let study = PilotStudy(pilot: scenario.pilot, start: scenario.pilotStart, controls: scenario.controls)
            let e = PilotEvaluation.evaluate(register.offences, projection: city.projection, study: study)
            let res = try #require(e.relativeEffectSize)
            #expect(abs((evaluation.json.double("relativeEffectSize.value") ?? -1) - res.value) < 1e-5)
            #expect(abs((evaluation.json.double("relativeEffectSize.lower95") ?? -1) - res.lower95) < 1e-5)
            let did = try #require(e.differenceInDifferences)
            #expect(abs((evaluation.json.double("differenceInDifferences.estimate") ?? -1) - did.estimate) < 1e-5)
            #expect(abs((evaluation.json.double("differenceInDifferences.standardError") ?? -1) - did.standardError) < 1e-5)
            #expect(evaluation.json.double("displacement.wdq").map { abs($0 - (e.displacement.wdq ?? .nan)) < 1e-5 } ?? (e.displacement.wdq == nil))
            #expect(((evaluation.json["series"] as? [String: Any])?["pilot"] as? [Int]) == e.series.pilot)
            #expect(res.value > 1)  // the synthetic pilot works

            // A drawn pilot (the scenario's, as a ring) with suggested controls.
            let w = GeoJSONWriter(projection: city.projection)
            let ring = scenario.pilot.area.rings[0].map { p -> String in
                let g = w.projection.unproject(p)
                return "[\(g.longitude), \(g.latitude)]"
            }.joined(separator: ", ")
            let drawn = try await client.json(.post, "/api/evaluation", #"{"pilot": {"name": "Drawn", "ring": [\#(ring)]}, "start": "2025-01"}"#)
            #expect(drawn.status == .ok)
            #expect(drawn.json["controlsSuggested"] as? Bool == true)
            #expect((drawn.json["pilot"] as? [String: Any])?["before"] as? Int == e.pilot.before)
            let badEval = try await client.json(.post, "/api/evaluation", #"{"pilot": {"ring": [[7.42, 43.73]]}, "beforeMonths": 0}"#)
            #expect(fields(badEval.json) == ["pilot.ring", "start", "beforeMonths"])
        }
    }
}
