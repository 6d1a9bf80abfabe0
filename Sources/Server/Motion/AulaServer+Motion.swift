extension AulaServer {
    /// Motion configuration and events (docs/motion.md).
    func registerMotionRoutes(on routes: Routes<AulaContext>) {
        MotionRoutes(catalog: catalog, sink: motion, defaultTimeZone: configuration.timeZone, privacy: privacyZones).register(on: routes)
        EventRoutes(catalog: catalog, privacy: privacyZones).register(on: routes)
    }
}
