/// Splits H.265 access units into RTP packets: single NAL unit packets, aggregation packets (AP) for consecutive small units and fragmentation units (FU) for large ones (RFC 7798, no DONL).
///
/// NAL units that cannot be carried as they are (types reserved for packets, or too short) are
/// skipped.
public struct H265Packetizer: Packetizer {
    private var engine: PacketizerEngine<H265PayloadFormat>

    /// - Parameters:
    ///   - mtu: the largest RTP packet (12-byte header plus payload) to produce.
    ///   - payloadType: the dynamic payload type announced in the SDP.
    ///   - ssrc: the synchronisation source of the stream.
    ///   - initialSequenceNumber: the first packet's sequence number.
    public init(mtu: Int = 1400, payloadType: UInt8 = 96, ssrc: UInt32, initialSequenceNumber: UInt16) {
        engine = PacketizerEngine(mtu: mtu, payloadType: payloadType, ssrc: ssrc, initialSequenceNumber: initialSequenceNumber)
    }

    public var nextSequenceNumber: UInt16 { engine.nextSequenceNumber }

    public mutating func packetize(nalUnits: [[UInt8]], rtpTimestamp: UInt32) -> [RTPPacket] {
        engine.packetize(nalUnits: nalUnits, rtpTimestamp: rtpTimestamp)
    }
}
