extension AulaServer {
    /// Live view over WebSocket and snapshots of the newest key frame (docs/live.md, docs/ui.md).
    func registerLiveRoutes(on routes: Routes<AulaContext>) {
        let live = LiveRoute(cameras: catalog, sources: liveSources, recorder: recorder, privacy: privacyZones, scheme: publicScheme,
                             guardian: ConnectionGuard(authenticator: authenticator, rights: rightsChanges), sockets: liveSockets, peers: peers)
        live.register(on: routes)
        LiveWallRoute(live: live, audit: catalog).register(on: routes)
        WallRoutes(catalog: catalog).register(on: routes)
        SnapshotRoute(cameras: catalog, keyFrames: keyFrames, privacy: privacyZones, peers: peers).register(on: routes)
    }
}
