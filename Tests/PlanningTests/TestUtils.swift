import City
import Foundation
import Testing
@testable import Planning

let testProjection = LocalProjection(origin: GeoCoordinate(latitude: 43.73, longitude: 7.42))

/// The package root, found from this file's path (Tests/PlanningTests/TestUtils.swift).
let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct ReferenceFailure: Error, CustomStringConvertible {
    var description: String
}

/// Writes `input` as JSON, runs `scripts/planning_reference.py <command>` and decodes its answer.
/// Throws (so the test fails, never skips) when python3 or a package is missing; the message says
/// how to install them.
func runReference<In: Encodable, Out: Decodable>(_ command: String, _ input: In, as: Out.Type) throws -> Out {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aula-planning-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let inURL = dir.appendingPathComponent("in.json")
    let outURL = dir.appendingPathComponent("out.json")
    try JSONEncoder().encode(input).write(to: inURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/planning_reference.py").path, command,
                         inURL.path, outURL.path]
    let errPipe = Pipe()
    process.standardError = errPipe
    try process.run()
    let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ReferenceFailure(description: """
            planning_reference.py \(command) failed (status \(process.terminationStatus)); install the peers with \
            `python3 -m pip install -r scripts/requirements-test.txt`:
            \(String(decoding: errData, as: UTF8.self).suffix(2000))
            """)
    }
    return try JSONDecoder().decode(Out.self, from: Data(contentsOf: outURL))
}

/// A tiny city: a row of buildings along a main street, a courtyard behind them.
func tinyCity() -> CityModel {
    func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Polygon {
        Polygon(ring: [Point(x: x0, y: y0), Point(x: x1, y: y0), Point(x: x1, y: y1), Point(x: x0, y: y1)])
    }
    return CityModel(
        projection: testProjection,
        buildings: [Building(source: "b1", footprint: rect(0, 10, 40, 30), height: 10),
                    Building(source: "b2", footprint: rect(60, 10, 100, 30), height: 10)],
        streets: [Street(source: "s1", name: "Rue Grimaldi", highwayClass: "primary", isMain: true,
                         line: [Point(x: -20, y: 0), Point(x: 120, y: 0)]),
                  Street(source: "s2", name: "Boulevard Albert 1er", highwayClass: "residential", isMain: false,
                         line: [Point(x: 50, y: 0), Point(x: 50, y: 60)])],
        courtyards: [Courtyard(source: "c1", origin: .tagged, area: rect(0, 35, 100, 60))],
        districts: [District(source: "d1", name: "West", area: rect(-50, -50, 50, 100)),
                    District(source: "d2", name: "East", area: rect(50, -50, 150, 100))])
}
