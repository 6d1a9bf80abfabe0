import Catalog
import Foundation
import Hummingbird

/// Any JSON value, decoded without a schema so that each field can be checked by hand.
enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) { self = .number(n) } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) { self = .array(a) } else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

/// A JSON object from a request body, with typed accessors that record which field was wrong.
///
/// Decoding by hand instead of `Decodable` lets Aula name every bad field at once, in the client's
/// spelling, rather than stopping at the first `DecodingError`.
struct JSONBody {
    let object: [String: JSONValue]
    var errors: [FieldError] = []

    static func read(_ request: Request, limit: Int = 1 << 20) async throws -> JSONBody {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw ProblemDetails(status: .contentTooLarge, detail: "the request body is larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw ProblemDetails.validation([FieldError(field: "body", message: "must be a JSON object")]) }
        let parsed: JSONValue
        do { parsed = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView)) } catch {
            throw ProblemDetails(status: .badRequest, type: "/docs/api.md#json", title: "Malformed JSON", detail: "the request body is not valid JSON", errors: [FieldError(field: "body", message: "is not valid JSON")])
        }
        guard case .object(let object) = parsed else {
            throw ProblemDetails.validation([FieldError(field: "body", message: "must be a JSON object")])
        }
        return JSONBody(object: object)
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    /// A string field; `.some(nil)` when it is explicitly null and `allowNull`.
    mutating func string(_ key: String, allowNull: Bool = false) -> String?? {
        switch object[key] {
        case nil: return .none
        case .string(let s): return .some(s)
        case .null where allowNull: return .some(nil)
        case .null: errors.append(FieldError(field: key, message: "must not be null")); return .none
        default: errors.append(FieldError(field: key, message: "must be a string")); return .none
        }
    }

    mutating func number(_ key: String, in dict: [String: JSONValue]? = nil, field: String? = nil) -> Double? {
        switch (dict ?? object)[key] {
        case nil: return nil
        case .number(let n): return n
        default: errors.append(FieldError(field: field ?? key, message: "must be a number")); return nil
        }
    }

    mutating func object(_ key: String) -> [String: JSONValue]? {
        switch object[key] {
        case nil: return nil
        case .object(let o): return o
        default: errors.append(FieldError(field: key, message: "must be an object")); return nil
        }
    }
}
