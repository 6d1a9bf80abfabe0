/// A city's projected geometry and a set of cameras in the plain JSON shape that
/// `scripts/coverage_reference.py` reads, so an independent implementation (shapely) can compute
/// the same figures. Encode it with `JSONEncoder`.
public struct ReferenceScene: Codable, Sendable {
    public struct Camera: Codable, Sendable {
        public var id: String
        public var x: Double
        public var y: Double
        public var heading: Double
        public var fov: Double
        public var range: Double
    }

    public struct Area: Codable, Sendable {
        public var name: String
        /// Rings of [x, y], even-odd.
        public var rings: [[[Double]]]
    }

    public var buildings: [[[[Double]]]]
    public var mainStreets: [[[Double]]]
    public var courtyards: [[[[Double]]]]
    public var schoolGrounds: [[[[Double]]]]
    public var districts: [Area]
    public var lamps: [[Double]]
    public var lampRadius: Double
    public var cameras: [Camera]

    public init(city: CityModel, cameras specs: [CameraViewSpec], options: CoverageOptions = CoverageOptions()) {
        func rings(_ p: Polygon) -> [[[Double]]] { p.rings.map { $0.map { [$0.x, $0.y] } } }
        buildings = city.buildings.map { rings($0.footprint) }
        mainStreets = city.streets.filter(\.isMain).map { $0.line.map { [$0.x, $0.y] } }
        courtyards = city.courtyards.map { rings($0.area) }
        schoolGrounds = city.schoolGrounds.map { rings($0.area) }
        districts = city.districts.map { Area(name: $0.name, rings: rings($0.area)) }
        lamps = city.streetLights.map { [$0.position.x, $0.position.y] }
        lampRadius = options.lampRadius
        cameras = specs.map { s in
            let p = s.position.point(in: city.projection)
            return Camera(id: s.id, x: p.x, y: p.y, heading: s.heading, fov: s.fieldOfView, range: s.range)
        }
    }
}
