import City
import Foundation

/// The dispatch rule (docs/guards.md): of the guards who are on duty, know where they are, hold
/// no other incident and have not passed this one by, the nearest **by walking route over the
/// imported city's streets and paths** is offered it; straight-line distance is used only when no
/// city is imported, or for a guard or a place too far from every street to be routed.
public enum Dispatcher {
    public struct Candidate: Sendable, Equatable {
        public var guardName: String
        public var latitude: Double
        public var longitude: Double

        public init(guardName: String, latitude: Double, longitude: Double) {
            self.guardName = guardName
            self.latitude = latitude
            self.longitude = longitude
        }
    }

    public struct Ranked: Sendable, Equatable {
        public var guardName: String
        /// Metres: by route when `routed`, else in a straight line.
        public var distance: Double
        public var routed: Bool
    }

    /// Candidates nearest first: those with a route before those without (each by their distance),
    /// ties by name so that the order is the same on every node.
    public static func rank(latitude: Double, longitude: Double, candidates: [Candidate], city: RoutingCity?) -> [Ranked] {
        let place = GeoCoordinate(latitude: latitude, longitude: longitude)
        let straightProjection = LocalProjection(origin: place)
        var routedDistances: [Double?] = candidates.map { _ in nil }
        if let city {
            let origin = city.projection.project(place)
            routedDistances = city.graph.distances(from: origin, to: candidates.map {
                city.projection.project(GeoCoordinate(latitude: $0.latitude, longitude: $0.longitude))
            })
        }
        let ranked = zip(candidates, routedDistances).map { candidate, routed -> Ranked in
            if let routed { return Ranked(guardName: candidate.guardName, distance: routed, routed: true) }
            let p = straightProjection.project(GeoCoordinate(latitude: candidate.latitude, longitude: candidate.longitude))
            return Ranked(guardName: candidate.guardName, distance: (p.x * p.x + p.y * p.y).squareRoot(), routed: false)
        }
        return ranked.sorted {
            if $0.routed != $1.routed { return $0.routed }
            if $0.distance != $1.distance { return $0.distance < $1.distance }
            return $0.guardName < $1.guardName
        }
    }
}

/// An imported city ready for routing: its projection and its walking graph, built once per
/// revision of the city (``GuardService`` keeps it).
public struct RoutingCity: Sendable {
    public var projection: LocalProjection
    public var graph: WalkingGraph

    public init(model: CityModel) {
        projection = model.projection
        graph = WalkingGraph(streets: model.streets)
    }

    public init(projection: LocalProjection, graph: WalkingGraph) {
        self.projection = projection
        self.graph = graph
    }
}
