import Foundation
import Testing
@testable import City

/// The real Monaco extract with generated cameras, checked against an independent computation in
/// Python with shapely (scripts/coverage_reference.py). Fails, never skips, when python3 or shapely
/// is missing: the comparison is part of the definition of done.
@Suite struct MonacoReferenceTests {
    struct Reference: Decodable {
        struct Measure: Decodable {
            var total: Double
            var covered: Double
            var percent: Double { total > 0 ? 100 * covered / total : 0 }
        }

        struct Figures: Decodable {
            var mainStreets: Measure
            var courtyards: Measure
            var schoolGrounds: Measure
        }

        struct District: Decodable {
            var name: String
            var figures: Figures
        }

        var city: Figures
        var districts: [District]
        var visibleAreas: [Double]
        var seconds: Double
    }

    @Test func agreesWithShapely() throws {
        let data = try #require(FileManager.default.contents(atPath: monacoURL.path),
                                "Monaco extract missing at \(monacoURL.path) (shared/ must sit beside the clone)")
        let city = try OSMImporter.importCity(from: data)
        #expect(city.buildings.count > 900)
        #expect(city.districts.map(\.name).sorted() == ["Fontvieille", "La Condamine", "Monaco-Ville"])
        let cameras = SampleCameras.generate(for: city, count: 250, seed: 2024)
        #expect(cameras.count == 250)
        var engine = CoverageEngine(city: city)
        try engine.setCameras(cameras)
        let report = engine.report()

        let reference = try runReference(ReferenceScene(city: city, cameras: cameras))

        // Each camera's visible area, computed two different ways.
        #expect(reference.visibleAreas.count == cameras.count)
        for (spec, theirs) in zip(cameras, reference.visibleAreas) {
            let ours = engine.visibility(of: spec.id)?.polygon.area ?? -1
            #expect(abs(ours - theirs) <= max(1, 0.005 * theirs), "camera \(spec.id): \(ours) m² vs shapely \(theirs) m²")
        }

        func compare(_ label: String, _ ours: CoverageFigures, _ theirs: Reference.Figures) {
            for (what, o, t) in [("main streets", ours.mainStreets, theirs.mainStreets),
                                 ("courtyards", ours.courtyards, theirs.courtyards),
                                 ("school grounds", ours.schoolGrounds, theirs.schoolGrounds)] {
                #expect(abs(o.total - t.total) <= max(0.5, 0.005 * t.total), "\(label) \(what) total: \(o.total) vs \(t.total)")
                #expect(abs(o.coveredPercent - t.percent) <= 0.5,
                        "\(label) \(what): \(o.coveredPercent) % vs shapely \(t.percent) %")
            }
        }
        compare("city", report.city, reference.city)
        for (ours, theirs) in zip(report.districts, reference.districts) {
            #expect(ours.name == theirs.name)
            compare(ours.name, ours.figures, theirs.figures)
        }
        // The comparison must have teeth: something is covered and something is not.
        #expect(report.city.mainStreets.coveredPercent > 5 && report.city.mainStreets.coveredPercent < 95)
        #expect(report.city.courtyards.total > 1000)
    }

    /// Writes the scene, runs the shapely script, reads its answer.
    func runReference(_ scene: ReferenceScene) throws -> Reference {
        try runPythonReference("coverage_reference.py", scene, as: Reference.self)
    }
}
