extension AulaServer {
    /// The static web UI from `Web/` (see ``WebRoot``): public files, like the sign-in page.
    func registerWebUI(on routes: Routes<AulaContext>) {
        if let root = WebRoot.locate() {
            routes.router.middlewares.add(WebMiddleware<AulaContext>(root: root))
        } else {
            logger.warning("web UI folder not found; set AULA_WEB_ROOT to the Web/ folder of the source tree")
        }
    }
}
