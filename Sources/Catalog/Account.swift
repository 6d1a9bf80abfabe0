/// What a user is for. The role fixes which routes a user may call (see the server's access
/// policy); grants then narrow or widen which cameras' video that reaches.
public enum Role: String, Sendable, Codable, Hashable, CaseIterable {
    /// Everything, including users, cameras and evidence locks.
    case administrator
    /// Live view, playback and export of every camera not denied to them; events and alerts.
    case `operator`
    /// Live view of the cameras granted to them (their post); their own alerts.
    case `guard`
    /// Maps, coverage, offences, plans and reports; video only of cameras granted to them.
    case analyst
    /// The audit trail and nothing else.
    case auditor
}

/// What a user wants to do with one camera.
public enum CameraAction: String, Sendable, Hashable, CaseIterable {
    /// See that the camera exists, where it is and how it is doing.
    case metadata
    case live
    case playback
    case export
}

/// A grant or a denial of one camera or of every camera in a district. A deny beats an allow.
public struct AccessGrant: Sendable, Hashable, Codable {
    public enum Effect: String, Sendable, Hashable, Codable { case allow, deny }
    public enum Scope: String, Sendable, Hashable, Codable { case camera, district }

    public var effect: Effect
    public var scope: Scope
    /// A camera id (as text) or a district name.
    public var target: String

    public init(effect: Effect, scope: Scope, target: String) {
        self.effect = effect
        self.scope = scope
        self.target = target
    }

    public func matches(_ camera: Camera) -> Bool {
        switch scope {
        case .camera: return target == String(camera.id)
        case .district: return !camera.district.isEmpty && target == camera.district
        }
    }
}

/// A person (or integration) who signs in.
public struct User: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var name: String
    public var role: Role
    /// bcrypt hash; never leaves the server.
    public var passwordHash: String
    /// Set for a one-time password: the user must choose a new one before doing anything else.
    public var mustChangePassword: Bool
    public var grants: [AccessGrant]
    public var createdAt: Int64
    /// The right to see behind privacy masks (residents' windows), granted by an administrator.
    /// Without it, live view, playback and exports of cameras with privacy zones are served
    /// decoded, blacked out and re-encoded (docs/motion.md, "Privacy masks"). See
    /// ``seesBehindMasks``, which also counts administrators.
    public var seeBehindMasks: Bool

    public init(id: Int64 = 0, name: String, role: Role, passwordHash: String, mustChangePassword: Bool = false, grants: [AccessGrant] = [], createdAt: Int64 = 0,
                seeBehindMasks: Bool = false) {
        self.id = id
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.mustChangePassword = mustChangePassword
        self.grants = grants
        self.createdAt = createdAt
        self.seeBehindMasks = seeBehindMasks
    }

    /// Whether this user gets cameras' original pictures even where privacy zones are drawn:
    /// administrators always (they draw the zones), everyone else only with ``seeBehindMasks``.
    public var seesBehindMasks: Bool { role == .administrator || seeBehindMasks }

    /// Whether this user may do `action` with `camera`: the role must allow the action at all;
    /// then any matching deny refuses, and roles whose video is opt-in need a matching allow.
    public func may(_ action: CameraAction, _ camera: Camera) -> Bool {
        if role == .administrator { return true }
        let matching = grants.filter { $0.matches(camera) }
        if matching.contains(where: { $0.effect == .deny }) { return false }
        let granted = matching.contains { $0.effect == .allow }
        switch (role, action) {
        case (.operator, _): return true
        case (.guard, .metadata), (.guard, .live): return granted
        case (.analyst, .metadata): return true
        case (.analyst, .live), (.analyst, .playback): return granted
        default: return false
        }
    }
}

/// Keeps footage of one camera over a time range past retention, until an administrator unlocks it.
public struct EvidenceLock: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var cameraID: Int64
    /// 90 kHz ticks since the Unix epoch, like recordings.
    public var start90k: Int64
    public var end90k: Int64
    public var reason: String
    public var createdBy: String
    /// Microseconds since the Unix epoch.
    public var createdAt: Int64

    public init(id: Int64 = 0, cameraID: Int64, start90k: Int64, end90k: Int64, reason: String, createdBy: String, createdAt: Int64 = 0) {
        self.id = id
        self.cameraID = cameraID
        self.start90k = start90k
        self.end90k = end90k
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// Whether any part of `recording` falls inside the lock.
    public func covers(_ recording: Recording) -> Bool {
        recording.cameraID == cameraID && recording.start90k < end90k && recording.end90k > start90k
    }
}
