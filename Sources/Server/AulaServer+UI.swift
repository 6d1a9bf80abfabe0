import Hummingbird

extension AulaServer {
    /// The operator UI's own routes (issue 5; docs/ui.md): snapshots, camera health, camera test.
    func registerUIRoutes(on router: Router<AulaContext>) {
        SnapshotRoute(cameras: catalog, keyFrames: keyFrames, privacy: privacyZones).register(on: router)
        CameraHealthRoute<AulaContext>(cameras: catalog, recordings: catalog, history: streamingHistory).register(on: router)
        CameraTestRoute<AulaContext>(cameras: catalog).register(on: router)
    }
}
