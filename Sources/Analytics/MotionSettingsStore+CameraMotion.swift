import Catalog
import Foundation
import Motion

/// Motion settings as a typed value (``CameraMotion``) over any catalogue: the backend stores the
/// JSON document and never reads it, so its schema has one owner, the Motion module.
extension MotionSettingsStore {
    public func cameraMotion(camera: Int64) async throws -> CameraMotion? {
        guard let json = try await motionConfiguration(camera: camera) else { return nil }
        return try JSONDecoder().decode(CameraMotion.self, from: Data(json.utf8))
    }

    /// Every camera's stored settings; one that no longer decodes is a failure for that camera
    /// alone (its caller fails closed), not for all.
    public func cameraMotions() async throws -> [Int64: Result<CameraMotion, any Error>] {
        try await motionConfigurations().mapValues { json in
            Result { try JSONDecoder().decode(CameraMotion.self, from: Data(json.utf8)) }
        }
    }

    public func setCameraMotion(_ value: CameraMotion?, camera: Int64) async throws {
        try await setMotionConfiguration(value.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }, camera: camera)
    }
}
