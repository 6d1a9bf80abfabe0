extension AulaServer {
    /// The camera registry, the connection test and the health page (docs/api.md, docs/ui.md).
    func registerCameraRoutes(on routes: Routes<AulaContext>) {
        CameraRoutes<AulaContext>(store: catalog, recorder: recorder, observer: recordingObserver, cluster: catalog.cluster,
                                  deleted: { [motion] id in motion.configure(camera: id, nil) }).register(on: routes)
        CameraTestRoute<AulaContext>(cameras: catalog).register(on: routes)
        CameraHealthRoute<AulaContext>(cameras: catalog, recordings: catalog, history: streamingHistory).register(on: routes)
    }
}
