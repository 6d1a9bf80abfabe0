import HTTPTypes
import Hummingbird

/// Headers that every response carries, pages and API alike (docs/security.md, "Headers").
///
/// - Content-Security-Policy: scripts only from this server (no inline script, no eval), no plugins,
///   and `frame-ancestors 'none'` so that no other site can frame a page and trick a click. Styles
///   may be inline (the pages use `<style>` blocks); media and images may be `blob:` URLs, which is
///   how Media Source Extensions and snapshots reach the `<video>` and `<img>` elements.
/// - X-Frame-Options for browsers that predate `frame-ancestors`; nosniff so that a thumbnail or a
///   JSON body is never run as a script; no Referer, so that URLs with times and camera ids do not
///   leave the monitoring centre.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; media-src 'self' blob:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    static var headers: HTTPFields {
        [
            .contentSecurityPolicy: contentSecurityPolicy,
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        for field in Self.headers where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}
