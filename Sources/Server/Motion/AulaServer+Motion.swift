import Hummingbird

extension AulaServer {
    /// Motion configuration, events and alerts (docs/motion.md).
    func registerMotionRoutes(on router: Router<AulaContext>) {
        MotionRoutes(catalog: catalog, sink: motion, defaultTimeZone: configuration.timeZone, privacy: privacyZones).register(on: router)
        EventRoutes(catalog: catalog, privacy: privacyZones).register(on: router)
        AlertRoutes(hub: alerts, scheme: publicScheme, guardian: ConnectionGuard(authenticator: authenticator, rights: rightsChanges)).register(on: router)
    }
}
