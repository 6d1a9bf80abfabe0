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
