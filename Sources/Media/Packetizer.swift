/// Splits access units into RTP packets.
public protocol Packetizer: Sendable {
    /// Packets for one access unit; the marker bit is set on the last one.
    mutating func packetize(nalUnits: [[UInt8]], rtpTimestamp: UInt32) -> [RTPPacket]
    /// The sequence number the next packet will carry (for RTP-Info in RTSP PLAY responses).
    var nextSequenceNumber: UInt16 { get }
}

/// Creates the packetizer for `codec`.
public func makePacketizer(
    codec: VideoCodec, mtu: Int = 1400, payloadType: UInt8 = 96, ssrc: UInt32, initialSequenceNumber: UInt16
) -> any Packetizer {
    switch codec {
    case .h264: H264Packetizer(mtu: mtu, payloadType: payloadType, ssrc: ssrc, initialSequenceNumber: initialSequenceNumber)
    case .h265: H265Packetizer(mtu: mtu, payloadType: payloadType, ssrc: ssrc, initialSequenceNumber: initialSequenceNumber)
    }
}
