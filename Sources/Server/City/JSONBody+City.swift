import APIInput
import Catalog
import Foundation
import Planning

/// Accessors the city routes need beyond ``JSONBody``'s, recording every bad field the same way.
extension JSONBody {
    /// A `{"lat": …, "lon": …}` object.
    mutating func location(_ key: String) -> (lat: Double, lon: Double)? {
        guard let o = object(key) else { return nil }
        var inner = JSONFields(o, prefix: prefix + key + ".")
        let lat = inner.number("lat"), lon = inner.number("lon")
        errors += inner.errors
        if o["lat"] == nil { errors.append(FieldError(field: "\(key).lat", message: "is required")) }
        if o["lon"] == nil { errors.append(FieldError(field: "\(key).lon", message: "is required")) }
        guard let lat, let lon else { return nil }
        var ok = true
        if !(-90...90).contains(lat) { errors.append(FieldError(field: "\(key).lat", message: "must be from -90 to 90 degrees")); ok = false }
        if !(-180...180).contains(lon) { errors.append(FieldError(field: "\(key).lon", message: "must be from -180 to 180 degrees")); ok = false }
        return ok ? (lat, lon) : nil
    }

    /// A ring of `[longitude, latitude]` positions (GeoJSON order), at least 3 distinct points.
    mutating func ring(_ value: JSONValue?, field: String) -> [[Double]]? {
        guard case .array(let items)? = value else {
            errors.append(FieldError(field: field, message: value == nil ? "is required" : "must be an array of [longitude, latitude] positions"))
            return nil
        }
        var out: [[Double]] = []
        for (i, item) in items.enumerated() {
            guard case .array(let pair) = item, pair.count >= 2, case .number(let lon) = pair[0], case .number(let lat) = pair[1] else {
                errors.append(FieldError(field: "\(field)[\(i)]", message: "must be [longitude, latitude]"))
                return nil
            }
            guard (-180...180).contains(lon), (-90...90).contains(lat) else {
                errors.append(FieldError(field: "\(field)[\(i)]", message: "is not a longitude/latitude pair in degrees"))
                return nil
            }
            out.append([lon, lat])
        }
        if out.count > 1, out.first == out.last { out.removeLast() }
        guard out.count >= 3 else {
            errors.append(FieldError(field: field, message: "needs at least 3 positions"))
            return nil
        }
        return out
    }

}

/// Times in requests and queries: RFC 3339 (`2025-01-01T00:00:00Z`), a date (`2025-01-01`, UTC
/// midnight) or a month (`2025-01`).
enum RequestTime {
    static func parse(_ text: String) -> Int64? {
        if let t = DateTimeFormat.iso8601.parse(text) { return t }
        if let t = DateTimeFormat("yyyy-MM-dd").parse(text) { return t }
        if text.count == 7, let t = DateTimeFormat("yyyy-MM-dd").parse(text + "-01") { return t }
        return nil
    }
}
