import Foundation

/// Any JSON value, decoded without a schema so that each field can be checked by hand.
///
/// Numbers are kept as `Double` exactly as JSON carries them; converting one to an integer goes
/// through ``JSONFields`` (or `Int64(exactly:)`), never `Int64(_:)`, which traps on `1e19`.
public enum JSONValue: Decodable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// The deepest nesting a request body may have; deeper documents are refused before decoding,
    /// so that a body of a million `[` cannot exhaust the stack.
    public static let maximumDepth = 64

    /// Parses a whole document; nil when it is not JSON, is nested deeper than ``maximumDepth`` or
    /// holds a number outside `Double`'s range.
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        if let parsed = bytes.withContiguousStorageIfAvailable({ JSONParser.parse($0) }) { return parsed }
        return Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0) }
    }
}
