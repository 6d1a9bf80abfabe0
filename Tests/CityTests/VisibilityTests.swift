import Foundation
import PropertyBased
import Testing
@testable import City

@Suite struct VisibilityTests {
    @Test func openSectorHasTheSectorArea() throws {
        let e = try engine(cameras: [camera(0, 0, heading: 30, fov: 90, range: 50)])
        let area = try #require(e.visibility(of: "c")).polygon.area
        #expect(abs(area - .pi * 2500 / 4) < 0.2)  // inscribed arc at 0.5°: 1.3e-5 short
    }

    @Test func buildingHidesHalfTheSector() throws {
        // Sector north ±45°; a building from x = 0 to 30 at y = 10…20 hides everything right of
        // north beyond y = 10: only the triangle (0,0)-(0,10)-(10,10) is left on that side.
        let e = try engine(buildings: [building(0, 10, 30, 20)], cameras: [camera(0, 0, heading: 0, fov: 90, range: 100)])
        let area = try #require(e.visibility(of: "c")).polygon.area
        #expect(abs(area - (.pi * 10_000 / 8 + 50)) < 0.2)
        #expect(e.camerasSeeing(Point(x: 5, y: 50)) == [])
        #expect(e.camerasSeeing(Point(x: 5, y: 8)) == ["c"])
        #expect(e.camerasSeeing(Point(x: -5, y: 50)) == ["c"])
    }

    @Test func cameraInsideABuildingSeesNothing() throws {
        let e = try engine(buildings: [building(-5, -5, 5, 5)], courtyards: [rect(-50, -50, 50, 50)],
                           cameras: [camera(0, 0, heading: 0, fov: 360, range: 40)])
        #expect(try #require(e.visibility(of: "c")).polygon.isEmpty)
        #expect(e.report().city.courtyards.covered == 0)
        #expect(e.camerasSeeing(Point(x: 20, y: 0)) == [])
    }

    @Test func sectorAcross0And360() throws {
        // Heading 350 with 40° FOV spans bearings 330…10.
        let e = try engine(cameras: [camera(0, 0, heading: 350, fov: 40, range: 50)])
        let area = try #require(e.visibility(of: "c")).polygon.area
        #expect(abs(area - .pi * 2500 * 40 / 360) < 0.1)
        func at(_ bearing: Double) -> Point { Point.unit(bearingDegrees: bearing) * 30 }
        #expect(e.camerasSeeing(at(5)) == ["c"])
        #expect(e.camerasSeeing(at(335)) == ["c"])
        #expect(e.camerasSeeing(at(15)).isEmpty)
        #expect(e.camerasSeeing(at(325)).isEmpty)
        #expect(e.camerasSeeing(at(180)).isEmpty)
    }

    @Test func panoramicCameraWithAShadow() throws {
        // A 10 m wide building 10…20 m east: its shadow is a wedge cut out of the disc.
        let e = try engine(buildings: [building(10, -5, 20, 5)], cameras: [camera(0, 0, heading: 0, fov: 360, range: 30)])
        let v = try #require(e.visibility(of: "c")).polygon
        #expect(e.camerasSeeing(Point(x: -25, y: 0)) == ["c"])
        #expect(e.camerasSeeing(Point(x: 25, y: 0)).isEmpty)
        #expect(e.camerasSeeing(Point(x: 5, y: 0)) == ["c"])
        // Shadow = wedge of half-angle atan(0.5) beyond x = 10, minus nothing: disc minus
        // (sector of that wedge, radius 30) plus the triangle in front of the wall.
        let half = atan(0.5)
        let expected = .pi * 900 - half * 900 + 10 * 5
        #expect(abs(v.area - expected) < 0.2)
    }

    @Test func propertyNoBuildingMeansFullSector() async {
        await propertyCheck(count: 50, input: Gen.double(in: -720...720), Gen.double(in: 1...360), Gen.double(in: 1...80)) { h, fov, r in
            let e = try engine(cameras: [camera(0, 0, heading: h, fov: fov, range: r)])
            let area = try #require(e.visibility(of: "c")).polygon.area
            #expect(abs(area - .pi * r * r * fov / 360) < 1e-4 * .pi * r * r)
        }
    }
}
