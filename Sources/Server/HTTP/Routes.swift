import Hummingbird
import HummingbirdWebSocket

/// Where a feature registers its routes: each route only together with its access rule, so that a
/// route cannot exist without one, and the rule is read beside the handler it guards; and with its
/// description for the API document (``APIDoc``), which cannot then miss a route.
///
/// ```swift
/// routes.get("api/cameras/:id", .roles(Roles.cameraViewers, camera: .metadata), "One camera", "One camera", use: show)
/// ```
struct Routes<Context: RequestContext> {
    let router: Router<Context>
    let table: RouteTable

    func on(_ method: HTTPRequest.Method, _ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc,
            use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        table.declare(method, path, rule, doc)
        router.on(path, method: method, use: handler)
    }

    func get(_ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.get, path, rule, doc, use: handler)
    }
    func head(_ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.head, path, rule, doc, use: handler)
    }
    func post(_ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.post, path, rule, doc, use: handler)
    }
    func put(_ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.put, path, rule, doc, use: handler)
    }
    func patch(_ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.patch, path, rule, doc, use: handler)
    }
    func delete(_ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.delete, path, rule, doc, use: handler)
    }
}

extension Routes where Context: WebSocketRequestContext {
    /// A WebSocket upgrade (a `GET`) with its rule.
    func ws(_ path: RouterPath, _ rule: RouteRule, _ doc: APIDoc,
            shouldUpgrade: @Sendable @escaping (Request, Context) async throws -> RouterShouldUpgrade,
            onUpgrade handler: @escaping WebSocketDataHandler<WebSocketRouterContext<Context>>) {
        table.declare(.get, path, rule, doc)
        router.ws(path, shouldUpgrade: shouldUpgrade, onUpgrade: handler)
    }
}
