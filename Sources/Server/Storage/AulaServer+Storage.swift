extension AulaServer {
    /// What recording does with the disk, as routes and metrics read it.
    var recordingObserver: RecordingObserver {
        RecordingObserver(writer: writer, subWriter: subWriter, store: catalog, usageCache: usageCache, storage: storage, policy: configuration.retention)
    }

    /// Storage, retention and Prometheus metrics (docs/storage.md).
    func registerStorageRoutes(on routes: Routes<AulaContext>) {
        StorageRoutes<AulaContext>(observer: recordingObserver, cameras: catalog).register(on: routes)
        MetricsRoute<AulaContext>(recorder: recorder, observer: recordingObserver, persistent: metrics).register(on: routes)
    }
}
