import Catalog

/// A JSON object from a request body, with typed accessors that check every value and record
/// which field was wrong, in the client's spelling.
///
/// Decoding by hand instead of `Decodable` names every bad field at once rather than stopping at
/// the first `DecodingError`. Every number becomes an integer through ``integer(_:in:)`` or
/// ``id(_:)``, which check the range before converting, so no value can trap the process.
public struct JSONFields: Sendable {
    public let object: [String: JSONValue]
    public var errors: [FieldError] = []
    /// Prepended to field names in errors (`location.` for the members of `location`).
    public let prefix: String

    public init(_ object: [String: JSONValue], prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    public func has(_ key: String) -> Bool { object[key] != nil }

    public mutating func fail(_ key: String, _ message: String) {
        errors.append(FieldError(field: prefix + key, message: message))
    }

    /// A string field; `.some(nil)` when it is explicitly null and `allowNull`.
    public mutating func string(_ key: String, allowNull: Bool = false, maxLength: Int = InputLimits.stringLength) -> String?? {
        switch object[key] {
        case nil: return .none
        case .string(let s) where s.utf8.count <= maxLength: return .some(s)
        case .string: fail(key, "must be at most \(maxLength) bytes"); return .none
        case .null where allowNull: return .some(nil)
        case .null: fail(key, "must not be null"); return .none
        default: fail(key, "must be a string"); return .none
        }
    }

    /// A present, non-null string.
    public mutating func text(_ key: String, maxLength: Int = InputLimits.stringLength) -> String? {
        if case .some(.some(let s)) = string(key, maxLength: maxLength) { return s }
        return nil
    }

    /// A finite number, checked against `range` when one is given.
    public mutating func number(_ key: String, within range: ClosedRange<Double>? = nil) -> Double? {
        switch object[key] {
        case nil: return nil
        case .number(let n) where n.isFinite && (range?.contains(n) ?? true): return n
        case .number:
            if let range { fail(key, "must be a number from \(Self.show(range.lowerBound)) to \(Self.show(range.upperBound))") } else { fail(key, "must be a finite number") }
            return nil
        default: fail(key, "must be a number"); return nil
        }
    }

    /// A whole number in `range`; `1e19`, `-1`, `2.5` or `"3"` are named errors, never a trap.
    public mutating func integer(_ key: String, in range: ClosedRange<Int64>) -> Int64? {
        switch object[key] {
        case nil: return nil
        case .number(let n):
            guard let v = Int64(exactly: n), range.contains(v) else {
                fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return v
        default: fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)"); return nil
        }
    }

    /// ``integer(_:in:)`` for `Int` ranges.
    public mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        integer(key, in: Int64(range.lowerBound)...Int64(range.upperBound)).map { Int($0) }
    }

    /// An id: a whole number within ``InputLimits/ids``.
    public mutating func id(_ key: String) -> Int64? {
        switch object[key] {
        case nil: return nil
        case .number(let n):
            guard let v = Int64(exactly: n), InputLimits.ids.contains(v) else { fail(key, "must be a positive whole number (an id)"); return nil }
            return v
        default: fail(key, "must be a positive whole number (an id)"); return nil
        }
    }

    /// An RFC 3339 time as 90 kHz ticks.
    public mutating func time90k(_ key: String) -> Int64? {
        guard let text = text(key, maxLength: 40) else {
            if has(key) && errors.last?.field != prefix + key { fail(key, "must be an RFC 3339 time such as 2026-11-24T22:00:00Z") }
            return nil
        }
        guard let t = Time90k.parse(text) else {
            fail(key, "\"\(text)\" is not an RFC 3339 time such as 2026-11-24T22:00:00Z (years 0001–9999)")
            return nil
        }
        return t
    }

    public mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case nil: return nil
        case .bool(let b): return b
        default: fail(key, "must be true or false"); return nil
        }
    }

    public mutating func object(_ key: String) -> [String: JSONValue]? {
        switch object[key] {
        case nil: return nil
        case .object(let o): return o
        default: fail(key, "must be an object"); return nil
        }
    }

    /// Reads the object `key` with its own accessors; its errors are named `key.field`.
    public mutating func nested<T>(_ key: String, _ read: (inout JSONFields) -> T) -> T? {
        guard let o = object(key) else { return nil }
        var inner = JSONFields(o, prefix: prefix + key + ".")
        let value = read(&inner)
        errors += inner.errors
        return value
    }

    public mutating func strings(_ key: String, maxCount: Int = 10_000, maxLength: Int = InputLimits.stringLength) -> [String]? {
        switch object[key] {
        case nil: return nil
        case .array(let items) where items.count <= maxCount:
            var out: [String] = []
            for (i, item) in items.enumerated() {
                if case .string(let s) = item, s.utf8.count <= maxLength { out.append(s) } else {
                    fail("\(key)[\(i)]", "must be a string of at most \(maxLength) bytes")
                }
            }
            return out
        case .array: fail(key, "must have at most \(maxCount) items"); return nil
        default: fail(key, "must be an array of strings"); return nil
        }
    }

    /// Records "is required" for each missing key.
    public mutating func require(_ keys: String...) {
        for key in keys where object[key] == nil { fail(key, "is required") }
    }

    /// Refuses fields the route does not know, so typos do not pass silently.
    public mutating func rejectUnknown(_ known: Set<String>) {
        for key in object.keys.sorted() where !known.contains(key) {
            fail(String(key.prefix(100)), "is not a field of this request")
        }
    }

    static func show(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
}
