import APIInput
import Catalog
import Foundation
import Hummingbird

/// A request's JSON object: ``JSONFields`` (APIInput) read from the body.
typealias JSONBody = JSONFields

extension JSONFields {
    /// Reads the body (at most `limit` bytes) as one JSON object; a 413, 400 or 422 otherwise.
    static func read(_ request: Request, limit: Int = 1 << 20) async throws -> JSONFields {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw ProblemDetails(status: .contentTooLarge, detail: "the request body is larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw ProblemDetails.validation([FieldError(field: "body", message: "must be a JSON object")]) }
        guard let parsed = JSONValue.parse(buffer.readableBytesView) else {
            throw ProblemDetails(status: .badRequest, type: "/docs/api.md#json", title: "Malformed JSON",
                                 detail: "the request body is not valid JSON (or is nested deeper than \(JSONValue.maximumDepth) levels)",
                                 errors: [FieldError(field: "body", message: "is not valid JSON")])
        }
        guard case .object(let object) = parsed else {
            throw ProblemDetails.validation([FieldError(field: "body", message: "must be a JSON object")])
        }
        return JSONFields(object)
    }

    /// Throws the collected errors as one 422.
    func check() throws {
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
    }
}

extension QueryFields {
    init(_ request: Request) {
        self.init(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
    }

    func check() throws {
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
    }
}
