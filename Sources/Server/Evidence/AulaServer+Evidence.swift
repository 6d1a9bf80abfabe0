extension AulaServer {
    /// Signed evidence exports and evidence locks (docs/security.md).
    func registerEvidenceRoutes(on routes: Routes<AulaContext>) {
        EvidenceRoutes(catalog: catalog, layout: writer.layout, recovery: recovery, signer: signer, privacy: privacyZones,
                       maskedExports: maskedExports, retention: configuration.retention, peers: peers).register(on: routes)
    }
}
