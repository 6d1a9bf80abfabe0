/// The fields of an H.265 sequence parameter set (ITU-T H.265 7.3.2.2) that describe the picture
/// and fill an `hvcC` box.
public struct H265SequenceParameterSet: Sendable, Equatable, Hashable {
    public var profileTierLevel: H265ProfileTierLevel
    /// `sps_max_sub_layers_minus1` + 1.
    public var maxSubLayers: Int
    public var temporalIDNesting: Bool
    public var chromaFormatIDC: Int
    public var bitDepthLuma: Int
    public var bitDepthChroma: Int
    /// Displayed size, after the conformance window.
    public var width: Int
    public var height: Int
    /// From the VUI timing information, if present.
    public var fps: Double?

    /// Parses an SPS NAL unit (with its 2-byte header, emulation prevention still in place).
    public init(parsing nal: [UInt8]) throws(MediaError) {
        guard nal.count >= 2, NALUnit.h265Type(nal) == 33 else {
            throw MediaError("H.265 SPS: NAL unit type \(NALUnit.h265Type(nal)) is not 33 (SPS)")
        }
        var reader = BitReader(NALUnit.removeEmulationPrevention(Array(nal.dropFirst(2))), context: "H.265 SPS")
        try reader.skip(4, "sps_video_parameter_set_id")
        maxSubLayers = Int(try reader.bits(3, "sps_max_sub_layers_minus1")) + 1
        temporalIDNesting = try reader.bit("sps_temporal_id_nesting_flag")
        profileTierLevel = try H265ProfileTierLevel(&reader, maxSubLayersMinus1: maxSubLayers - 1)
        _ = try reader.ue("sps_seq_parameter_set_id", max: 15)
        chromaFormatIDC = try reader.ue("chroma_format_idc", max: 3)
        var separateColourPlanes = false
        if chromaFormatIDC == 3 { separateColourPlanes = try reader.bit("separate_colour_plane_flag") }
        let codedWidth = try reader.ue("pic_width_in_luma_samples", max: 65_535)
        let codedHeight = try reader.ue("pic_height_in_luma_samples", max: 65_535)
        var window = (left: 0, right: 0, top: 0, bottom: 0)
        if try reader.bit("conformance_window_flag") {
            window.left = try reader.ue("conf_win_left_offset", max: 65_535)
            window.right = try reader.ue("conf_win_right_offset", max: 65_535)
            window.top = try reader.ue("conf_win_top_offset", max: 65_535)
            window.bottom = try reader.ue("conf_win_bottom_offset", max: 65_535)
        }
        bitDepthLuma = try reader.ue("bit_depth_luma_minus8", max: 8) + 8
        bitDepthChroma = try reader.ue("bit_depth_chroma_minus8", max: 8) + 8
        let (subWidth, subHeight) = chromaSubsampling(separateColourPlanes ? 0 : chromaFormatIDC)
        width = codedWidth - subWidth * (window.left + window.right)
        height = codedHeight - subHeight * (window.top + window.bottom)
        guard width > 0, height > 0 else {
            throw MediaError("H.265 SPS: conformance window leaves \(width)x\(height) of \(codedWidth)x\(codedHeight)")
        }
        // The frame rate is a nicety: an odd remainder must not reject a usable SPS.
        fps = try? H265SPSRemainder.frameRate(&reader, maxSubLayersMinus1: maxSubLayers - 1)
    }
}
