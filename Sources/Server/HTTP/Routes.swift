import Hummingbird
import HummingbirdWebSocket

/// Where a feature registers its routes: each route only together with its access rule, so that a
/// route cannot exist without one, and the rule is read beside the handler it guards.
///
/// ```swift
/// routes.get("api/cameras/:id", .roles(Roles.cameraViewers, camera: .metadata), use: show)
/// ```
struct Routes<Context: RequestContext> {
    let router: Router<Context>
    let rules: AccessRules

    func on(_ method: HTTPRequest.Method, _ path: RouterPath, _ rule: RouteRule,
            use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        rules.declare(method, path, rule)
        router.on(path, method: method, use: handler)
    }

    func get(_ path: RouterPath, _ rule: RouteRule, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.get, path, rule, use: handler)
    }
    func head(_ path: RouterPath, _ rule: RouteRule, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.head, path, rule, use: handler)
    }
    func post(_ path: RouterPath, _ rule: RouteRule, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.post, path, rule, use: handler)
    }
    func put(_ path: RouterPath, _ rule: RouteRule, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.put, path, rule, use: handler)
    }
    func patch(_ path: RouterPath, _ rule: RouteRule, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.patch, path, rule, use: handler)
    }
    func delete(_ path: RouterPath, _ rule: RouteRule, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) {
        on(.delete, path, rule, use: handler)
    }
}

extension Routes where Context: WebSocketRequestContext {
    /// A WebSocket upgrade (a `GET`) with its rule.
    func ws(_ path: RouterPath, _ rule: RouteRule,
            shouldUpgrade: @Sendable @escaping (Request, Context) async throws -> RouterShouldUpgrade,
            onUpgrade handler: @escaping WebSocketDataHandler<WebSocketRouterContext<Context>>) {
        rules.declare(.get, path, rule)
        router.ws(path, shouldUpgrade: shouldUpgrade, onUpgrade: handler)
    }
}
