/// What a decoder needs to know about a stream, from its SPS (and VPS/PPS for the sample entry).
///
/// Every access unit travels with its stream's parameters through the ingest and into every sink,
/// so a copy must be cheap: the fields live in one immutable object, and copying the value retains
/// that one reference instead of its six arrays and strings (docs/performance.md).
public struct VideoParameters: Sendable, Equatable, Hashable {
    private var storage: Storage

    private final class Storage: Sendable {
        let fields: VideoParameterFields
        init(_ fields: VideoParameterFields) { self.fields = fields }
    }

    /// Derives the parameters from a stream's parameter sets.
    ///
    /// - Throws: ``MediaError`` if a required parameter set is missing ("the camera sent H.264
    ///   without an SPS") or the SPS cannot be parsed.
    public init(codec: VideoCodec, parameterSets: ParameterSets) throws(MediaError) {
        storage = Storage(try VideoParameterFields(codec: codec, parameterSets: parameterSets))
    }

    private mutating func change(_ body: (inout VideoParameterFields) -> Void) {
        var fields = storage.fields
        body(&fields)
        storage = Storage(fields)
    }

    public static func == (lhs: VideoParameters, rhs: VideoParameters) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(storage.fields) }

    public var codec: VideoCodec { get { storage.fields.codec } set { change { $0.codec = newValue } } }
    /// Displayed size in pixels, after cropping.
    public var width: Int { get { storage.fields.width } set { change { $0.width = newValue } } }
    public var height: Int { get { storage.fields.height } set { change { $0.height = newValue } } }
    /// Human-readable profile: "Baseline", "Main", "High", "Main 10" ...
    public var profile: String { get { storage.fields.profile } set { change { $0.profile = newValue } } }
    public var profileIDC: Int { get { storage.fields.profileIDC } set { change { $0.profileIDC = newValue } } }
    public var levelIDC: Int { get { storage.fields.levelIDC } set { change { $0.levelIDC = newValue } } }
    /// RFC 6381 codec string for Media Source Extensions: "avc1.64001F", "hvc1.1.6.L93.B0".
    public var codecString: String { get { storage.fields.codecString } set { change { $0.codecString = newValue } } }
    /// The complete `avcC` or `hvcC` box (size, type, payload) for an MP4 sample entry.
    public var sampleEntryBox: [UInt8] { get { storage.fields.sampleEntryBox } set { change { $0.sampleEntryBox = newValue } } }
    public var parameterSets: ParameterSets { get { storage.fields.parameterSets } set { change { $0.parameterSets = newValue } } }
    /// Frames per second from the timing information (SPS VUI, or for H.265 the VPS), if present.
    public var fps: Double? { get { storage.fields.fps } set { change { $0.fps = newValue } } }

    /// Profile names as FFmpeg prints them, so logs and ffprobe agree.
    static func h264ProfileName(_ sps: H264SequenceParameterSet) -> String {
        let constraintSet1 = sps.constraintFlags & 0x40 != 0
        let constraintSet3 = sps.constraintFlags & 0x10 != 0
        switch sps.profileIDC {
        case 66: return constraintSet1 ? "Constrained Baseline" : "Baseline"
        case 77: return "Main"
        case 88: return "Extended"
        case 100: return "High"
        case 110: return constraintSet3 ? "High 10 Intra" : "High 10"
        case 122: return constraintSet3 ? "High 4:2:2 Intra" : "High 4:2:2"
        case 244: return constraintSet3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive"
        case 44: return "CAVLC 4:4:4"
        default: return "Profile \(sps.profileIDC)"
        }
    }

    /// `hvc1.<space><profile>.<compat>.<tier><level>.<constraint bytes>` (ISO/IEC 14496-15 E.3).
    static func hevcCodecString(_ ptl: H265ProfileTierLevel) -> String {
        let space = ["", "A", "B", "C"][ptl.profileSpace & 3]
        // The compatibility flags are written in reverse bit order, as hex without leading zeros.
        var reversed: UInt32 = 0
        for bit in 0..<32 where ptl.compatibilityFlags & (1 << bit) != 0 {
            reversed |= 1 << (31 - bit)
        }
        var parts = [
            "hvc1",
            space + String(ptl.profileIDC),
            String(reversed, radix: 16, uppercase: true),
            (ptl.tier ? "H" : "L") + String(ptl.levelIDC),
        ]
        var constraintBytes = (0..<6).map { UInt8(truncatingIfNeeded: ptl.constraintFlags >> UInt64(40 - 8 * $0)) }
        while constraintBytes.last == 0 { constraintBytes.removeLast() }  // trailing zero bytes are omitted
        parts += constraintBytes.map { String($0, radix: 16, uppercase: true) }
        return parts.joined(separator: ".")
    }
}

/// The fields of ``VideoParameters``, derived from the parameter sets.
struct VideoParameterFields: Sendable, Hashable {
    var codec: VideoCodec
    /// Displayed size in pixels, after cropping.
    var width: Int
    var height: Int
    /// Human-readable profile: "Baseline", "Main", "High", "Main 10" ...
    var profile: String
    var profileIDC: Int
    var levelIDC: Int
    /// RFC 6381 codec string for Media Source Extensions: "avc1.64001F", "hvc1.1.6.L93.B0".
    var codecString: String
    /// The complete `avcC` or `hvcC` box (size, type, payload) for an MP4 sample entry.
    var sampleEntryBox: [UInt8]
    var parameterSets: ParameterSets
    /// Frames per second from the timing information (SPS VUI, or for H.265 the VPS), if present.
    var fps: Double?

    init(codec: VideoCodec, parameterSets: ParameterSets) throws(MediaError) {
        self.codec = codec
        self.parameterSets = parameterSets
        switch codec {
        case .h264:
            guard let sps = parameterSets.sps, !sps.isEmpty else {
                throw MediaError("the camera sent H.264 without an SPS")
            }
            guard let pps = parameterSets.pps, !pps.isEmpty else {
                throw MediaError("the camera sent H.264 without a PPS")
            }
            let parsed = try H264SequenceParameterSet(parsing: sps)
            width = parsed.width
            height = parsed.height
            profile = VideoParameters.h264ProfileName(parsed)
            profileIDC = parsed.profileIDC
            levelIDC = parsed.levelIDC
            codecString = "avc1." + hex(sps[1...3])
            sampleEntryBox = try AVCDecoderConfiguration.box(sps: sps, pps: pps, parsed: parsed)
            fps = parsed.fps
        case .h265:
            guard let vps = parameterSets.vps, !vps.isEmpty else {
                throw MediaError("the camera sent H.265 without a VPS")
            }
            guard let sps = parameterSets.sps, !sps.isEmpty else {
                throw MediaError("the camera sent H.265 without an SPS")
            }
            guard let pps = parameterSets.pps, !pps.isEmpty else {
                throw MediaError("the camera sent H.265 without a PPS")
            }
            let parsed = try H265SequenceParameterSet(parsing: sps)
            let ptl = parsed.profileTierLevel
            width = parsed.width
            height = parsed.height
            profile = ptl.profileName
            profileIDC = ptl.profileIDC
            levelIDC = ptl.levelIDC
            codecString = VideoParameters.hevcCodecString(ptl)
            sampleEntryBox = try HEVCDecoderConfiguration.box(vps: vps, sps: sps, pps: pps, parsed: parsed)
            fps = parsed.fps ?? H265VideoParameterSet.frameRate(vps)
        }
    }

}

/// Uppercase hex, two digits per byte.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789ABCDEF")
    var text = ""
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return text
}
