/// The state of a camera's ingest, as an operator sees it.
public enum IngestState: String, Sendable, Codable {
    /// Opening the RTSP session.
    case connecting
    /// Frames are arriving.
    case streaming
    /// The last attempt failed for a reason that may pass (network, camera reboot); retrying.
    case retrying
    /// The camera refuses us for a reason that needs a person (password, path, codec); Aula keeps
    /// retrying slowly in case it is fixed on the camera side.
    case failed
}

/// Live status of one camera, as returned by `GET /api/cameras/{id}`.
public struct CameraStatus: Sendable, Codable, Equatable {
    public var state: IngestState = .connecting
    public var codec: String?
    public var width: Int?
    public var height: Int?
    public var profile: String?
    /// Frames per second over the last few seconds.
    public var fps: Double?
    /// Bits per second over the last few seconds.
    public var bitrate: Int?
    public var framesReceived: Int = 0
    public var keyFrames: Int = 0
    /// Breaks in RTP sequence numbers (lost packets) since the server started.
    public var gaps: Int = 0
    public var lostPackets: Int = 0
    public var droppedFrames: Int = 0
    /// Wall time of the last frame, microseconds since the epoch.
    public var lastFrameTime: Int64?
    public var lastError: String?
    public var lastErrorTime: Int64?
    /// How many times the session was (re)opened.
    public var connections: Int = 0
    public var nextRetryTime: Int64?

    public init() {}
}
