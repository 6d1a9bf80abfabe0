import Foundation
import Motion
import Testing

@Suite struct ZoneTests {
    func error(_ body: () throws -> Void) -> MotionError? {
        do { try body(); return nil } catch let e as MotionError { return e } catch { return nil }
    }

    @Test func rejectsTooFewPoints() {
        let e = error { _ = try ZonePolygon([.init(x: 0, y: 0), .init(x: 1, y: 1)], field: "zones[0].polygon") }
        #expect(e?.subject == "zones[0].polygon")
        #expect(e?.reason.contains("at least 3") == true)
    }

    @Test func rejectsCoordinatesOutsideTheImage() {
        let e = error { _ = try ZonePolygon([.init(x: 0, y: 0), .init(x: 1.5, y: 0), .init(x: 1, y: 1)], field: "zones[2].polygon") }
        #expect(e?.subject == "zones[2].polygon[1].x")
        #expect(e?.isInvalidConfiguration == true)
        let nan = error { _ = try ZonePolygon([.init(x: 0, y: 0), .init(x: 1, y: .nan), .init(x: 1, y: 1)]) }
        #expect(nan?.subject == "polygon[1].y")
    }

    @Test func rejectsSelfCrossingAndFlatPolygons() {
        let bowtie = error { _ = try ZonePolygon([.init(x: 0, y: 0), .init(x: 1, y: 1), .init(x: 1, y: 0), .init(x: 0, y: 1)]) }
        #expect(bowtie?.reason.contains("cross") == true)
        let flat = error { _ = try ZonePolygon([.init(x: 0, y: 0), .init(x: 0.5, y: 0.5), .init(x: 1, y: 1)]) }
        #expect(flat?.reason.contains("no area") == true)
    }

    @Test func containsAndRasterAgree() throws {
        let polygon = try ZonePolygon([.init(x: 0.1, y: 0.1), .init(x: 0.9, y: 0.2), .init(x: 0.5, y: 0.5), .init(x: 0.8, y: 0.9), .init(x: 0.15, y: 0.8)])
        let mask = PixelMask(polygon, width: 97, height: 61)
        var disagreements = 0
        for y in 0..<61 {
            for x in 0..<97 {
                let inside = polygon.contains(.init(x: (Double(x) + 0.5) / 97, y: (Double(y) + 0.5) / 61))
                if inside != mask[x, y] { disagreements += 1 }
            }
        }
        #expect(disagreements == 0)
        // The raster's share of pixels approximates the polygon's area.
        #expect(abs(Double(mask.count) / Double(97 * 61) - polygon.area) < 0.02)
    }

    @Test func configurationNamesTheBadZone() throws {
        let ok = Zone(name: "entrance", kind: .alert, polygon: rect(0, 0, 0.5, 0.5))
        let dup = Zone(name: "entrance", kind: .ignore, polygon: rect(0.5, 0.5, 1, 1))
        let e = error { _ = try MotionConfiguration(zones: [ok, dup]) }
        #expect(e?.subject == "zones[1].name")
        let tiny = Zone(name: "dot", kind: .alert, polygon: rect(0.5, 0.5, 0.51, 0.51))
        #expect(error { _ = try MotionConfiguration(zones: [tiny]) }?.subject == "zones[0].polygon")
        var settings = MotionSettings()
        settings.sensitivity = 0
        #expect(error { _ = try MotionConfiguration(settings: settings) }?.subject == "settings.sensitivity")
    }

    @Test func evaluationZonesAreValid() throws {
        _ = try MotionEvaluationSetup.configuration()
    }

    @Test func decodingValidatesAndNamesTheField() throws {
        let json = """
        {"settings": {"sensitivity": 60, "minimumObjectArea": 0.002, "minimumDuration": 0.8, "endAfter": 2,
                      "analysisFPS": 5, "analysisWidth": 320, "backgroundAdaptation": 8},
         "zones": [
           {"name": "door", "kind": "alert", "polygon": {"points": [{"x": 0, "y": 0}, {"x": 0.5, "y": 0}, {"x": 0.5, "y": 0.5}]},
            "schedule": {"windows": []}},
           {"name": "tree", "kind": "ignore", "polygon": {"points": [{"x": 0, "y": 0}, {"x": 2, "y": 0}, {"x": 1, "y": 1}]},
            "schedule": {"windows": []}}
         ]}
        """
        let e = error { _ = try JSONDecoder().decode(MotionConfiguration.self, from: Data(json.utf8)) }
        #expect(e?.subject == "zones[1].polygon[1].x")
        let badSchedule = json.replacingOccurrences(of: #""windows": []}}"#, with: #""windows": [{"start": 1320, "end": 2000, "weekdays": []}]}}"#)
        #expect(error { _ = try JSONDecoder().decode(MotionConfiguration.self, from: Data(badSchedule.utf8)) }?.subject == "zones[0].schedule[0].end")
    }

    @Test func zonesRoundTripThroughJSON() throws {
        let configuration = try MotionEvaluationSetup.configuration()
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(MotionConfiguration.self, from: data) == configuration)
    }
}
