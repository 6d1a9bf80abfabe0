import CityServices
import Hummingbird

extension AulaServer {
    /// City map, coverage and planning routes (see docs/city-api.md, docs/coverage.md and
    /// docs/planning.md), and the static web UI from `Web/` (see ``WebRoot``).
    func registerCityRoutes(on router: Router<AulaContext>) {
        let service = CityService(store: CityStore(dataDirectory: configuration.dataDirectory), cameras: catalog)
        CityRoutes<AulaContext>(service: service, heavy: heavyWork).register(on: router)
        if let root = WebRoot.locate() {
            router.middlewares.add(WebMiddleware<AulaContext>(root: root))
        } else {
            logger.warning("web UI folder not found; set AULA_WEB_ROOT to the Web/ folder of the source tree")
        }
    }
}
