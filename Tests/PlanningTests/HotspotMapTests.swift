import City
import Foundation
import Testing
@testable import Planning

/// The city-wide hot-spot answer (issue 20): Gi* over the whole grid of a real city, the
/// significant cells only, merged into rectangles; z-scores still esda's.
@Suite struct HotspotMapTests {
    /// Monaco (© OpenStreetMap contributors, ODbL) with the labelled synthetic register, over the
    /// city's extent grown by the bandwidth as `GET /api/hotspots` computes it.
    static func monaco(cell: Double = 50) throws -> (CityModel, GridHotspots) {
        let city = try EnclosedCourtyardTests.importExtract("monaco.osm.gz")
        let offences = SyntheticOffences.generate(city: city, options: SyntheticOffences.Options()).offences
        var box = BoundingBox(points: city.buildings.flatMap { $0.footprint.rings.joined() } + city.streets.flatMap(\.line))
        box = BoundingBox(minX: box.minX - 150, minY: box.minY - 150, maxX: box.maxX + 150, maxY: box.maxY + 150)
        return (city, Hotspots.grid(offences, projection: city.projection, options: HotspotOptions(cellSize: cell), extent: box))
    }

    /// The grid fast path is the general statistic, bit for bit, and both are esda's within 1e-6
    /// on every cell of the city's grid (4,662 cells), so on every cell the answer sends.
    @Test func cityGridMatchesEsda() throws {
        let (_, result) = try Self.monaco()
        let centres = (0..<result.grid.count).map(result.grid.centre)
        let general = GetisOrd.giStar(values: result.counts, locations: centres, weights: .distanceBand(threshold: 75))
        #expect(general == result.giStar)
        let input = HotspotTests.GiInput(points: centres.map { [$0.x, $0.y] }, values: result.counts,
                                         weights: .init(kind: "distance", threshold: 75))
        struct Batch: Encodable { var cases: [HotspotTests.GiInput] }
        struct Results: Decodable { var results: [HotspotTests.GiOutput] }
        let theirs = try #require(runReference("gistar", Batch(cases: [input]), as: Results.self).results.first)
        try #require(theirs.z.count == result.grid.count)
        let map = HotspotMap(result)
        #expect(map.cells.count > 50 && map.cells.count < result.grid.count / 10, "\(map.cells.count) significant cells")
        var worst = 0.0
        for i in 0..<result.grid.count { worst = max(worst, abs(result.giStar[i].z - theirs.z[i])) }
        #expect(worst <= 1e-6, "largest |z − z_esda| = \(worst)")
        // The cells left out are exactly those esda finds not significant at 90 % (two-sided).
        let esdaSignificant = (0..<result.grid.count).filter { 2 * theirs.pOneSided[$0] < 0.10 }
        #expect(map.cells == esdaSignificant)
    }

    /// The rectangles cover exactly the significant cells, once each, each of one class, and are
    /// far fewer than the cells.
    @Test(arguments: [50.0, 25.0])
    func rectanglesTileTheSignificantCells(_ cell: Double) throws {
        let (_, result) = try Self.monaco(cell: cell)
        let map = HotspotMap(result)
        var covered = [Int](repeating: 0, count: result.grid.count)
        for r in map.rectangles {
            #expect(r.columns >= 1 && r.rows >= 1 && r.column + r.columns <= result.grid.columns && r.row + r.rows <= result.grid.rows)
            for row in r.row..<(r.row + r.rows) {
                for column in r.column..<(r.column + r.columns) {
                    let i = row * result.grid.columns + column
                    covered[i] += 1
                    #expect(result.giStar[i].classification == r.classification, "cell \(i)")
                }
            }
        }
        #expect(covered.indices.filter { covered[$0] > 0 } == map.cells)
        #expect(covered.allSatisfy { $0 <= 1 })
        #expect(map.rectangles.count * 2 < map.cells.count, "\(map.rectangles.count) rectangles for \(map.cells.count) cells")
        // A rectangle is never continued by one of the same class and columns right above it.
        let starts = Set(map.rectangles.map { [$0.column, $0.row, $0.columns, $0.classification.rawValue] })
        for r in map.rectangles { #expect(!starts.contains([r.column, r.row + r.rows, r.columns, r.classification.rawValue])) }
    }
}
