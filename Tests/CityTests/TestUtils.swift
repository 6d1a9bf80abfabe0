import Foundation
import Testing
@testable import City

/// An axis-aligned rectangle ring.
func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [Point] {
    [Point(x: x0, y: y0), Point(x: x1, y: y0), Point(x: x1, y: y1), Point(x: x0, y: y1)]
}

func building(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Building {
    Building(source: "test", footprint: Polygon(ring: rect(x0, y0, x1, y1)), height: 10)
}

func camera(_ x: Double, _ y: Double, heading: Double, fov: Double, range: Double, id: String = "c") -> CameraViewSpec {
    CameraViewSpec(id: id, position: .local(Point(x: x, y: y)), heading: heading, fieldOfView: fov, range: range)
}

let testProjection = LocalProjection(origin: GeoCoordinate(latitude: 43.73, longitude: 7.42))

/// An engine over a hand-made city.
func engine(buildings: [Building] = [], streets: [[Point]] = [], courtyards: [[Point]] = [], districts: [[Point]] = [],
            lamps: [Point] = [], cameras: [CameraViewSpec] = []) throws -> CoverageEngine {
    let city = CityModel(
        projection: testProjection, buildings: buildings,
        streets: streets.map { Street(source: "test", name: nil, highwayClass: "primary", isMain: true, line: $0) },
        courtyards: courtyards.map { Courtyard(source: "test", origin: .tagged, area: Polygon(ring: $0)) },
        streetLights: lamps.map { StreetLight(source: "test", position: $0) },
        districts: districts.enumerated().map { District(source: "test", name: "d\($0.offset)", area: Polygon(ring: $0.element)) })
    var e = CoverageEngine(city: city)
    try e.setCameras(cameras)
    return e
}

/// The package root, found from this file's path (Tests/CityTests/TestUtils.swift).
let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shared Monaco extract beside the clone (CI copies shared/ there).
let monacoURL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/osm/monaco.osm.gz")

/// Writes `input` as JSON, runs `python3 scripts/<script> in.json out.json` and decodes out.json.
/// Fails (never skips) when python3 or shapely is missing, saying how to install them.
func runPythonReference<In: Encodable, Out: Decodable>(_ script: String, _ input: In, as: Out.Type) throws -> Out {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aula-city-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let inURL = dir.appendingPathComponent("in.json")
    let outURL = dir.appendingPathComponent("out.json")
    try JSONEncoder().encode(input).write(to: inURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/\(script)").path, inURL.path, outURL.path]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0,
                 "\(script) failed (\(process.terminationStatus)); python3 and shapely are required: python3 -m pip install -r scripts/requirements-test.txt\n\(stderr)")
    return try JSONDecoder().decode(Out.self, from: Data(contentsOf: outURL))
}
