/// The fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) that describe the picture.
public struct H264SequenceParameterSet: Sendable, Equatable, Hashable {
    public var profileIDC: Int
    /// The `constraint_set0_flag`...`constraint_set5_flag` byte.
    public var constraintFlags: UInt8
    public var levelIDC: Int
    public var chromaFormatIDC: Int
    public var bitDepthLuma: Int
    public var bitDepthChroma: Int
    /// Displayed size, after frame cropping.
    public var width: Int
    public var height: Int
    public var frameMBsOnly: Bool
    /// From the VUI timing information, if present.
    public var fps: Double?

    /// Profiles whose SPS carries chroma format, bit depths and scaling matrices.
    static let highProfiles: Set<Int> = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]

    /// Parses an SPS NAL unit (with its 1-byte header, emulation prevention still in place).
    public init(parsing nal: [UInt8]) throws(MediaError) {
        guard NALUnit.h264Type(nal) == 7 else {
            throw MediaError("H.264 SPS: NAL unit type \(NALUnit.h264Type(nal)) is not 7 (SPS)")
        }
        var reader = BitReader(NALUnit.removeEmulationPrevention(Array(nal.dropFirst())), context: "H.264 SPS")
        profileIDC = Int(try reader.bits(8, "profile_idc"))
        constraintFlags = UInt8(try reader.bits(8, "constraint_set_flags"))
        levelIDC = Int(try reader.bits(8, "level_idc"))
        _ = try reader.ue("seq_parameter_set_id", max: 31)

        chromaFormatIDC = 1
        bitDepthLuma = 8
        bitDepthChroma = 8
        var separateColourPlanes = false
        if Self.highProfiles.contains(profileIDC) {
            chromaFormatIDC = try reader.ue("chroma_format_idc", max: 3)
            if chromaFormatIDC == 3 { separateColourPlanes = try reader.bit("separate_colour_plane_flag") }
            bitDepthLuma = try reader.ue("bit_depth_luma_minus8", max: 6) + 8
            bitDepthChroma = try reader.ue("bit_depth_chroma_minus8", max: 6) + 8
            try reader.skip(1, "qpprime_y_zero_transform_bypass_flag")
            if try reader.bit("seq_scaling_matrix_present_flag") {
                for list in 0..<(chromaFormatIDC == 3 ? 12 : 8) where try reader.bit("seq_scaling_list_present_flag") {
                    try Self.skipScalingList(&reader, size: list < 6 ? 16 : 64)
                }
            }
        }
        _ = try reader.ue("log2_max_frame_num_minus4", max: 12)
        let pocType = try reader.ue("pic_order_cnt_type", max: 2)
        if pocType == 0 {
            _ = try reader.ue("log2_max_pic_order_cnt_lsb_minus4", max: 12)
        } else if pocType == 1 {
            try reader.skip(1, "delta_pic_order_always_zero_flag")
            _ = try reader.se("offset_for_non_ref_pic")
            _ = try reader.se("offset_for_top_to_bottom_field")
            let cycle = try reader.ue("num_ref_frames_in_pic_order_cnt_cycle", max: 255)
            for _ in 0..<cycle { _ = try reader.se("offset_for_ref_frame") }
        }
        _ = try reader.ue("max_num_ref_frames")
        try reader.skip(1, "gaps_in_frame_num_value_allowed_flag")
        let widthInMBs = try reader.ue("pic_width_in_mbs_minus1", max: 4095) + 1
        let heightInMapUnits = try reader.ue("pic_height_in_map_units_minus1", max: 4095) + 1
        frameMBsOnly = try reader.bit("frame_mbs_only_flag")
        if !frameMBsOnly { try reader.skip(1, "mb_adaptive_frame_field_flag") }
        try reader.skip(1, "direct_8x8_inference_flag")

        let chromaArrayType = separateColourPlanes ? 0 : chromaFormatIDC
        let (subWidth, subHeight) = chromaSubsampling(chromaArrayType)
        let cropUnitX = subWidth
        let cropUnitY = subHeight * (frameMBsOnly ? 1 : 2)
        var crop = (left: 0, right: 0, top: 0, bottom: 0)
        if try reader.bit("frame_cropping_flag") {
            crop.left = try reader.ue("frame_crop_left_offset", max: 65_535)
            crop.right = try reader.ue("frame_crop_right_offset", max: 65_535)
            crop.top = try reader.ue("frame_crop_top_offset", max: 65_535)
            crop.bottom = try reader.ue("frame_crop_bottom_offset", max: 65_535)
        }
        let codedWidth = widthInMBs * 16
        let codedHeight = heightInMapUnits * 16 * (frameMBsOnly ? 1 : 2)
        width = codedWidth - cropUnitX * (crop.left + crop.right)
        height = codedHeight - cropUnitY * (crop.top + crop.bottom)
        guard width > 0, height > 0 else {
            throw MediaError("H.264 SPS: frame cropping leaves \(width)x\(height) of \(codedWidth)x\(codedHeight)")
        }
        // The frame rate is a nicety: a truncated or odd VUI must not reject a usable SPS.
        fps = nil
        if (try? reader.bit("vui_parameters_present_flag")) == true {
            fps = try? Self.frameRate(fromVUI: &reader)
        }
    }

    private static func skipScalingList(_ reader: inout BitReader, size: Int) throws(MediaError) {
        var last = 8
        var next = 8
        for _ in 0..<size where next != 0 {
            let delta = try reader.se("delta_scale")
            guard (-128...127).contains(delta) else {
                throw MediaError("H.264 SPS: delta_scale \(delta) outside -128...127")
            }
            next = (last + delta + 256) % 256
            if next != 0 { last = next }
        }
    }

    /// Reads the VUI up to `timing_info` (H.264 E.1.1).
    private static func frameRate(fromVUI reader: inout BitReader) throws(MediaError) -> Double? {
        if try reader.bit("aspect_ratio_info_present_flag") {
            if try reader.bits(8, "aspect_ratio_idc") == 255 { try reader.skip(32, "sar") }
        }
        if try reader.bit("overscan_info_present_flag") { try reader.skip(1, "overscan_appropriate_flag") }
        if try reader.bit("video_signal_type_present_flag") {
            try reader.skip(4, "video_format")
            if try reader.bit("colour_description_present_flag") { try reader.skip(24, "colour_description") }
        }
        if try reader.bit("chroma_loc_info_present_flag") {
            _ = try reader.ue("chroma_sample_loc_type_top_field")
            _ = try reader.ue("chroma_sample_loc_type_bottom_field")
        }
        guard try reader.bit("timing_info_present_flag") else { return nil }
        let unitsInTick = try reader.bits(32, "num_units_in_tick")
        let timeScale = try reader.bits(32, "time_scale")
        guard unitsInTick > 0, timeScale > 0 else { return nil }
        // One frame is two ticks (a tick is a field period).
        return Double(timeScale) / (2 * Double(unitsInTick))
    }
}

/// SubWidthC and SubHeightC for a ChromaArrayType (H.264 table 6-1, H.265 table 6-1).
func chromaSubsampling(_ chromaArrayType: Int) -> (Int, Int) {
    switch chromaArrayType {
    case 1: (2, 2)
    case 2: (2, 1)
    default: (1, 1)  // monochrome, 4:4:4 or separate planes
    }
}
