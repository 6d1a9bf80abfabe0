import Foundation

/// Maps WGS84 degrees to metres on a plane tangent to the city (and back).
///
/// An equirectangular projection around `origin`, scaled with the WGS84 ellipsoid's radii of
/// curvature at the origin's latitude: `x = N cos φ₀ · Δλ`, `y = M · Δφ`. Distances are exact at the
/// origin; the scale error grows with the north–south distance `d` from it as about
/// `tan φ₀ · d / R` in x (0.02 % at 1 km and 0.15 % at 10 km for φ₀ ≈ 44°) and second-order in y,
/// well below what coverage percentages can show for a city. See docs/coverage.md.
public struct LocalProjection: Sendable, Hashable, Codable {
    /// The point that maps to (0, 0).
    public let origin: GeoCoordinate
    /// Metres per radian of latitude at the origin (meridional radius M).
    let metresPerRadianNorth: Double
    /// Metres per radian of longitude at the origin (N cos φ₀).
    let metresPerRadianEast: Double

    /// Creates the projection centred on `origin`.
    public init(origin: GeoCoordinate) {
        self.origin = origin
        let a = 6_378_137.0  // WGS84 semi-major axis
        let f = 1 / 298.257_223_563
        let e2 = f * (2 - f)
        let phi = origin.latitude * .pi / 180
        let s2 = sin(phi) * sin(phi)
        let w = (1 - e2 * s2).squareRoot()
        metresPerRadianNorth = a * (1 - e2) / (w * w * w)
        metresPerRadianEast = a / w * cos(phi)
    }

    /// Local metres of a geographic position.
    public func project(_ g: GeoCoordinate) -> Point {
        Point(
            x: (g.longitude - origin.longitude) * .pi / 180 * metresPerRadianEast,
            y: (g.latitude - origin.latitude) * .pi / 180 * metresPerRadianNorth)
    }

    /// The geographic position of local metres (inverse of ``project(_:)``).
    public func unproject(_ p: Point) -> GeoCoordinate {
        GeoCoordinate(
            latitude: origin.latitude + p.y / metresPerRadianNorth * 180 / .pi,
            longitude: origin.longitude + p.x / metresPerRadianEast * 180 / .pi)
    }
}
