/// Where a camera is mounted: a residential courtyard or a street. Coverage and planning treat them
/// differently (courtyards by area, streets by length).
public enum SiteKind: String, Sendable, Codable, Hashable, CaseIterable {
    case courtyard
    case street
}

/// A camera's second RTSP stream (its "sub stream": smaller, for walls and motion analysis;
/// docs/live.md, "Main and sub streams"). Without its own account it logs in with the camera's.
public struct CameraStream: Sendable, Hashable {
    /// `rtsp://host[:port]/path`, without credentials.
    public var rtspURL: String
    public var username: String?
    /// Sealed in the catalogue like the camera's own password.
    public var password: String?
    /// Record this stream too, beside the main stream (docs/storage.md, "Two streams of a camera").
    public var record: Bool
    /// How long its recordings are kept, in days; nil: as long as the main stream's.
    public var maxAgeDays: Int?

    public init(rtspURL: String, username: String? = nil, password: String? = nil, record: Bool = false, maxAgeDays: Int? = nil) {
        self.rtspURL = rtspURL
        self.username = username
        self.password = password
        self.record = record
        self.maxAgeDays = maxAgeDays
    }

    /// The same address and account: a change of anything else (recording, retention) needs no
    /// new RTSP session.
    public func sameLogin(as other: CameraStream) -> Bool {
        rtspURL == other.rtspURL && username == other.username && password == other.password
    }
}

/// A camera as registered by an administrator.
///
/// The password is kept here so that the recorder can log in, but it is never encoded into API
/// responses or logs: see ``CameraView`` for what the API returns.
public struct Camera: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var name: String
    /// `rtsp://host[:port]/path`, without credentials (they are split off into ``username``/``password``).
    public var rtspURL: String
    public var username: String?
    public var password: String?
    public var latitude: Double
    public var longitude: Double
    /// Degrees clockwise from north, in [0, 360).
    public var heading: Double
    /// Horizontal field of view in degrees, in (0, 360].
    public var fieldOfView: Double
    /// How far the camera usefully sees, in metres.
    public var range: Double
    /// Mounting height above ground, in metres.
    public var mountingHeight: Double
    public var address: String
    public var site: SiteKind
    public var district: String
    /// The sub stream, when the camera sends one (every camera sold today does).
    public var subStream: CameraStream?
    /// Microseconds since the Unix epoch (the catalogue stores integers, never dates).
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: Int64 = 0, name: String, rtspURL: String, username: String? = nil, password: String? = nil,
        latitude: Double, longitude: Double, heading: Double = 0, fieldOfView: Double = 90,
        range: Double = 30, mountingHeight: Double = 4, address: String = "", site: SiteKind = .courtyard,
        district: String = "", subStream: CameraStream? = nil, createdAt: Int64 = 0, updatedAt: Int64 = 0
    ) {
        self.id = id
        self.name = name
        self.rtspURL = rtspURL
        self.username = username
        self.password = password
        self.latitude = latitude
        self.longitude = longitude
        self.heading = heading
        self.fieldOfView = fieldOfView
        self.range = range
        self.mountingHeight = mountingHeight
        self.address = address
        self.site = site
        self.district = district
        self.subStream = subStream
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Camera {
    /// Where and how the recorder logs in to the sub stream: its own account, or the camera's.
    public var subStreamLogin: CameraStream? {
        guard var sub = subStream else { return nil }
        if sub.username == nil {
            sub.username = username
            sub.password = password
        }
        return sub
    }
}
