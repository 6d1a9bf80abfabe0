import Catalog

/// The parameters of a query string, with the same checked accessors as ``JSONFields``.
public struct QueryFields: Sendable {
    public let values: [String: String]
    public var errors: [FieldError] = []

    /// The first value of each name wins.
    public init(_ pairs: some Sequence<(String, String)>) {
        var values: [String: String] = [:]
        for (k, v) in pairs where values[k] == nil { values[k] = v }
        self.values = values
    }

    public mutating func fail(_ key: String, _ message: String) { errors.append(FieldError(field: key, message: message)) }

    public func has(_ key: String) -> Bool { values[key] != nil }

    public mutating func string(_ key: String, maxLength: Int = 1000) -> String? {
        guard let text = values[key] else { return nil }
        guard text.utf8.count <= maxLength else { fail(key, "must be at most \(maxLength) bytes"); return nil }
        return text
    }

    /// A whole number in plain decimal digits within `range`.
    public mutating func integer(_ key: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let text = values[key] else { return nil }
        guard text.utf8.count <= 20, let v = Int64(text), range.contains(v) else {
            fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return v
    }

    public mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        integer(key, in: Int64(range.lowerBound)...Int64(range.upperBound)).map { Int($0) }
    }

    public mutating func id(_ key: String) -> Int64? {
        guard let text = values[key] else { return nil }
        guard let id = PathID.parse(text) else { fail(key, "must be a positive whole number (an id)"); return nil }
        return id
    }

    public mutating func number(_ key: String, within range: ClosedRange<Double>) -> Double? {
        guard let text = values[key] else { return nil }
        guard text.utf8.count <= 40, let v = Double(text), v.isFinite, range.contains(v) else {
            fail(key, "must be a number from \(JSONFields.show(range.lowerBound)) to \(JSONFields.show(range.upperBound))")
            return nil
        }
        return v
    }

    /// `stream=main|sub`: which recorded stream of a camera (absent: the main stream).
    public mutating func recordedStream(_ key: String = "stream") -> RecordedStream {
        guard let text = values[key] else { return .main }
        guard let stream = RecordedStream(name: text) else {
            fail(key, "must be main or sub, not \(String(text.prefix(40)))")
            return .main
        }
        return stream
    }

    public mutating func bool(_ key: String) -> Bool? {
        switch values[key] {
        case nil: return nil
        case "true", "1": return true
        case "false", "0": return false
        default: fail(key, "must be true or false"); return nil
        }
    }

    public mutating func time90k(_ key: String, required: Bool = false) -> Int64? {
        guard let text = values[key] else {
            if required { fail(key, "is required (an RFC 3339 time such as 2026-11-24T22:00:00Z)") }
            return nil
        }
        guard let t = Time90k.parse(text) else {
            fail(key, "\"\(text.prefix(60))\" is not an RFC 3339 time such as 2026-11-24T22:00:00Z (years 0001–9999)")
            return nil
        }
        return t
    }

    /// `start` and `end` as 90 kHz ticks: end after start, and at most `maxSeconds` apart.
    public mutating func timeRange(required: Bool, maxSeconds: Int64? = nil, start: String = "start", end: String = "end") -> (start: Int64?, end: Int64?) {
        let s = time90k(start, required: required), e = time90k(end, required: required)
        if let s, let e {
            if e <= s { fail(end, "must be after \(start)"); return (nil, nil) }
            if let maxSeconds, e - s > maxSeconds * 90_000 {
                fail(end, "the range must be at most \(Self.describe(seconds: maxSeconds))")
                return (nil, nil)
            }
        }
        return (s, e)
    }

    static func describe(seconds: Int64) -> String {
        seconds % 86_400 == 0 ? "\(seconds / 86_400) days" : seconds % 3600 == 0 ? "\(seconds / 3600) hours" : "\(seconds) seconds"
    }
}
