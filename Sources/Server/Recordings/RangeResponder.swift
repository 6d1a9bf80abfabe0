import Footage
import Foundation
import HTTPTypes
import Hummingbird
import Media

/// Serves an ``ExportFile`` with HEAD, single byte ranges (206/416), ETag and If-None-Match,
/// streaming sample-file bytes in chunks (``ExportFile/forEachChunk(in:chunk:_:)``) so that no file
/// is ever held whole in memory and no thread waits on the disk.
enum RangeResponder {
    static let chunk = 256 * 1024

    static func respond(to request: Request, file: ExportFile, fileName: String) throws -> Response {
        let total = file.mp4.totalSize
        var headers: HTTPFields = [
            .contentType: "video/mp4",
            .acceptRanges: "bytes",
            .eTag: file.etag,
            .contentDisposition: "attachment; filename=\"\(fileName)\"",
            .cacheControl: "private, max-age=3600",
        ]
        if !file.skipped.isEmpty {
            headers[HTTPField.Name("X-Aula-Skipped-Recordings")!] = file.skipped.map(String.init).joined(separator: ",")
        }
        if let inm = request.headers[.ifNoneMatch], inm.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == file.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        var range = 0..<total
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range], request.headers[.ifRange] == nil || request.headers[.ifRange] == file.etag {
            guard let r = parseRange(header, total: total) else {
                headers[.contentRange] = "bytes */\(total)"
                throw ProblemDetailsWithHeaders(problem: ProblemDetails(status: .rangeNotSatisfiable, detail: "the file has \(total) bytes; \(header) is outside it"), headers: headers)
            }
            range = r
            status = .partialContent
            headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound - 1)/\(total)"
        }
        headers[.contentLength] = String(range.count)
        if request.method == .head {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        let served = file, bytes = range
        let body = ResponseBody(contentLength: range.count) { writer in
            try await served.forEachChunk(in: bytes, chunk: chunk) { try await writer.write($0) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; nil when unsatisfiable or malformed.
    static func parseRange(_ header: String, total: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), total > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let a = spec[..<dash].trimmingCharacters(in: .whitespaces), b = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if a.isEmpty {
            guard let n = Int(b), n > 0 else { return nil }
            return max(0, total - n)..<total
        }
        guard let start = Int(a), start >= 0, start < total else { return nil }
        if b.isEmpty { return start..<total }
        guard let end = Int(b), end >= start else { return nil }
        return start..<min(total, end + 1)
    }
}

/// Problem details that also carry headers (416 needs `Content-Range`, 401 `WWW-Authenticate`, 429 `Retry-After`).
struct ProblemDetailsWithHeaders: Error, HTTPResponseError {
    var problem: ProblemDetails
    var headers: HTTPFields
    var status: HTTPResponse.Status { problem.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try problem.response(from: request, context: context)
        for field in headers where [.contentRange, .wwwAuthenticate, .retryAfter].contains(field.name) { response.headers[field.name] = field.value }
        return response
    }
}
