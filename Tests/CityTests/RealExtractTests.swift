import Foundation
import Testing
@testable import City

/// Every extract in `../shared/data/osm/` imports, as real extracts come (data © OpenStreetMap
/// contributors, ODbL): broken features are skipped and named, streets cut at the edge keep
/// their pieces inside, and the PBF of Andorra gives the same city as its XML.
@Suite struct RealExtractTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var buildings: Int
        var streets: Int
        /// Features left out, each named in a warning ending in "; skipped".
        var skipped: Int
        /// Streets cut at the extract's edge whose pieces inside were kept.
        var cut: Int
        /// Warnings that must be among them (named features).
        var named: [String]
        var testDescription: String { file }
    }

    static let extracts: [Expected] = [
        Expected(file: "monaco.osm.gz", buildings: 966, streets: 860, skipped: 7, cut: 0,
                 named: ["relation 1369191: 1 of 2 member ways lie outside the extract; skipped",
                         "way 92627401: open way tagged as an area; skipped"]),
        // The building that is not closed in OSM itself (two, in fact).
        Expected(file: "andorra.osm.gz", buildings: 292, streets: 1611, skipped: 2, cut: 0,
                 named: ["way 195618500: building outline is not closed; skipped",
                         "way 195618527: building outline is not closed; skipped"]),
        Expected(file: "andorra.osm.pbf", buildings: 292, streets: 1612, skipped: 2, cut: 0,
                 named: ["way 195618500: building outline is not closed; skipped",
                         "way 195618527: building outline is not closed; skipped"]),
        // Cut by Osmosis with a bounding box: ways keep references to nodes outside it.
        Expected(file: "campo-grande.osm.gz", buildings: 102, streets: 4084, skipped: 45, cut: 146,
                 named: ["way 62277529: street cut at the extract's edge (6 of 13 nodes missing); kept 1 piece inside",
                         "way 91882682: street has no two consecutive nodes in the file (7 of 8 missing); skipped"]),
        Expected(file: "north-bayreuth.osm.gz", buildings: 4267, streets: 2056, skipped: 0, cut: 0, named: []),
        Expected(file: "bautzen.osm.gz", buildings: 17, streets: 60, skipped: 0, cut: 0, named: []),
    ]

    static func url(_ file: String) -> URL { monacoURL.deletingLastPathComponent().appendingPathComponent(file) }

    static func importExtract(_ file: String, options: ImportOptions = ImportOptions()) throws -> CityModel {
        let data = try #require(FileManager.default.contents(atPath: url(file).path), "\(url(file).path) is missing")
        return try OSMImporter.importCity(from: data, options: options)
    }

    @Test(arguments: extracts)
    func everySharedExtractImports(_ expected: Expected) throws {
        let city = try Self.importExtract(expected.file)
        #expect(city.buildings.count == expected.buildings)
        #expect(city.streets.count == expected.streets)
        #expect(city.skippedFeatures.count == expected.skipped, "\(city.skippedFeatures.prefix(20))")
        #expect(city.cutStreets.count == expected.cut)
        for w in expected.named { #expect(city.warnings.contains(w), "missing warning \(w)") }
        // Every warning names its feature first, the way a user finds it in OSM.
        for w in city.warnings {
            #expect(w.range(of: #"^(way|relation|node) [0-9]+: "#, options: .regularExpression) != nil, "\(w)")
        }
    }

    /// Campo Grande was cut at 20.6–20.4° S, 54.6–54.5° W: every street piece kept lies inside.
    @Test func streetsCutByOsmosisKeepOnlyTheirPiecesInside() throws {
        let city = try Self.importExtract("campo-grande.osm.gz")
        let cutSources = Set(city.cutStreets.map { String($0.prefix { $0 != ":" }) })
        let pieces = city.streets.filter { cutSources.contains($0.source) }
        #expect(pieces.count >= cutSources.count)
        for street in pieces {
            for p in street.line {
                let g = city.projection.unproject(p)
                #expect((-20.6000001 ... -20.3999999).contains(g.latitude) && (-54.6000001 ... -54.4999999).contains(g.longitude),
                        "\(street.source) has a point outside the box: \(g)")
            }
        }
        // way 62277529 has 13 nodes, 6 outside: the 7 inside are one run.
        let piece = try #require(city.streets.first { $0.source == "way 62277529" })
        #expect(piece.line.count == 7)
    }

    /// The XML and the PBF of Andorra are two exports of OSM a few edits apart: the PBF holds 259
    /// more nodes and 3 more ways (a mountain path and two streams, one of them the Riu de Cabana Sorda), the
    /// lake and one building have more corners, and a few names changed. On a common projection
    /// every building and street they share is the same to 10⁻⁶ m; the differences are exactly
    /// those edits.
    @Test func andorraXMLAndPBFGiveTheSameCity() throws {
        var options = ImportOptions()
        options.projectionOrigin = GeoCoordinate(latitude: 42.55, longitude: 1.6)
        let xml = try Self.importExtract("andorra.osm.gz", options: options)
        let pbf = try Self.importExtract("andorra.osm.pbf", options: options)
        #expect(xml.buildings.count == pbf.buildings.count)
        #expect(xml.courtyards.count == pbf.courtyards.count)
        #expect(xml.schoolGrounds.count == pbf.schoolGrounds.count)
        #expect(xml.streetLights.count == pbf.streetLights.count)
        #expect(xml.districts.count == pbf.districts.count)
        #expect(xml.warnings == pbf.warnings)

        // Buildings: the same, but for way 183060297 ("Encamp"), which gained a corner.
        #expect(xml.buildings.map(\.source) == pbf.buildings.map(\.source))
        for (a, b) in zip(xml.buildings, pbf.buildings) where a.source != "way 183060297" {
            #expect(Self.distance(a.footprint.rings, b.footprint.rings) <= 1e-6, "\(a.source)")
            #expect(a.height == b.height)
        }
        let encamp = try #require(pbf.buildings.first { $0.source == "way 183060297" })
        #expect(encamp.footprint.rings[0].count == xml.buildings.first { $0.source == "way 183060297" }!.footprint.rings[0].count + 1)

        // Streets: the PBF has one more (way 128167681, a mountain path); way 6185986 got its name.
        var pbfStreets = pbf.streets
        pbfStreets.removeAll { $0.source == "way 128167681" }
        #expect(pbfStreets.count == xml.streets.count)
        for (a, b) in zip(xml.streets, pbfStreets) {
            #expect(a.source == b.source)
            #expect(Self.distance([a.line], [b.line]) <= 1e-6, "\(a.source)")
            #expect(a.highwayClass == b.highwayClass && a.isMain == b.isMain)
            if a.source != "way 6185986" { #expect(a.name == b.name) }
        }
        #expect(pbf.streets.first { $0.source == "way 6185986" }?.name == "Av. de Joan Martí")

        // Courtyards (tagged and derived) and their open ground.
        for (a, b) in zip(xml.courtyards, pbf.courtyards) {
            #expect(a.origin == b.origin)
            #expect(Self.distance(a.area.rings, b.area.rings) <= 1e-6)
        }
    }

    /// The same elements written as PBF by the test writer (dense nodes, zlib blocks of 8,000)
    /// give exactly the city the XML gives: the formats differ only in their encoding.
    @Test func andorraXMLWrittenAsPBFIsTheSameCity() throws {
        let bytes = try #require(FileManager.default.contents(atPath: Self.url("andorra.osm.gz").path))
        let doc = try OSMImporter.document(from: [UInt8](bytes), options: ImportOptions())
        let pbf = PBFTestWriter().write(doc)
        #expect(pbf.count < bytes.count)
        #expect(try OSMImporter.importCity(from: pbf) == OSMImporter.importCity(from: bytes))
    }

    /// The largest distance between corresponding points, in metres (infinity when the shapes differ).
    static func distance(_ a: [[Point]], _ b: [[Point]]) -> Double {
        guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return .infinity }
        var d = 0.0
        for (ra, rb) in zip(a, b) {
            for (p, q) in zip(ra, rb) { d = max(d, abs(p.x - q.x), abs(p.y - q.y)) }
        }
        return d
    }
}
