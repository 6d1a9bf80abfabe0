extension AulaServer {
    /// Recorded video: runs and gaps, and any range as an .mp4 (docs/storage.md, docs/api.md).
    func registerRecordingRoutes(on routes: Routes<AulaContext>) {
        RecordingRoutes(cameras: catalog, recordings: catalog, layout: writer.layout, recovery: recovery, privacy: privacyZones,
                        maskedExports: maskedExports, exports: exportCache, peers: peers).register(on: routes)
    }
}
