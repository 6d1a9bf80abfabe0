import Foundation
import PropertyBased
import Randomness
import Testing
@testable import City

@Suite struct CoverageTests {
    @Test func squareCourtyardFullyCovered() throws {
        let e = try engine(courtyards: [rect(0, 0, 20, 20)], cameras: [camera(10, 10, heading: 0, fov: 360, range: 100)])
        let m = e.report().city.courtyards
        #expect(abs(m.total - 400) < 1e-9)
        #expect(abs(m.covered - 400) < 1e-9)
        #expect(m.coveredPercent == 100)
    }

    @Test func courtyardQuarterDisc() throws {
        // From the corner, looking diagonally in: a quarter disc of radius 20 inside a 20 × 20 yard.
        let e = try engine(courtyards: [rect(0, 0, 20, 20)], cameras: [camera(0, 0, heading: 45, fov: 90, range: 20)])
        let m = e.report().city.courtyards
        #expect(abs(m.covered - .pi * 100) < 0.2)
    }

    @Test func buildingsInsideACourtyardAreNotGround() throws {
        let e = try engine(buildings: [building(5, 5, 10, 10)], courtyards: [rect(0, 0, 20, 20)],
                           cameras: [camera(-1, -1, heading: 45, fov: 90, range: 200)])
        let m = e.report().city.courtyards
        #expect(abs(m.total - 375) < 1e-9)
        // Everything except the shadow: the rays through (10,5) and (5,10) leave the yard at
        // (20, 10 5/11) and (10 5/11, 20), so the shadow is the hexagon (10,5) (20,115/11) (20,20)
        // (115/11,20) (5,10) (10,10), of area 1600/11.
        #expect(abs(m.covered - (375 - 1600.0 / 11)) < 0.3)
    }

    @Test func streetLengthPerDistrictAndLighting() throws {
        let street = [Point(x: -100, y: 0), Point(x: 100, y: 0)]
        let left = rect(-200, -200, 0, 200)
        let right = rect(0, -200, 200, 200)
        // Looking straight down at the street from 5 m: sees |x| ≤ 5.
        var e = try engine(streets: [street], districts: [left, right], lamps: [Point(x: 50, y: 0)],
                           cameras: [camera(0, 5, heading: 180, fov: 90, range: 50)])
        var r = e.report()
        #expect(abs(r.city.mainStreets.total - 200) < 1e-9)
        #expect(abs(r.city.mainStreets.covered - 10) < 1e-9)
        #expect(abs(r.districts[0].figures.mainStreets.covered - 5) < 1e-9)
        #expect(abs(r.districts[1].figures.mainStreets.total - 100) < 1e-9)
        #expect(abs(r.city.mainStreets.lit - 50) < 1e-9)
        #expect(r.city.mainStreets.coveredLit == 0)
        #expect(r.outsideDistricts.mainStreets.total == 0)

        // Move the camera under the lamp: the incremental update sees 10 m of lit street.
        try e.upsertCamera(camera(50, 5, heading: 180, fov: 90, range: 50))
        r = e.report()
        #expect(abs(r.city.mainStreets.coveredLit - 10) < 1e-9)
        #expect(abs(r.districts[1].figures.mainStreets.covered - 10) < 1e-9)
        #expect(r.districts[0].figures.mainStreets.covered == 0)
        let removed = e.removeCamera("c")
        #expect(removed)
        #expect(e.report().city.mainStreets.covered == 0)
    }

    @Test func buildingBlocksAStreet() throws {
        // A wall between camera and street hides the street behind it.
        let e = try engine(buildings: [building(-50, 2, 50, 3)], streets: [[Point(x: -100, y: 0), Point(x: 100, y: 0)]],
                           cameras: [camera(0, 5, heading: 180, fov: 90, range: 50)])
        #expect(e.report().city.mainStreets.covered == 0)
    }

    @Test func litCourtyard() throws {
        let e = try engine(courtyards: [rect(0, 0, 100, 100)], lamps: [Point(x: 0, y: 0)],
                           cameras: [camera(50, 50, heading: 0, fov: 360, range: 200)])
        let m = e.report().city.courtyards
        #expect(abs(m.lit - .pi * 625 / 4) < 1)
        #expect(abs(m.coveredLit - m.lit) < 1e-9)
        #expect(abs(m.coveredUnlit - (10_000 - m.lit)) < 1e-6)
    }

    @Test func validationNamesTheField() {
        func field(_ spec: CameraViewSpec) -> String? {
            do { try spec.validate(); return nil } catch { return error.field }
        }
        #expect(field(camera(0, 0, heading: 0, fov: 90, range: 0)) == "range")
        #expect(field(camera(0, 0, heading: 0, fov: 0, range: 10)) == "fieldOfView")
        #expect(field(camera(0, 0, heading: 0, fov: 361, range: 10)) == "fieldOfView")
        #expect(field(camera(0, 0, heading: .nan, fov: 90, range: 10)) == "heading")
        #expect(field(camera(0, 0, heading: 0, fov: 360, range: 10)) == nil)
        var e = CoverageEngine(city: CityModel(projection: testProjection))
        #expect(throws: CameraSpecError.self) { try e.upsertCamera(camera(0, 0, heading: 0, fov: 90, range: -1)) }
        #expect(e.cameraIDs.isEmpty)
    }

    /// Moving cameras one at a time must give exactly what a full recomputation gives.
    @Test func incrementalMatchesFull() async throws {
        var buildings: [Building] = []
        var streets: [[Point]] = []
        var yards: [[Point]] = []
        for i in 0..<6 {
            for j in 0..<6 {
                let x = Double(i) * 40
                let y = Double(j) * 40
                buildings.append(building(x + 5, y + 5, x + 15, y + 30))
                yards.append(rect(x + 18, y + 5, x + 33, y + 30))
            }
            streets.append([Point(x: Double(i) * 40, y: -10), Point(x: Double(i) * 40, y: 250)])
        }
        let districts = [rect(-50, -50, 100, 300), rect(100, -50, 300, 300)]
        await propertyCheck(count: 10, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            func randomCamera(_ id: String) -> CameraViewSpec {
                let x = rng.unit() * 240
                let y = rng.unit() * 240
                let heading = rng.unit() * 360
                let fov = rng.unit() < 0.2 ? 360 : 30 + rng.unit() * 100
                return camera(x, y, heading: heading, fov: fov, range: 10 + rng.unit() * 50, id: id)
            }
            var cams = (0..<20).map { randomCamera("c\($0)") }
            var e = try engine(buildings: buildings, streets: streets, courtyards: yards, districts: districts, cameras: cams)
            for k in [3, 7, 3, 15] {
                cams[k] = randomCamera("c\(k)")
                try e.upsertCamera(cams[k])
            }
            let full = try engine(buildings: buildings, streets: streets, courtyards: yards, districts: districts, cameras: cams)
            let a = e.report()
            let b = full.report()
            for (x, y) in zip([a.city] + a.districts.map(\.figures), [b.city] + b.districts.map(\.figures)) {
                #expect(abs(x.mainStreets.covered - y.mainStreets.covered) < 1e-6)
                #expect(abs(x.courtyards.covered - y.courtyards.covered) < 1e-6)
            }
        }
    }
}
