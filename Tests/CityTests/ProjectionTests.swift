import PropertyBased
import Testing
@testable import City

@Suite struct ProjectionTests {
    @Test func roundTrip() async {
        await propertyCheck(input: Gen.double(in: -0.05...0.05), Gen.double(in: -0.05...0.05)) { dlat, dlon in
            let g = GeoCoordinate(latitude: 43.73 + dlat, longitude: 7.42 + dlon)
            let back = testProjection.unproject(testProjection.project(g))
            #expect(abs(back.latitude - g.latitude) < 1e-12)
            #expect(abs(back.longitude - g.longitude) < 1e-12)
        }
    }

    @Test func metresAtTheOrigin() {
        // One thousandth of a degree of latitude near 43.7° N is about 111.1 m.
        let p = testProjection.project(GeoCoordinate(latitude: 43.731, longitude: 7.421))
        #expect(abs(p.y - 111.1) < 0.2)
        #expect(abs(p.x - 80.5) < 0.2)
    }

    @Test func intervalAlgebra() async {
        await propertyCheck(input: Gen.double(in: 0...10), Gen.double(in: 0...10), Gen.double(in: 0...10), Gen.double(in: 0...10)) { a, b, c, d in
            let x = IntervalSet(union: [(min(a, b), max(a, b))])
            let y = IntervalSet(union: [(min(c, d), max(c, d))])
            let u = x.union(y).measure
            #expect(abs(u - (x.measure + y.measure - x.intersectionMeasure(y))) < 1e-9)
            #expect(abs(x.subtracting(y).measure - (x.measure - x.intersectionMeasure(y))) < 1e-9)
        }
    }
}
