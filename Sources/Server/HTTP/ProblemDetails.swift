import Catalog
import Foundation
import Footage
import Hummingbird

/// An RFC 9457 problem details response (`application/problem+json`).
///
/// Every API error leaves the server in this shape; validation errors list each invalid field so
/// that a form can show them next to the right input.
public struct ProblemDetails: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var type: String
    public var title: String
    public var detail: String?
    public var errors: [FieldError]

    public init(status: HTTPResponse.Status, type: String = "about:blank", title: String? = nil, detail: String? = nil, errors: [FieldError] = []) {
        self.status = status
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
    }

    public static func validation(_ errors: [FieldError]) -> ProblemDetails {
        ProblemDetails(
            status: .unprocessableContent, type: "/docs/api.md#validation", title: "Invalid request",
            detail: errors.map(\.description).joined(separator: "; "), errors: errors)
    }

    public static func notFound(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: .notFound, detail: detail)
    }

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
        var errors: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(type: type, title: title, status: status.code, detail: detail, instance: request.uri.path, errors: errors.isEmpty ? nil : errors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(body)
        return Response(status: status, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error a route throws into problem details, so that clients never see an empty 500
/// or a framework-specific error body.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as ProblemDetails {
            throw problem
        } catch let problem as ProblemDetailsWithHeaders {
            throw problem
        } catch let error as FootageError {
            throw error.problem
        } catch let error as any HTTPResponseError {
            let detail = (error as? HTTPError)?.body
            throw ProblemDetails(status: error.status, detail: detail ?? (error.status == .notFound ? "no such resource: \(request.uri.path)" : nil))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw ProblemDetails(status: .internalServerError, detail: "the server could not complete the request; the error is in the server log")
        }
    }
}
