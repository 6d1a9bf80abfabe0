import City
import Foundation

/// A JSON value to encode: GeoJSON properties and other shapes built by hand.
enum GeoValue: Encodable, Sendable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
               ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null, bool(Bool), number(Double), string(String), array([GeoValue]), object([String: GeoValue])

    init(stringLiteral value: String) { self = .string(value) }
    init(floatLiteral value: Double) { self = .number(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: GeoValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, GeoValue)...) { self = .object(Dictionary(elements, uniquingKeysWith: { $1 })) }

    /// A member of an object value (`.null` otherwise).
    subscript(_ key: String) -> GeoValue {
        if case .object(let o) = self { return o[key] ?? .null }
        return .null
    }

    static func optional(_ s: String?) -> GeoValue { s.map(GeoValue.string) ?? .null }
    static func num(_ v: Double, _ digits: Double = 1000) -> GeoValue { .number(v.isFinite ? (v * digits).rounded() / digits : 0) }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            // Whole numbers print without ".0" (JSONEncoder already does), non-finite ones as null.
            if n.isFinite { try c.encode(n) } else { try c.encodeNil() }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// Turns local metres back into WGS84 GeoJSON (RFC 7946: [longitude, latitude], 7 decimals ≈ 1 cm).
struct GeoJSONWriter: Sendable {
    let projection: LocalProjection

    func position(_ p: Point) -> GeoValue {
        let g = projection.unproject(p)
        return .array([.number((g.longitude * 1e7).rounded() / 1e7), .number((g.latitude * 1e7).rounded() / 1e7)])
    }

    func line(_ points: [Point]) -> GeoValue { .array(points.map(position)) }

    /// The coordinates of `geometry` as its GeoJSON type nests them.
    static func coordinates(_ geometry: GeoPolygon) -> GeoValue {
        let parts = geometry.parts.map { GeoValue.array($0.map(ring)) }
        return parts.count == 1 ? parts[0] : .array(parts)
    }

    static func ring(_ r: [[Double]]) -> GeoValue { .array(r.map { .array($0.map(GeoValue.number)) }) }

    /// Polygon coordinates of a region with one outer ring (a camera's view): rounded to 7
    /// decimals and cleaned so the result is valid (`LocalProjection.geoPolygon`); null when
    /// nothing is left. Regions that may have several outer rings go through ``area(_:_:)``.
    func polygon(_ polygon: Polygon) -> GeoValue {
        let g = projection.geoPolygon(polygon)
        switch g.parts.count {
        case 0: return .null
        case 1: return Self.coordinates(g)
        default: return .array(g.parts.joined().map(Self.ring))  // drawn even-odd; not expected of a view
        }
    }

    /// A feature of a region: a valid Polygon, or a MultiPolygon when it has several outer rings
    /// (an OSM multipolygon), with null geometry when nothing is left.
    func area(_ polygon: Polygon, _ properties: [String: GeoValue]) -> GeoValue {
        let g = projection.geoPolygon(polygon)
        guard !g.isEmpty else { return ["type": "Feature", "geometry": .null, "properties": .object(properties)] }
        return feature(g.type, Self.coordinates(g), properties)
    }

    func geometry(_ type: String, _ coordinates: GeoValue) -> GeoValue {
        ["type": .string(type), "coordinates": coordinates]
    }

    func feature(_ type: String, _ coordinates: GeoValue, _ properties: [String: GeoValue]) -> GeoValue {
        ["type": "Feature", "geometry": geometry(type, coordinates), "properties": .object(properties)]
    }

    static func collection(_ features: [GeoValue], extra: [String: GeoValue] = [:]) -> GeoValue {
        var object: [String: GeoValue] = ["type": "FeatureCollection", "features": .array(features)]
        for (k, v) in extra { object[k] = v }
        return .object(object)
    }

    /// A ring in [longitude, latitude] pairs (closed or not) → local metres.
    func ring(_ positions: [[Double]]) -> [Point] {
        positions.map { projection.project(GeoCoordinate(latitude: $0[1], longitude: $0[0])) }
    }
}
