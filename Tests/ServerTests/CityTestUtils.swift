import Catalog
import CatalogSQLite
import CityServices
import Planning
import City
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import App
@testable import Server

/// A small hand-made city (GeoJSON, around 43.73° N 7.42° E; 1e-4° ≈ 8.0 m east–west, 11.1 m
/// north–south): one main street along y = 43.7300 from 7.4200 to 7.4220, a closed block of four
/// buildings around a tagged courtyard north of the street, one school ground, one lamp, one district.
enum CityFixture {
    static let geojson = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "properties": {"aula:kind": "district", "name": "Nord"},
           "geometry": {"type": "Polygon", "coordinates": [[[7.4195, 43.7295], [7.4225, 43.7295], [7.4225, 43.7315], [7.4195, 43.7315], [7.4195, 43.7295]]]}},
          {"type": "Feature", "properties": {"highway": "tertiary", "name": "Rue Test"},
           "geometry": {"type": "LineString", "coordinates": [[7.4200, 43.7300], [7.4220, 43.7300]]}},
          {"type": "Feature", "properties": {"highway": "residential"},
           "geometry": {"type": "LineString", "coordinates": [[7.4200, 43.7300], [7.4200, 43.7310]]}},
          {"type": "Feature", "properties": {"building": "yes"},
           "geometry": {"type": "Polygon", "coordinates": [[[7.4205, 43.7302], [7.4215, 43.7302], [7.4215, 43.7303], [7.4205, 43.7303], [7.4205, 43.7302]]]}},
          {"type": "Feature", "properties": {"building": "yes"},
           "geometry": {"type": "Polygon", "coordinates": [[[7.4205, 43.7307], [7.4215, 43.7307], [7.4215, 43.7308], [7.4205, 43.7308], [7.4205, 43.7307]]]}},
          {"type": "Feature", "properties": {"building": "yes"},
           "geometry": {"type": "Polygon", "coordinates": [[[7.4205, 43.7303], [7.4206, 43.7303], [7.4206, 43.7307], [7.4205, 43.7307], [7.4205, 43.7303]]]}},
          {"type": "Feature", "properties": {"building": "yes"},
           "geometry": {"type": "Polygon", "coordinates": [[[7.4214, 43.7303], [7.4215, 43.7303], [7.4215, 43.7307], [7.4214, 43.7307], [7.4214, 43.7303]]]}},
          {"type": "Feature", "id": "yard-1", "properties": {"aula:kind": "courtyard"},
           "geometry": {"type": "Polygon", "coordinates": [[[7.4206, 43.7303], [7.4214, 43.7303], [7.4214, 43.7307], [7.4206, 43.7307], [7.4206, 43.7303]]]}},
          {"type": "Feature", "properties": {"amenity": "school", "name": "School 1"},
           "geometry": {"type": "Polygon", "coordinates": [[[7.4216, 43.7290], [7.4220, 43.7290], [7.4220, 43.7294], [7.4216, 43.7294], [7.4216, 43.7290]]]}},
          {"type": "Feature", "properties": {"highway": "street_lamp"}, "geometry": {"type": "Point", "coordinates": [7.4210, 43.7300]}}
        ]}
        """

    /// The same file with the courtyard ring left open: the import must fail naming feature 7.
    static var broken: String {
        geojson.replacingOccurrences(of: "[7.4214, 43.7307], [7.4206, 43.7307], [7.4206, 43.7303]]]}}",
                                     with: "[7.4214, 43.7307], [7.4206, 43.7307], [7.4207, 43.7303]]]}}")
    }

    static func write(_ text: String, name: String = "city.geojson") throws -> String {
        let path = temporaryDirectory() + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// The Monaco extract next to the repository (`../shared/data/osm/monaco.osm.gz`).
let monacoPath: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/osm/monaco.osm.gz").path

func cityServer(data: String = temporaryDirectory()) async throws -> AulaApp {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    var configuration = ServerConfiguration(dataDirectory: data)
    configuration.auth = testAuthConfiguration()
    let server = try await openApp(configuration: configuration, logger: logger)
    try addTestAdministrator(to: server)
    return server
}

/// A camera to register (the recorder only retries it in the background).
func testCamera(_ name: String, lat: Double, lon: Double, heading: Double, fov: Double = 90, range: Double = 40) -> Camera {
    Camera(name: name, rtspURL: "rtsp://127.0.0.1:1/\(name)", latitude: lat, longitude: lon, heading: heading,
           fieldOfView: fov, range: range)
}

extension Dictionary where Key == String, Value == Any {
    func double(_ path: String) -> Double? {
        var current: Any? = self
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return (current as? Double) ?? (current as? Int).map(Double.init)
    }
}

func fields(_ json: [String: Any]) -> Set<String> {
    Set((json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
}

extension CityStore {
    /// The city documents in the embedded catalogue of a data folder.
    init(dataDirectory: String) throws {
        self.init(try AulaCatalog.openSQLite(directory: dataDirectory))
    }
}

extension CityImport {
    @discardableResult
    static func importCity(file: String, name: String, dataDirectory: String) async throws -> CityStore.StoredCity {
        try await importCity(file: file, name: name, into: CityStore(dataDirectory: dataDirectory))
    }

    @discardableResult
    static func importOffences(csvFile: String, mappingFile: String, dataDirectory: String, replace: Bool = false) async throws -> (added: Int, total: Int) {
        try await importOffences(csvFile: csvFile, mappingFile: mappingFile, into: CityStore(dataDirectory: dataDirectory), replace: replace)
    }

    @discardableResult
    static func generateSyntheticOffences(dataDirectory: String) async throws -> SyntheticOffences.Scenario {
        try await generateSyntheticOffences(into: CityStore(dataDirectory: dataDirectory))
    }
}
