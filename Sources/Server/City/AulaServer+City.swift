import CityServices

extension AulaServer {
    /// City map, coverage and planning routes (see docs/city-api.md, docs/coverage.md and
    /// docs/planning.md).
    func registerCityRoutes(on routes: Routes<AulaContext>) {
        let service = CityService(store: city, cameras: catalog)
        CityRoutes<AulaContext>(service: service, heavy: heavyWork).register(on: routes)
    }
}
