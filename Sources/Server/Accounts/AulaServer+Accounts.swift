extension AulaServer {
    /// Sessions, users and tokens, and the audit trail (docs/security.md).
    func registerAccountRoutes(on routes: Routes<AulaContext>) {
        SessionRoutes(authenticator: authenticator, catalog: catalog).register(on: routes)
        UserRoutes(authenticator: authenticator, catalog: catalog).register(on: routes)
        AuditRoutes(catalog: catalog).register(on: routes)
    }
}
