import Foundation

/// A point on the city's local metric plane: `x` metres east and `y` metres north of the
/// projection origin (see ``LocalProjection``).
public struct Point: Sendable, Hashable, Codable {
    /// Metres east of the projection origin.
    public var x: Double
    /// Metres north of the projection origin.
    public var y: Double

    /// Creates a point from its east (`x`) and north (`y`) offsets in metres.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    static func + (a: Point, b: Point) -> Point { Point(x: a.x + b.x, y: a.y + b.y) }
    static func - (a: Point, b: Point) -> Point { Point(x: a.x - b.x, y: a.y - b.y) }
    static func * (a: Point, k: Double) -> Point { Point(x: a.x * k, y: a.y * k) }

    /// The z component of the 2-D cross product; positive when `b` is counter-clockwise of `a`.
    static func cross(_ a: Point, _ b: Point) -> Double { a.x * b.y - a.y * b.x }
    static func dot(_ a: Point, _ b: Point) -> Double { a.x * b.x + a.y * b.y }

    var length: Double { (x * x + y * y).squareRoot() }

    /// Distance in metres to another point.
    public func distance(to other: Point) -> Double { (self - other).length }

    /// The unit vector of a compass bearing (degrees clockwise from north): north is +y, east is +x.
    static func unit(bearingDegrees: Double) -> Point {
        let r = bearingDegrees * .pi / 180
        return Point(x: sin(r), y: cos(r))
    }

    /// The compass bearing of this vector in degrees, in [0, 360).
    var bearingDegrees: Double {
        var b = atan2(x, y) * 180 / .pi
        if b < 0 { b += 360 }
        return b >= 360 ? b - 360 : b
    }
}
