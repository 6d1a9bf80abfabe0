/// The parameter-set NAL units of a stream (without start codes).
///
/// H.264 uses only `sps` and `pps`; H.265 also uses `vps`.
public struct ParameterSets: Sendable, Equatable, Hashable {
    /// H.265 video parameter set.
    public var vps: [UInt8]?
    /// Sequence parameter set.
    public var sps: [UInt8]?
    /// Picture parameter set.
    public var pps: [UInt8]?

    public init(vps: [UInt8]? = nil, sps: [UInt8]? = nil, pps: [UInt8]? = nil) {
        self.vps = vps
        self.sps = sps
        self.pps = pps
    }

    /// Stores `nal` in the slot its NAL unit type belongs to; other NAL units are ignored.
    /// The sets present (VPS, SPS, PPS, in that order) with 4-byte start codes: the out-of-band
    /// "extradata" a decoder takes before the first access unit.
    public var annexB: [UInt8] { AnnexB.join([vps, sps, pps].compactMap { $0 }) }

    mutating func record(_ nal: [UInt8], codec: VideoCodec) {
        switch codec {
        case .h264:
            switch NALUnit.h264Type(nal) {
            case 7: sps = nal
            case 8: pps = nal
            default: break
            }
        case .h265:
            switch NALUnit.h265Type(nal) {
            case 32: vps = nal
            case 33: sps = nal
            case 34: pps = nal
            default: break
            }
        }
    }
}
