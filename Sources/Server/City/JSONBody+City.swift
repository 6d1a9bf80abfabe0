import Catalog
import Foundation
import Planning

/// Accessors the city routes need beyond ``JSONBody``'s, recording every bad field the same way.
extension JSONBody {
    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let n = number(key) else { return nil }
        guard n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            errors.append(FieldError(field: key, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
            return nil
        }
        return Int(n)
    }

    mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case nil: return nil
        case .bool(let b): return b
        default: errors.append(FieldError(field: key, message: "must be true or false")); return nil
        }
    }

    mutating func strings(_ key: String) -> [String]? {
        switch object[key] {
        case nil: return nil
        case .array(let items):
            var out: [String] = []
            for (i, item) in items.enumerated() {
                if case .string(let s) = item { out.append(s) } else {
                    errors.append(FieldError(field: "\(key)[\(i)]", message: "must be a string"))
                }
            }
            return out
        default: errors.append(FieldError(field: key, message: "must be an array of strings")); return nil
        }
    }

    /// A `{"lat": …, "lon": …}` object.
    mutating func location(_ key: String) -> (lat: Double, lon: Double)? {
        guard let o = object(key) else { return nil }
        let lat = number("lat", in: o, field: "\(key).lat")
        let lon = number("lon", in: o, field: "\(key).lon")
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

    /// Refuses fields the route does not know, so typos do not pass silently.
    mutating func rejectUnknown(_ known: Set<String>) {
        for key in object.keys.sorted() where !known.contains(key) {
            errors.append(FieldError(field: key, message: "is not a field of this request"))
        }
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
