import Foundation
import Testing
@testable import City

/// Every polygon Aula returns is valid by the OGC rules, as shapely (GEOS) judges it
/// (scripts/ref_validity.py), on every shared extract: cameras' views and courtyards, exactly as
/// they are written for the outside world (WGS84, 7 decimals, `LocalProjection.geoPolygon`), the
/// views also in local metres as `Visibility` makes them; buildings, school grounds and districts
/// as the map receives them. Fails, never skips, without python3 or shapely.
@Suite struct ValidGeometryTests {
    struct Feature: Encodable {
        var id: String
        var geometry: Geometry
    }

    struct Geometry: Encodable {
        var type: String
        var coordinates: [[[[Double]]]]
        var polygonCoordinates: [[[Double]]]? { coordinates.count == 1 ? coordinates[0] : nil }

        enum Keys: String, CodingKey { case type, coordinates }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(type, forKey: .type)
            if let p = polygonCoordinates { try c.encode(p, forKey: .coordinates) } else { try c.encode(coordinates, forKey: .coordinates) }
        }
    }

    struct Scene: Encodable { var features: [Feature] }

    struct Verdict: Decodable {
        struct Invalid: Decodable { var id: String; var reason: String }
        var checked: Int
        var invalid: [Invalid]
        var empty: [String]
    }

    static func feature(_ id: String, _ polygon: Polygon, _ projection: LocalProjection) -> Feature {
        let g = projection.geoPolygon(polygon)
        return Feature(id: id, geometry: Geometry(type: g.type, coordinates: g.parts))
    }

    @Test(arguments: RealExtractTests.extracts.map(\.file))
    func everyReturnedPolygonIsValid(_ file: String) throws {
        let city = try RealExtractTests.importExtract(file)
        let cameras = SampleCameras.generate(for: city, count: 400, seed: 20)
        var engine = CoverageEngine(city: city)
        try engine.setCameras(cameras)
        var features: [Feature] = []
        var seen = 0
        for spec in cameras {
            guard let view = engine.visibility(of: spec.id), !view.polygon.isEmpty else { continue }
            seen += 1
            features.append(Self.feature("view \(spec.id)", view.polygon, city.projection))
            // Valid at the source too, in local metres before any rounding.
            let local = view.polygon.rings.map { ring in (ring + [ring[0]]).map { [$0.x, $0.y] } }
            features.append(Feature(id: "local view \(spec.id)", geometry: Geometry(type: "Polygon", coordinates: [local])))
        }
        for c in city.courtyards { features.append(Self.feature("courtyard \(c.source)", c.area, city.projection)) }
        for c in city.schoolGrounds { features.append(Self.feature("school \(c.source)", c.area, city.projection)) }
        for c in city.districts { features.append(Self.feature("district \(c.source)", c.area, city.projection)) }
        for c in city.buildings { features.append(Self.feature("building \(c.source)", c.footprint, city.projection)) }
        #expect(seen > 100, "too few cameras see anything to test on \(file)")
        let verdict = try Self.check(features)
        #expect(verdict.checked == features.count)
        #expect(verdict.empty.isEmpty, "empty: \(verdict.empty.prefix(10))")
        #expect(verdict.invalid.isEmpty, "\(file): \(verdict.invalid.count) of \(features.count) polygons invalid, e.g. \(verdict.invalid.prefix(8).map { "\($0.id): \($0.reason)" })")
    }

    /// A view made of rays either side of wall ends: the repeated points, the points on straight
    /// edges and the zero-width spikes are gone, and the area is unchanged.
    @Test func cleaningKeepsTheAreaAndDropsSpikes() {
        let p = { (x: Double, y: Double) in Point(x: x, y: y) }
        // A square with a repeated corner, a point halfway along an edge, and a spike out and back along the top.
        let ring = [p(0, 0), p(10, 0), p(10, 0), p(10, 5), p(10, 10), p(6, 10), p(2, 10), p(8, 10), p(0, 10)]
        let clean = RingCleaning.cleaned(ring, tolerance: 1e-6)
        #expect(clean == [p(0, 0), p(10, 0), p(10, 10), p(0, 10)])
        #expect(abs(Polygon(ring: clean).area - Polygon(ring: ring).area) < 1e-9)
        // The seam: the spike's tip is the ring's first point.
        let seam = RingCleaning.cleaned([p(5, 20), p(5, 10), p(10, 10), p(10, 0), p(0, 0), p(0, 10), p(5, 10)], tolerance: 1e-6)
        #expect(Set(seam.map { [$0.x, $0.y] }) == [[10, 10], [10, 0], [0, 0], [0, 10]])
        // A line traced out and back encloses nothing.
        #expect(RingCleaning.cleaned([p(0, 0), p(5, 0), p(2, 0)], tolerance: 1e-6).isEmpty)
    }

    /// The fold rounding made at a wall's end in north Bayreuth (grid units of 10⁻⁷°): the edge
    /// into the corner and the edge leaving it cross after two vertices one unit apart; the two are
    /// cut out, and a large loop (no rounding artefact) is left alone.
    @Test func untanglingCutsOnlyRoundingFolds() throws {
        let folded: [(x: Int64, y: Int64)] = [(-2000, -1000), (-56, -43), (7, 1), (8, 1), (-1224, -118), (-2000, -118)]
        #expect(RingCleaning.smallestFold(folded) != nil)
        let fixed = RingCleaning.untangled(folded, maximumLoopArea: 2_000)
        #expect(RingCleaning.smallestFold(fixed) == nil)
        #expect(fixed.map { [$0.x, $0.y] } == [[-2000, -1000], [-56, -43], [-1224, -118], [-2000, -118]])
        // A bow tie of 100 × 100 units is a real crossing, not a fold: kept as it is.
        let bowTie: [(x: Int64, y: Int64)] = [(0, 0), (100, 100), (100, 0), (0, 100)]
        #expect(RingCleaning.untangled(bowTie, maximumLoopArea: 2_000).count == 4)
        let verdict = try Self.check([Feature(id: "fixed", geometry: Geometry(type: "Polygon", coordinates: [[(fixed + [fixed[0]]).map { [Double($0.x), Double($0.y)] }]]))])
        #expect(verdict.invalid.isEmpty, "\(verdict.invalid.map(\.reason))")
    }

    /// Runs scripts/ref_validity.py on the features.
    static func check(_ features: [Feature]) throws -> Verdict {
        try runPythonReference("ref_validity.py", Scene(features: features), as: Verdict.self)
    }
}
