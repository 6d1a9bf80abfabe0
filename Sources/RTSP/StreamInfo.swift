import Media

/// What an RTSP session learned about the video stream once it started playing.
public struct StreamInfo: Sendable, Equatable {
    public var codec: VideoCodec
    public var payloadType: UInt8
    public var clockRate: Int
    /// Parameter sets from the SDP (`sprop-*`); in-band ones later override them.
    public var sdpParameterSets: ParameterSets
    public var sdp: String
}

/// What an RTSP session hands to its consumer.
public enum RTSPStreamEvent: Sendable {
    /// PLAY succeeded; frames follow.
    case started(StreamInfo)
    /// One complete access unit, with the parameters to decode it.
    case accessUnit(AccessUnit, VideoParameters, DepacketizerStats)
}

/// Receives every access unit of a session synchronously, on the connection's event loop (see
/// ``RTSPClient/run(frames:_:)``). It must return at once.
public typealias RTSPFrameHandler = @Sendable (AccessUnit, VideoParameters, DepacketizerStats) -> Void
