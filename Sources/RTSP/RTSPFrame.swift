/// What arrives on an RTSP-over-TCP connection: either a message, or a `$`-prefixed interleaved
/// binary frame carrying one RTP or RTCP packet (RFC 2326 §10.12).
public enum RTSPFrame: Sendable, Equatable {
    case message(RTSPMessage)
    case interleaved(channel: UInt8, payload: [UInt8])
}
