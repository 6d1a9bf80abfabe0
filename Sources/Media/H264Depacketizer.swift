/// Reassembles H.264 access units from RTP packets, following RFC 6184: single NAL unit, STAP-A and FU-A packets (packetization-mode 0 and 1). STAP-B, MTAP and FU-B (interleaved mode) throw and are counted as unsupported.
public struct H264Depacketizer: Depacketizer {
    private var engine: DepacketizerEngine<H264PayloadFormat>

    /// - Parameters:
    ///   - parameterSets: parameter sets from the SDP, if any; in-band ones replace them.
    ///   - reorderWindow: how many packets to hold to put out-of-order arrivals back in order
    ///     (0 for TCP-interleaved streams, a few for UDP; at most 1000).
    public init(parameterSets: ParameterSets = .init(), reorderWindow: Int = 0) {
        engine = DepacketizerEngine(parameterSets: parameterSets, reorderWindow: reorderWindow)
    }

    public var codec: VideoCodec { .h264 }
    public var stats: DepacketizerStats { engine.stats }
    public var parameterSets: ParameterSets { engine.parameterSets }

    public mutating func push(_ packet: RTPPacket) throws(MediaError) -> [AccessUnit] {
        try engine.push(packet)
    }

    public mutating func flush() -> [AccessUnit] {
        engine.flush()
    }
}
