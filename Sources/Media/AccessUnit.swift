/// One coded picture: the NAL units that share an RTP timestamp.
public struct AccessUnit: Sendable, Equatable {
    /// Media time in 90 kHz ticks: the RTP timestamp extended to 64 bits across wrap-arounds.
    ///
    /// The first access unit of a stream takes its RTP timestamp as is; each later one adds the
    /// signed 32-bit difference to the previous access unit's RTP timestamp, so the value keeps
    /// counting when the 32-bit RTP timestamp wraps (every 13 hours at 90 kHz).
    public var timestamp: Int64
    /// The RTP timestamp as sent.
    public var rtpTimestamp: UInt32
    /// Whether a decoder can start here: H.264 IDR (type 5), H.265 IRAP (types 16...23).
    public var isKeyFrame: Bool
    /// NAL units without start codes, in decoding order.
    public var nalUnits: [[UInt8]]

    public init(timestamp: Int64, rtpTimestamp: UInt32, isKeyFrame: Bool, nalUnits: [[UInt8]]) {
        self.timestamp = timestamp
        self.rtpTimestamp = rtpTimestamp
        self.isKeyFrame = isKeyFrame
        self.nalUnits = nalUnits
    }
}
