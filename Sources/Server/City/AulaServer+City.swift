import Hummingbird

extension AulaServer {
    /// City map, coverage and planning routes (see docs/coverage.md and docs/planning.md).
    func registerCityRoutes(on router: Router<BasicRequestContext>) {}
}
