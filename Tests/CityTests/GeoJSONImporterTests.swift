import Foundation
import Testing
@testable import City

@Suite struct GeoJSONImporterTests {
    @Test func importsFeaturesByTagsAndKind() throws {
        let json = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"building": "yes", "building:levels": 5},
               "geometry": {"type": "Polygon", "coordinates": [[[7.42, 43.73], [7.4201, 43.73], [7.4201, 43.7301], [7.42, 43.73]]]}},
              {"type": "Feature", "properties": {"highway": "tertiary"},
               "geometry": {"type": "LineString", "coordinates": [[7.41, 43.72], [7.43, 43.74]]}},
              {"type": "Feature", "properties": {"aula:kind": "district", "name": "Nord"},
               "geometry": {"type": "MultiPolygon", "coordinates": [[[[7.41, 43.72], [7.43, 43.72], [7.43, 43.74], [7.41, 43.72]]]]}},
              {"type": "Feature", "properties": {"highway": "street_lamp"}, "geometry": {"type": "Point", "coordinates": [7.42, 43.73]}}
            ]}
            """
        let city = try GeoJSONImporter.importCity(from: Array(json.utf8))
        #expect(city.buildings.first?.height == 15)
        #expect(city.streets.first?.isMain == true)
        #expect(city.districts.first?.name == "Nord")
        #expect(city.streetLights.count == 1)
    }

    @Test func unclosedRingNamesTheFeature() {
        let json = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [7.42, 43.73]}},
              {"type": "Feature", "id": "yard-2", "properties": {"aula:kind": "courtyard"},
               "geometry": {"type": "Polygon", "coordinates": [[[7.42, 43.73], [7.4201, 43.73], [7.4201, 43.7301], [7.4202, 43.73]]]}}
            ]}
            """
        #expect(throws: ImportError(element: "feature 1 (id yard-2)", reason: "polygon ring 0 is not closed")) {
            try GeoJSONImporter.importCity(from: Array(json.utf8))
        }
    }

    /// Found by fuzzing (Fuzz/, target geojson): one corner of a building 2,500 km away made the
    /// import fill a grid of 300 million cells, until the process ran out of memory. Such a
    /// feature is now refused by name, and so is a building wider than any real one.
    @Test func farAwayOrHugeFeaturesAreRefused() throws {
        func building(_ ring: String) -> [UInt8] {
            Array("""
                {"type": "FeatureCollection", "features": [{"type": "Feature", "id": 0, "properties": {"building": "yes"},
                  "geometry": {"type": "Polygon", "coordinates": [\(ring)]}}]}
                """.utf8)
        }
        var quick = ImportOptions()
        quick.deriveEnclosedCourtyards = false  // so that the old code returned at once instead of filling the grid
        let far = building("[[67.709, 47.779], [67.712, 47.779], [67.712, 47.781], [34.7102, 47.7802], [67.709, 47.779]]")
        let error = try #require(throws: ImportError.self) { try GeoJSONImporter.importCity(from: far, options: quick) }
        #expect(error.element == "feature 0 (id 0)")
        #expect(error.reason.contains("km from the city's centre"))
        #expect(throws: ImportError.self) { try GeoJSONImporter.importCity(from: far) }
        let huge = building("[[67.70, 47.779], [67.75, 47.779], [67.75, 47.781], [67.70, 47.779]]")  // 3.7 km
        #expect(throws: ImportError(element: "feature 0 (id 0)", reason: "building outline spans 3747 m; no building is wider than 3000 m")) {
            try GeoJSONImporter.importCity(from: huge, options: quick)
        }
        let district = Array("""
            {"type": "Feature", "properties": {"name": "Far"},
             "geometry": {"type": "Polygon", "coordinates": [[[67.7, 47.7], [67.8, 47.7], [67.8, 49.7], [67.7, 47.7]]]}}
            """.utf8)
        #expect(throws: ImportError.self) {
            try GeoJSONImporter.districts(from: district, projection: LocalProjection(origin: GeoCoordinate(latitude: 47.7, longitude: 67.7)))
        }
    }

    @Test func brokenJSONIsRefused() {
        #expect(throws: ImportError.self) { try GeoJSONImporter.importCity(from: Array("{\"type\": ".utf8)) }
    }

    @Test func userDrawnDistricts() throws {
        let json = """
            {"type": "Feature", "properties": {"name": "Pilot"},
             "geometry": {"type": "Polygon", "coordinates": [[[7.42, 43.73], [7.421, 43.73], [7.421, 43.731], [7.42, 43.73]]]}}
            """
        let d = try GeoJSONImporter.districts(from: Array(json.utf8), projection: testProjection)
        #expect(d.map(\.name) == ["Pilot"])
        #expect(d[0].area.area > 0)
    }
}
