import Foundation
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
