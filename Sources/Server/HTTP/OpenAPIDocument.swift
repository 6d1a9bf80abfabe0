import Catalog
import Foundation
import Hummingbird

/// The OpenAPI 3.1 document of every registered route, built from what each feature declared
/// beside its routes (``APIDoc``, ``RouteRule``): paths, parameters, bodies, answers, and who may
/// call each route (`x-aula-roles`, the camera check, the audit action).
enum OpenAPIDocument {
    static func make(_ routes: [RouteTable.Entry]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for entry in routes.sorted(by: { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }) {
            paths[entry.path, default: [:]][entry.method.rawValue.lowercased()] = operation(entry)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Aula",
                "version": "1",
                "description": "Video recording, live view, coverage and planning for city courtyards and streets. Every route but health and sign-in needs a signed-in user: an API token (Authorization: Bearer) or the session cookie with its CSRF token (docs/api.md, docs/security.md). Errors are RFC 9457 problem details naming the field.",
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "token": ["type": "http", "scheme": "bearer", "description": "An API token (`aula token create`, POST /api/users/{name}/tokens)"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "aula_session", "description": "The session cookie of POST /api/session; changes also send X-CSRF-Token"],
                    "node": ["type": "apiKey", "in": "header", "name": "Aula-Node-Signature",
                             "description": "Another node of the cluster: Aula-Node, Aula-Node-Time and this HMAC-SHA256 with a key derived from the shared secrets.key (docs/cluster.md)"],
                ],
                "schemas": [
                    "Problem": [
                        "type": "object",
                        "properties": [
                            "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
                            "errors": ["type": "array", "items": ["type": "object", "properties": ["field": ["type": "string"], "message": ["type": "string"]]]],
                        ],
                    ],
                ],
            ],
        ]
    }

    static func operation(_ entry: RouteTable.Entry) -> [String: Any] {
        var operation: [String: Any] = [
            "summary": entry.doc.summary,
            "operationId": operationID(entry),
            "tags": [tag(entry.path)],
        ]
        var parameters: [[String: Any]] = []
        for name in parameterNames(entry.path) {
            // Camera, event, alert and lock ids are integers; user names are strings.
            parameters.append(["name": name, "in": "path", "required": true, "schema": ["id", "photo"].contains(name) ? ["type": "integer"] : ["type": "string"]])
        }
        for (name, schema) in entry.doc.query.sorted(by: { $0.key < $1.key }) {
            parameters.append(["name": name, "in": "query", "required": false, "schema": schema.json])
        }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body = entry.doc.body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body.json]]]
        } else if let upload = entry.doc.upload {
            operation["requestBody"] = ["required": true, "content": [upload: ["schema": ["type": "string", "format": "binary"]]]]
        }
        switch entry.rule.access {
        case .everyone:
            operation["security"] = [[String: [String]]]()
            operation["x-aula-roles"] = ["everyone"]
        case .signedIn:
            operation["security"] = [["token": [String]()], ["session": [String]()]]
            operation["x-aula-roles"] = Role.allCases.map(\.rawValue)
        case .roles(let roles):
            operation["security"] = [["token": [String]()], ["session": [String]()]]
            operation["x-aula-roles"] = Role.allCases.filter(roles.contains).map(\.rawValue)
        case .peerNode:
            operation["security"] = [["node": [String]()]]
            operation["x-aula-roles"] = ["node"]
        }
        if let camera = entry.rule.camera { operation["x-aula-camera-right"] = "\(camera)" }
        if let audit = entry.rule.audit { operation["x-aula-audit"] = audit }
        let problem: [String: Any] = ["description": "A problem (RFC 9457) naming the field, the missing right or the limit",
                                      "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]]
        var responses: [String: Any] = ["default": problem]
        switch entry.doc.answer {
        case .json: responses["2XX"] = ["description": "Done", "content": ["application/json": ["schema": [String: Any]()]]]
        case .file(let type): responses["2XX"] = ["description": "The file (Range requests: 206)", "content": [type: ["schema": ["type": "string", "contentEncoding": "binary"]]]]
        case .webSocket: responses["101"] = ["description": "Switched to a WebSocket"]
        case .empty: responses["204"] = ["description": "Done"]
        }
        if entry.method == .get || entry.method == .head, case .file = entry.doc.answer { responses["304"] = ["description": "Not modified (ETag)"] }
        operation["responses"] = responses
        return operation
    }

    static func parameterNames(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }

    static func tag(_ path: String) -> String {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "api" else { return parts.first ?? "" }
        return parts[1].replacingOccurrences(of: ".csv", with: "")
    }

    static func operationID(_ entry: RouteTable.Entry) -> String {
        entry.method.rawValue.lowercased() + entry.path.split(separator: "/").map { part in
            part.replacingOccurrences(of: "{", with: "by-").replacingOccurrences(of: "}", with: "")
                .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }.joined()
    }
}
