import Foundation

/// Imports a city, or districts a user drew, from GeoJSON (RFC 7946: WGS84 longitude, latitude).
///
/// Feature properties are read as OSM tags and classified by the same rules as an OSM import, so
/// GeoJSON exported from OSM works as is. A property `aula:kind` overrides the tags: one of
/// `building`, `street`, `main street`, `courtyard`, `school`, `kindergarten`, `lamp`, `district`.
/// All-or-nothing: errors name the feature by index (and its `id` when present).
public enum GeoJSONImporter {
    /// Imports a `FeatureCollection` (or a single `Feature`) as a city.
    public static func importCity(from bytes: [UInt8], options: ImportOptions = ImportOptions()) throws(ImportError) -> CityModel {
        do {
            let features = try rawFeatures(bytes)
            return try CityBuilder(options: options).build(features, warnings: [])
        } catch let e as ImportError {
            throw e
        } catch {
            throw ImportError(element: "document", reason: String(describing: error))
        }
    }

    /// Imports from `Data`.
    public static func importCity(from data: Data, options: ImportOptions = ImportOptions()) throws(ImportError) -> CityModel {
        try importCity(from: [UInt8](data), options: options)
    }

    /// Reads user-drawn districts: every polygon feature becomes a district named by its `name`
    /// property (else `feature N`), projected with the city's own projection.
    public static func districts(from bytes: [UInt8], projection: LocalProjection) throws(ImportError) -> [District] {
        do {
            return try rawFeatures(bytes).compactMap { f in
                guard case .area(let rings) = f.geometry else {
                    throw ImportError(element: f.source, reason: "a district must be a Polygon or MultiPolygon")
                }
                let area = Polygon(rings: rings.map { $0.map(projection.project) })
                try CityBuilder.checkExtent(area.rings.joined(), f.source)
                return District(source: f.source, name: f.tags["name"] ?? f.source, area: area)
            }
        } catch let e as ImportError {
            throw e
        } catch {
            throw ImportError(element: "document", reason: String(describing: error))
        }
    }

    static func rawFeatures(_ bytes: [UInt8]) throws -> [RawFeature] {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError.map { String(describing: $0) }) ?? context.debugDescription
            throw ImportError(element: "document", reason: "not valid JSON: \(detail)")
        }
        let features: [JSONValue]
        switch root["type"]?.string {
        case "FeatureCollection":
            guard let list = root["features"]?.array else {
                throw ImportError(element: "document", reason: "FeatureCollection without a features array")
            }
            features = list
        case "Feature": features = [root]
        default: throw ImportError(element: "document", reason: "expected a FeatureCollection or a Feature")
        }
        var out: [RawFeature] = []
        for (i, f) in features.enumerated() {
            var name = "feature \(i)"
            if let id = f["id"]?.tagValue { name += " (id \(id))" }
            guard f["type"]?.string == "Feature" else { throw ImportError(element: name, reason: "type is not \"Feature\"") }
            var tags: [String: String] = [:]
            if case .object(let props)? = f["properties"] {
                for (k, v) in props { if let s = v.tagValue { tags[k] = s } }
            }
            guard let geometry = f["geometry"], case .object = geometry else {
                throw ImportError(element: name, reason: "has no geometry")
            }
            for g in try geometries(geometry, name) { out.append(RawFeature(source: name, tags: tags, geometry: g)) }
        }
        return out
    }

    private static func geometries(_ g: JSONValue, _ name: String) throws -> [RawFeature.Geometry] {
        let type = g["type"]?.string ?? ""
        if type == "GeometryCollection" {
            guard let parts = g["geometries"]?.array else { throw ImportError(element: name, reason: "GeometryCollection without geometries") }
            return try parts.flatMap { try geometries($0, name) }
        }
        guard let c = g["coordinates"] else { throw ImportError(element: name, reason: "\(type) without coordinates") }
        func position(_ v: JSONValue) throws -> GeoCoordinate {
            guard let a = v.array, a.count >= 2, case .number(let lon) = a[0], case .number(let lat) = a[1] else {
                throw ImportError(element: name, reason: "a position is not [longitude, latitude]")
            }
            let p = GeoCoordinate(latitude: lat, longitude: lon)
            guard p.isValid else { throw ImportError(element: name, reason: "position [\(lon), \(lat)] is out of range") }
            return p
        }
        func list(_ v: JSONValue) throws -> [JSONValue] {
            guard let a = v.array else { throw ImportError(element: name, reason: "\(type) coordinates are not nested arrays") }
            return a
        }
        func line(_ v: JSONValue) throws -> [GeoCoordinate] {
            let pts = try list(v).map(position)
            guard pts.count >= 2 else { throw ImportError(element: name, reason: "a LineString needs 2 positions") }
            return pts
        }
        func polygon(_ v: JSONValue) throws -> [[GeoCoordinate]] {
            try list(v).enumerated().map { (k, r) in
                let ring = try list(r).map(position)
                guard ring.count >= 4 else { throw ImportError(element: name, reason: "polygon ring \(k) has fewer than 4 positions") }
                guard ring.first == ring.last else { throw ImportError(element: name, reason: "polygon ring \(k) is not closed") }
                return ring
            }
        }
        switch type {
        case "Point": return [.point(try position(c))]
        case "MultiPoint": return try list(c).map { .point(try position($0)) }
        case "LineString": return [.line(try line(c))]
        case "MultiLineString": return try list(c).map { .line(try line($0)) }
        case "Polygon": return [.area(try polygon(c))]
        case "MultiPolygon": return [.area(try list(c).flatMap(polygon))]
        default: throw ImportError(element: name, reason: "unsupported geometry type \"\(type)\"")
        }
    }
}
