/// One `m=` section of an SDP, with the attributes Aula uses.
///
/// Only the first format of the `m=` line is described (cameras offer one per stream).
public struct MediaDescription: Sendable, Equatable {
    /// "video", "audio", "application" ...
    public var mediaType: String
    public var port: Int
    /// "RTP/AVP", "RTP/AVP/TCP" ...
    public var proto: String
    public var payloadType: UInt8
    /// From `a=rtpmap`, e.g. "H264"; for static payload types without rtpmap, from RFC 3551;
    /// empty (with clock rate 0) when the SDP does not say.
    public var encodingName: String
    public var clockRate: Int
    /// Media-level `a=control`: a URL relative to the session's, or absolute.
    public var control: String?
    /// From `a=fmtp`; keys are lowercased because format parameter names are case-insensitive.
    public var formatParameters: [String: String]
    /// Other media-level attribute lines, without `a=` (e.g. "recvonly", "framerate:25").
    public var attributes: [String]

    public init(
        mediaType: String = "video", port: Int = 0, proto: String = "RTP/AVP", payloadType: UInt8 = 96,
        encodingName: String, clockRate: Int = 90_000, control: String? = nil,
        formatParameters: [String: String] = [:], attributes: [String] = []
    ) {
        self.mediaType = mediaType
        self.port = port
        self.proto = proto
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.control = control
        self.formatParameters = formatParameters
        self.attributes = attributes
    }

    /// The video codec, if this is H.264 or H.265.
    public var codec: VideoCodec? {
        switch encodingName.uppercased() {
        case "H264": .h264
        case "H265", "HEVC": .h265
        default: nil
        }
    }

    /// Parameter sets from `sprop-parameter-sets` (H.264) or `sprop-vps`/`sprop-sps`/`sprop-pps`
    /// (H.265). Entries that are not valid Base64 are ignored, since cameras send junk here; each
    /// decoded NAL unit goes to the slot its type names, the first of each kind winning.
    public var parameterSets: ParameterSets {
        guard let codec else { return ParameterSets() }
        let keys = codec == .h264 ? ["sprop-parameter-sets"] : ["sprop-vps", "sprop-sps", "sprop-pps"]
        var sets = ParameterSets()
        for key in keys {
            guard let value = formatParameters[key] else { continue }
            for item in value.split(separator: ",") {
                guard let nal = Base64.decode(String(item)), !nal.isEmpty else { continue }
                var single = ParameterSets()
                single.record(nal, codec: codec)
                sets.vps = sets.vps ?? single.vps
                sets.sps = sets.sps ?? single.sps
                sets.pps = sets.pps ?? single.pps
            }
        }
        return sets
    }

    /// Encoding name and clock rate of the static payload types (RFC 3551, table 4 and 5) that
    /// cameras use without an `a=rtpmap`.
    static func staticPayloadType(_ type: UInt8) -> (String, Int)? {
        switch type {
        case 0: ("PCMU", 8000)
        case 8: ("PCMA", 8000)
        case 14: ("MPA", 90_000)
        case 26: ("JPEG", 90_000)
        case 32: ("MPV", 90_000)
        case 33: ("MP2T", 90_000)
        default: nil
        }
    }
}
