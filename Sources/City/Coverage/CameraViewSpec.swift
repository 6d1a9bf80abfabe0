/// What a camera looks at: where it is, which way it points, how wide and how far it sees.
public struct CameraViewSpec: Sendable, Hashable, Codable {
    /// The camera's id; the engine keeps one view per id.
    public var id: String
    public var position: CameraPosition
    /// Degrees clockwise from north of the middle of the view (any finite value; taken modulo 360).
    public var heading: Double
    /// Horizontal field of view in degrees, in (0, 360]; 360 is a panoramic camera.
    public var fieldOfView: Double
    /// How far the camera usefully sees, metres, > 0.
    public var range: Double
    /// Metres above the ground, ≥ 0. Carried for planning; every building is treated as taller
    /// than the camera (see docs/coverage.md).
    public var mountingHeight: Double

    public init(id: String, position: CameraPosition, heading: Double, fieldOfView: Double, range: Double,
                mountingHeight: Double = 4) {
        self.id = id
        self.position = position
        self.heading = heading
        self.fieldOfView = fieldOfView
        self.range = range
        self.mountingHeight = mountingHeight
    }

    /// Checks every field; the error names the first bad one (`fieldOfView`, `range` …) so an API
    /// can answer with a problem document pointing at it.
    public func validate() throws(CameraSpecError) {
        if id.isEmpty { throw CameraSpecError(field: "id", reason: "must not be empty") }
        switch position {
        case .geo(let g) where !g.isValid:
            throw CameraSpecError(field: "position", reason: "latitude/longitude out of range")
        case .local(let p) where !(p.x.isFinite && p.y.isFinite):
            throw CameraSpecError(field: "position", reason: "x and y must be finite")
        default: break
        }
        guard heading.isFinite else { throw CameraSpecError(field: "heading", reason: "must be a finite number of degrees") }
        guard fieldOfView.isFinite, fieldOfView > 0, fieldOfView <= 360 else {
            throw CameraSpecError(field: "fieldOfView", reason: "must be in (0, 360] degrees, got \(fieldOfView)")
        }
        guard range.isFinite, range > 0 else {
            throw CameraSpecError(field: "range", reason: "must be more than 0 metres, got \(range)")
        }
        guard mountingHeight.isFinite, mountingHeight >= 0 else {
            throw CameraSpecError(field: "mountingHeight", reason: "must be 0 metres or more, got \(mountingHeight)")
        }
    }
}

/// Where a camera stands: in WGS84 degrees, or already in the city's local metres.
public enum CameraPosition: Sendable, Hashable, Codable {
    case geo(GeoCoordinate)
    case local(Point)

    /// The position in the local metres of `projection`.
    public func point(in projection: LocalProjection) -> Point {
        switch self {
        case .geo(let g): return projection.project(g)
        case .local(let p): return p
        }
    }
}

/// A camera field that failed ``CameraViewSpec/validate()``.
public struct CameraSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's name as in ``CameraViewSpec``: `id`, `position`, `heading`, `fieldOfView`, `range`, `mountingHeight`.
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
