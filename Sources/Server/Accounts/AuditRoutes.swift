import AulaSecurity
import APIInput
import Catalog
import Foundation
import Hummingbird

/// `/api/audit`: the audit trail for auditors, as JSON or CSV, and its verification.
struct AuditRoutes: Sendable {
    let catalog: AulaCatalog

    func register(on routes: Routes<AulaContext>) {
        routes.get("api/audit", .roles(.auditor, audit: "audit.read"), APIDoc("The audit trail, newest first", query: ["from": .time, "to": .time, "after": .integer, "limit": .integer]), use: list)
        routes.get("api/audit.csv", .roles(.auditor, audit: "audit.export"), APIDoc("The audit trail as CSV", query: ["from": .time, "to": .time, "after": .integer, "limit": .integer], answer: .file("text/csv")), use: csv)
        routes.get("api/audit/verify", .roles(.auditor, audit: "audit.verify"), "Verify the audit trail's hash chain", use: verify)
    }

    struct EntryJSON: Encodable {
        var id: Int64
        var time: String
        var actor: String
        var client: String
        var action: String
        var target: String
        var detail: String
        var hash: String
        init(_ e: AuditEntry) {
            id = e.id
            time = RFC3339.format(micros: e.timeMicros)
            actor = e.actor
            client = e.client
            action = e.action
            target = e.target
            detail = e.detail
            hash = e.hash
        }
    }

    /// `from`, `to` (RFC 3339), `after` (an id) and `limit` (1…10000, default 1000).
    func query(_ request: Request) throws -> (from: Int64?, to: Int64?, after: Int64, limit: Int) {
        var query = QueryFields(request)
        let range = query.timeRange(required: false, start: "from", end: "to")
        let from = range.start.map(Time90k.micros), to = range.end.map(Time90k.micros)
        let after = query.integer("after", in: 0...Int64.max) ?? 0
        let limit = query.integer("limit", in: 1...10_000) ?? 1000
        try query.check()
        return (from, to, after, limit)
    }

    func list(_ request: Request, context: AulaContext) async throws -> Response {
        let q = try query(request)
        let entries = try await catalog.auditEntries(fromMicros: q.from, toMicros: q.to, afterID: q.after, limit: q.limit)
        return try JSONResponse.make(entries.map(EntryJSON.init))
    }

    /// Streamed a page of rows at a time: a trail of millions of entries never sits in memory.
    func csv(_ request: Request, context: AulaContext) async throws -> Response {
        let q = try query(request)
        let catalog = self.catalog
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "id,time,actor,client,action,target,detail,previous_hash,hash\r\n"))
            var after = q.after
            while true {
                let page = try await catalog.auditEntries(fromMicros: q.from, toMicros: q.to, afterID: after, limit: Self.csvPage)
                guard let last = page.last else { break }
                var text = ""
                for e in page {
                    text += [String(e.id), RFC3339.format(micros: e.timeMicros), e.actor, e.client, e.action, e.target, e.detail, e.previousHash, e.hash]
                        .map(Self.cell).joined(separator: ",") + "\r\n"
                }
                try await writer.write(ByteBuffer(string: text))
                after = last.id
                if page.count < Self.csvPage { break }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"aula-audit.csv\""],
                        body: body)
    }

    static let csvPage = 1000

    /// RFC 4180 quoting; a cell a spreadsheet would run as a formula gets a leading apostrophe.
    static func cell(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    struct Verification: Encodable {
        var entries: Int
        var intact: Bool
        var problems: [String]
    }

    func verify(_ request: Request, context: AulaContext) async throws -> Response {
        let (count, problems) = try await catalog.verifyAudit()
        return try JSONResponse.make(Verification(entries: count, intact: problems.isEmpty, problems: problems.map(\.description)))
    }
}
