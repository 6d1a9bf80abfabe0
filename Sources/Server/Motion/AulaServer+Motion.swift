import Alerts
import Foundation
import Hummingbird
import Motion
import Recorder

extension AulaServer {
    /// Motion configuration, events and alerts (docs/motion.md).
    func registerMotionRoutes(on router: Router<AulaContext>) {
        MotionRoutes(catalog: catalog, sink: motion, defaultTimeZone: configuration.timeZone, privacy: privacyZones).register(on: router)
        EventRoutes(catalog: catalog, privacy: privacyZones).register(on: router)
        AlertRoutes(hub: alerts, scheme: publicScheme, guardian: ConnectionGuard(authenticator: authenticator, rights: rightsChanges)).register(on: router)
    }

    /// Starts analysis for every camera with an enabled motion configuration.
    public func startMotion() async throws {
        let cameras = Set(try await catalog.cameras().map(\.id))
        // Settings of a deleted camera stay stored (like its footage) but are not analysed; its
        // privacy zones still mask its footage.
        for (camera, json) in try await catalog.motionConfigurations() {
            do {
                let stored = try JSONDecoder().decode(MotionRoutes.Stored.self, from: Data(json.utf8))
                privacyZones.set(camera: camera, zones: stored.configuration.zones)
                if stored.enabled && cameras.contains(camera) { motion.configure(camera: camera, stored.configuration, timeZone: stored.scheduleTimeZone(default: configuration.timeZone)) }
            } catch {
                // Its privacy zones are unknown: restricted users see none of its picture until an
                // administrator saves the configuration again (fail closed).
                privacyZones.maskEverything(camera: camera)
                logger.error("stored motion configuration is unreadable; camera not analysed and fully masked for users without seeBehindMasks",
                             metadata: ["camera": "\(camera)", "error": "\(error)"])
            }
        }
    }

    /// Camera, recording and disk alerts, and escalation.
    public var alertMonitor: AlertMonitor {
        AlertMonitor(hub: alerts, recorder: recorder, writer: writer, usage: usageCache,
                     pressure: StoragePressure(writer: writer, storage: storage, policy: configuration.retention),
                     configuration: configuration.alerts, logger: logger)
    }
}
