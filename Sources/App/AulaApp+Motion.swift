import Analytics
import Foundation
import Motion

extension AulaApp {
    /// Starts analysis for every camera with an enabled motion configuration, and loads every
    /// camera's privacy zones.
    public func startMotion() async throws {
        let cameras = Set(try await catalog.cameras().map(\.id))
        // Settings of a deleted camera stay stored (like its footage) but are not analysed; its
        // privacy zones still mask its footage.
        let stored = try await catalog.cameraMotions()
        // Analysis turned off or the camera deleted (here or, in a cluster, on another node):
        // analysed no more.
        for camera in motion.counters().keys where stored[camera] == nil || !cameras.contains(camera) { motion.configure(camera: camera, nil) }
        for (camera, stored) in stored {
            switch stored {
            case .success(let stored):
                privacyZones.set(camera: camera, zones: stored.configuration.zones)
                if stored.enabled && cameras.contains(camera) {
                    motion.configure(camera: camera, stored.configuration, timeZone: stored.scheduleTimeZone(default: configuration.timeZone))
                } else if motion.configuration(camera: camera) != nil {
                    motion.configure(camera: camera, nil)
                }
            case .failure(let error):
                // Its privacy zones are unknown: restricted users see none of its picture until an
                // administrator saves the configuration again (fail closed).
                privacyZones.maskEverything(camera: camera)
                logger.error("stored motion configuration is unreadable; camera not analysed and fully masked for users without seeBehindMasks",
                             metadata: ["camera": "\(camera)", "error": "\(error)"])
            }
        }
    }
}
