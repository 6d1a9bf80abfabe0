import City
import Foundation
import Testing
@testable import Planning

/// Courtyards enclosed by a single building (the inner ring of an OSM multipolygon building) on the
/// real shared extracts (© OpenStreetMap contributors, ODbL): the planner must be able to put a
/// camera there, so some candidate sees each of them.
@Suite struct EnclosedCourtyardTests {
    /// Each shared extract with the number of its courtyards enclosed by one building (Monaco's
    /// palaces and blocks mapped as multipolygons with inner rings; none in the others).
    static let extracts: [(file: String, enclosed: Int)] = [
        ("monaco.osm.gz", 10), ("andorra.osm.gz", 0), ("campo-grande.osm.gz", 0), ("north-bayreuth.osm.gz", 0), ("bautzen.osm.gz", 0),
    ]

    static func importExtract(_ file: String) throws -> CityModel {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/osm/\(file)")
        let data = try #require(FileManager.default.contents(atPath: url.path), "\(url.path) is missing (shared/ must sit beside the clone)")
        return try OSMImporter.importCity(from: data)
    }

    /// The courtyards lying in a hole of one building: inside one of its rings, yet not under it.
    static func enclosed(in city: CityModel) -> [(courtyard: Int, building: Int)] {
        var out: [(Int, Int)] = []
        for (ci, c) in city.courtyards.enumerated() {
            guard let ring = c.area.rings.first, let probe = DemandPoints.sample(
                city: CityModel(projection: city.projection, courtyards: [c])).first?.position ?? ring.first else { continue }
            for (bi, b) in city.buildings.enumerated() where b.footprint.rings.count > 1 && !b.footprint.contains(probe) {
                if b.footprint.rings.contains(where: { Polygon(ring: $0).contains(probe) }) { out.append((ci, bi)); break }
            }
        }
        return out
    }

    @Test(arguments: extracts)
    func everyEnclosedCourtyardIsReachable(_ file: String, _ expected: Int) throws {
        let city = try Self.importExtract(file)
        let yards = Self.enclosed(in: city)
        #expect(yards.count == expected)
        let demand = DemandPoints.sample(city: city)
        let sites = CandidateSites.generate(city: city)
        // Every site stands on open ground, never inside a building.
        for s in sites { #expect(!city.buildings.contains { $0.footprint.contains(s.position) }, "\(s.id) is inside a building") }
        guard !yards.isEmpty else { return }
        let problem = try PlanningProblem.build(city: city, sites: sites, demand: demand, headings: 8)
        var seen = Set<Int32>()
        for c in problem.candidates { seen.formUnion(c.covers) }
        var unreachable: [String] = []
        for (ci, bi) in yards {
            let area = city.courtyards[ci].area
            let points = demand.indices.filter { demand[$0].kind == .courtyard && area.contains(demand[$0].position) }
            #expect(!points.isEmpty, "\(city.courtyards[ci].source) has no demand point")
            if !points.contains(where: { seen.contains(Int32($0)) }) {
                unreachable.append("\(city.courtyards[ci].source) in \(city.buildings[bi].source) (\(Int(area.area)) m²)")
            }
        }
        #expect(unreachable.isEmpty, "\(file): \(unreachable.count) of \(yards.count) enclosed courtyards no candidate sees: \(unreachable)")
    }
}
