import City
import Foundation
import Guards
import Testing

/// The dispatch rule on a town with a river: two banks, one bridge far downstream.
@Suite struct DispatchRuleTests {
    static let projection = LocalProjection(origin: GeoCoordinate(latitude: 47.79, longitude: 67.71))

    /// North bank street at y = +20, south bank at y = -20, from x = -1000 to 1000; one bridge at x = 800.
    static func riverTown() -> RoutingCity {
        func street(_ points: [(Double, Double)]) -> Street {
            Street(source: "test", name: nil, highwayClass: "residential", isMain: false, line: points.map { Point(x: $0.0, y: $0.1) })
        }
        let streets = [
            street(stride(from: -1000.0, through: 1000, by: 100).map { ($0, 20) }),
            street(stride(from: -1000.0, through: 1000, by: 100).map { ($0, -20) }),
            street([(800, 20), (800, -20)]),
        ]
        return RoutingCity(projection: projection, graph: WalkingGraph(streets: streets))
    }

    static func candidate(_ name: String, _ x: Double, _ y: Double) -> Dispatcher.Candidate {
        let g = projection.unproject(Point(x: x, y: y))
        return Dispatcher.Candidate(guardName: name, latitude: g.latitude, longitude: g.longitude)
    }

    @Test func theNearerByTheStreetsIsOfferedNotTheNearerInAStraightLine() throws {
        let place = Self.projection.unproject(Point(x: 0, y: 25))
        let across = Self.candidate("across-the-river", 0, -25)   // 50 m away in a straight line
        let along = Self.candidate("along-the-bank", 300, 25)      // 300 m away in a straight line
        let byRoute = Dispatcher.rank(latitude: place.latitude, longitude: place.longitude, candidates: [across, along], city: Self.riverTown())
        #expect(byRoute.map(\.guardName) == ["along-the-bank", "across-the-river"])
        #expect(byRoute.allSatisfy { $0.routed })
        // Along the bank: 5 m to the street, 300 m along it, 5 m off it.
        #expect(abs(byRoute[0].distance - 310) < 0.01)
        // Across: 5 m, 800 m to the bridge, 40 m over it, 800 m back, 5 m.
        #expect(abs(byRoute[1].distance - 1650) < 0.01)
        // Without a city the straight line decides.
        let straight = Dispatcher.rank(latitude: place.latitude, longitude: place.longitude, candidates: [across, along], city: nil)
        #expect(straight.map(\.guardName) == ["across-the-river", "along-the-bank"])
        #expect(straight.allSatisfy { !$0.routed })
        #expect(abs(straight[0].distance - 50) < 0.5)
    }

    @Test func aGuardFarFromEveryStreetComesAfterTheRoutedOnesByStraightLine() {
        let place = Self.projection.unproject(Point(x: 0, y: 25))
        let lost = Self.candidate("in-a-field", 0, 900)        // 875 m from the place, far from every street
        let far = Self.candidate("far-on-the-bank", -900, 25)
        let ranked = Dispatcher.rank(latitude: place.latitude, longitude: place.longitude, candidates: [lost, far], city: Self.riverTown())
        #expect(ranked.map(\.guardName) == ["far-on-the-bank", "in-a-field"])
        #expect(ranked.map(\.routed) == [true, false])
    }

    @Test func routesFollowTheStreetsAndMeasureWhatTheyDraw() throws {
        let town = Self.riverTown()
        let route = try #require(town.graph.route(from: Point(x: 0, y: -25), to: Point(x: 0, y: 25)))
        #expect(abs(route.length - 1650) < 0.01)
        let drawn = zip(route.line, route.line.dropFirst()).reduce(0) { $0 + $1.0.distance(to: $1.1) }
        #expect(abs(drawn - route.length) < 1e-6)
        #expect(route.line.contains(Point(x: 800, y: 20)) && route.line.contains(Point(x: 800, y: -20)))
        // Distances are symmetric.
        let there = try #require(town.graph.distances(from: Point(x: -450, y: 10), to: [Point(x: 620, y: -33)])[0])
        let back = try #require(town.graph.distances(from: Point(x: 620, y: -33), to: [Point(x: -450, y: 10)])[0])
        #expect(abs(there - back) < 1e-6)
    }

    @Test func disconnectedPartsAreNotReachable() {
        let island = Street(source: "t", name: nil, highwayClass: "footway", isMain: false, line: [Point(x: 0, y: 0), Point(x: 100, y: 0)])
        let mainland = Street(source: "t", name: nil, highwayClass: "footway", isMain: false, line: [Point(x: 0, y: 250), Point(x: 100, y: 250)])
        let graph = WalkingGraph(streets: [island, mainland])
        let found = graph.distances(from: Point(x: 50, y: 5), to: [Point(x: 50, y: 245), Point(x: 90, y: 1)])
        #expect(found[0] == nil)
        // 5 m to the street, 40 m along it, 1 m off it.
        #expect(abs((found[1] ?? -1) - 46) < 1e-9)
        // A place farther than the join limit from every street is not routed at all.
        #expect(graph.distances(from: Point(x: 50, y: 5000), to: [Point(x: 90, y: 1)]) == [nil])
    }
}
