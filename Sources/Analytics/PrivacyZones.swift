import Catalog
import Motion
import Synchronization

/// Each camera's privacy zones (polygons of kind `privacy` in its stored motion configuration),
/// and who must see them blacked out: everyone without the right to see behind masks
/// (``User/seesBehindMasks``). Zones apply whether motion analysis is on or off, and to a deleted
/// camera's footage too, for as long as its configuration is stored.
public final class PrivacyZones: Sendable {
    private let maskers = Mutex<[Int64: PrivacyMasker]>([:])

    public init() {}

    /// Sets a camera's zones; only the privacy zones count, and none removes the camera.
    public func set(camera: Int64, zones: [Zone]) {
        let masker = PrivacyMasker(zones: zones)
        maskers.withLock { $0[camera] = masker.polygons.isEmpty ? nil : masker }
    }

    /// Masks the whole picture of `camera` for everyone without the right to see behind masks:
    /// what a camera gets when its stored zones cannot be read (fail closed, not open).
    public func maskEverything(camera: Int64) {
        let whole = try? ZonePolygon([NormalizedPoint(x: 0, y: 0), NormalizedPoint(x: 1, y: 0), NormalizedPoint(x: 1, y: 1), NormalizedPoint(x: 0, y: 1)])
        maskers.withLock { $0[camera] = PrivacyMasker(polygons: whole.map { [$0] } ?? []) }
    }

    /// The camera's masks; nil when it has no privacy zone.
    public func masker(camera: Int64) -> PrivacyMasker? { maskers.withLock { $0[camera] } }

    /// The masks `user` must get `camera`'s pictures with; nil means the original bytes.
    public func masks(for user: User?, camera: Int64) -> PrivacyMasker? {
        // No user (cannot happen behind the middleware) is treated as the most restricted one.
        if let user, user.seesBehindMasks { return nil }
        return masker(camera: camera)
    }

    /// Cameras with privacy zones.
    public var cameras: Set<Int64> { maskers.withLock { Set($0.keys) } }
}

extension PrivacyMasker {
    /// A stable text of the polygons, for ETags and cache keys of masked files.
    public var fingerprint: String {
        polygons.map { $0.points.map { "\($0.x),\($0.y)" }.joined(separator: ";") }.joined(separator: "|")
    }
}
