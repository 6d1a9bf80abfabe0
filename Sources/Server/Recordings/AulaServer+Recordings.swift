extension AulaServer {
    /// Recorded video: runs and gaps, any range as an .mp4, and the key frame at any moment as a
    /// JPEG for playback's timeline (docs/storage.md, docs/api.md, docs/ui.md).
    func registerRecordingRoutes(on routes: Routes<AulaContext>) {
        RecordingRoutes(cameras: catalog, recordings: catalog, layout: writer.layout, recovery: recovery, privacy: privacyZones,
                        maskedExports: maskedExports, exports: exportCache, peers: peers).register(on: routes)
        FrameRoute(cameras: catalog, recordings: catalog, layout: writer.layout, recovery: recovery, peers: peers,
                   privacy: privacyZones, heavy: heavyWork).register(on: routes)
    }
}
