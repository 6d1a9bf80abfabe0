/// What the API document (`GET /api/openapi.json`, OpenAPI 3.1) says about one route, written
/// beside the route's registration (``Routes``) so that the document can never name a route that
/// does not exist or miss one that does.
///
/// Schemas describe what a client may send; the handlers still check every field themselves
/// (APIInput), so a schema is documentation and a fuzzer's guide (schemathesis), never the check.
struct APIDoc: Sendable, ExpressibleByStringLiteral {
    var summary: String
    /// Query parameters, all optional (the handler names a missing or wrong one in its 422).
    var query: [String: APISchema] = [:]
    /// The JSON request body, when the route takes one.
    var body: APISchema?
    /// The media type of a request body that is a file (`image/jpeg`), not JSON.
    var upload: String?
    /// What a successful answer carries.
    var answer: Answer = .json

    enum Answer: Sendable {
        /// `application/json`.
        case json
        /// A file of this media type (`video/mp4`, `image/jpeg`, `text/csv` …).
        case file(String)
        /// A WebSocket upgrade (`101`); without one, a 400 problem.
        case webSocket
        /// `204 No Content`.
        case empty
    }

    init(_ summary: String, query: [String: APISchema] = [:], body: APISchema? = nil, upload: String? = nil, answer: Answer = .json) {
        self.summary = summary
        self.query = query
        self.body = body
        self.upload = upload
        self.answer = answer
    }

    init(stringLiteral summary: String) { self.init(summary) }
}

/// A JSON Schema, as little of it as the document needs.
indirect enum APISchema: Sendable {
    case string, integer, number, boolean, any
    case array(APISchema)
    /// An object with these (optional) properties; others are refused by the handlers.
    case object([String: APISchema])

    /// A time: RFC 3339 (`2026-12-03T09:00:00Z`).
    static let time = APISchema.string
    /// A point on the map.
    static let location = APISchema.object(["latitude": .number, "longitude": .number])

    var json: [String: Any] {
        switch self {
        case .string: ["type": "string"]
        case .integer: ["type": "integer"]
        case .number: ["type": "number"]
        case .boolean: ["type": "boolean"]
        case .any: [:]
        case .array(let items): ["type": "array", "items": items.json]
        case .object(let properties): ["type": "object", "properties": properties.mapValues(\.json)]
        }
    }
}
