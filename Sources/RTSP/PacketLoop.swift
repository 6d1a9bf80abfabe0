import Media

/// A pre-packetised stream that a server can replay forever at almost no cost: the RTP packets of
/// every frame are built once, and each send only patches sequence numbers and timestamps so that
/// they continue across loops (a looping clip then looks like one endless camera stream).
/// One encoded frame as produced by an encoder: NAL units in decoding order.
public struct EncodedFrame: Sendable, Equatable {
    public var nalUnits: [[UInt8]]
    public var isKeyFrame: Bool
    /// Position of the frame in presentation order, when it differs from decoding order (B-frames).
    public var presentationIndex: Int?

    public init(nalUnits: [[UInt8]], isKeyFrame: Bool, presentationIndex: Int? = nil) {
        self.nalUnits = nalUnits
        self.isKeyFrame = isKeyFrame
        self.presentationIndex = presentationIndex
    }
}

public struct PacketLoop: Sendable {
    /// One frame: its interleaved bytes (`$`, channel, length, RTP packet; repeated), where each RTP
    /// header starts, and when the frame is due relative to the loop start (90 kHz).
    public struct Frame: Sendable {
        public var bytes: [UInt8]
        public var rtpHeaderOffsets: [Int]
        public var offset90k: Int64
        /// The frame's RTP timestamp relative to the loop start: its presentation time plus the
        /// loop's constant reordering delay (equal to `offset90k` without B-frames).
        public var timestamp90k: Int64
        public var isKeyFrame: Bool
        /// Index of this frame's first packet within the loop (for continuous sequence numbers).
        public var firstPacketIndex: Int
    }

    public var codec: VideoCodec
    public var frames: [Frame]
    /// Length of one loop in 90 kHz ticks.
    public var loopDuration90k: Int64
    public var packetsPerLoop: Int
    /// The SDP announced for this stream.
    public var sdp: String
    public var payloadType: UInt8

    /// Packetises `accessUnits` (NAL units without start codes) at `frameRate`.
    public init(codec: VideoCodec, accessUnits: [EncodedFrame], frameRate: Int, parameterSets: ParameterSets, mtu: Int = 1400, payloadType: UInt8 = 96) {
        self.codec = codec
        self.payloadType = payloadType
        let tick = Int64(90_000 / max(1, frameRate))
        var packetizer = makePacketizer(codec: codec, mtu: mtu, payloadType: payloadType, ssrc: 0, initialSequenceNumber: 0)
        var frames: [Frame] = []
        var packets = 0
        // With B-frames a frame can be presented before the previous one in decoding order; a constant
        // delay keeps every presentation time at or after its decoding time.
        let reorder = accessUnits.enumerated().map { i, unit in Int64(i - (unit.presentationIndex ?? i)) }.max() ?? 0
        let loopDelay = max(0, reorder) * tick
        for (i, unit) in accessUnits.enumerated() {
            // Sent in decoding order, one frame per tick; stamped with the presentation time, which
            // differs from the decoding time only when the stream has B-frames.
            let offset = Int64(i) * tick
            let pts = unit.presentationIndex.map { Int64($0) * tick } ?? offset
            let timestamp = pts + loopDelay
            let rtp = packetizer.packetize(nalUnits: unit.nalUnits, rtpTimestamp: UInt32(truncatingIfNeeded: timestamp))
            var bytes: [UInt8] = []
            var offsets: [Int] = []
            for packet in rtp {
                let serialized = packet.serialized()
                bytes.append(0x24)
                bytes.append(0)
                bytes.append(UInt8(serialized.count >> 8))
                bytes.append(UInt8(serialized.count & 0xFF))
                offsets.append(bytes.count)
                bytes.append(contentsOf: serialized)
            }
            frames.append(Frame(bytes: bytes, rtpHeaderOffsets: offsets, offset90k: offset, timestamp90k: timestamp, isKeyFrame: unit.isKeyFrame, firstPacketIndex: packets))
            packets += rtp.count
        }
        self.frames = frames
        self.packetsPerLoop = packets
        self.loopDuration90k = Int64(accessUnits.count) * tick
        var fmtp: [String: String] = ["packetization-mode": "1"]
        switch codec {
        case .h264:
            if let sps = parameterSets.sps, let pps = parameterSets.pps {
                fmtp["sprop-parameter-sets"] = Base64.encode(sps) + "," + Base64.encode(pps)
                if sps.count >= 4 {
                    fmtp["profile-level-id"] = sps[1...3].map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
                }
            }
        case .h265:
            fmtp = [:]
            if let vps = parameterSets.vps { fmtp["sprop-vps"] = Base64.encode(vps) }
            if let sps = parameterSets.sps { fmtp["sprop-sps"] = Base64.encode(sps) }
            if let pps = parameterSets.pps { fmtp["sprop-pps"] = Base64.encode(pps) }
        }
        sdp = Self.simpleSDP(codec: codec, payloadType: payloadType, formatParameters: fmtp, control: "trackID=0")
    }
}

extension PacketLoop {
    /// A one-track SDP as Aula's RTSP server announces it.
    static func simpleSDP(codec: VideoCodec, payloadType: UInt8, formatParameters: [String: String], control: String) -> String {
        let fmtp = formatParameters.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        return [
            "v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=Aula", "c=IN IP4 0.0.0.0", "t=0 0", "a=control:*",
            "m=video 0 RTP/AVP \(payloadType)", "a=rtpmap:\(payloadType) \(codec == .h264 ? "H264" : "H265")/90000",
            "a=fmtp:\(payloadType) \(fmtp)", "a=control:\(control)",
        ].joined(separator: "\r\n") + "\r\n"
    }
}
