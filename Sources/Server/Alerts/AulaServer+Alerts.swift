extension AulaServer {
    /// Alerts, their acknowledgement and the live alert stream (docs/motion.md, "Alerts").
    func registerAlertRoutes(on routes: Routes<AulaContext>) {
        AlertRoutes(hub: alerts, scheme: publicScheme, guardian: ConnectionGuard(authenticator: authenticator, rights: rightsChanges)).register(on: routes)
    }
}
