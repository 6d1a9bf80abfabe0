/// Walks the rest of an H.265 SPS (after the bit depths) to reach the VUI timing information
/// (ITU-T H.265 7.3.2.2.1, 7.3.4, 7.3.7, E.2.1). Only the frame rate is kept.
enum H265SPSRemainder {
    static func frameRate(_ reader: inout BitReader, maxSubLayersMinus1: Int) throws(MediaError) -> Double? {
        let pocLSBBits = try reader.ue("log2_max_pic_order_cnt_lsb_minus4", max: 12) + 4
        let orderingInfoForAll = try reader.bit("sps_sub_layer_ordering_info_present_flag")
        for _ in (orderingInfoForAll ? 0 : maxSubLayersMinus1)...maxSubLayersMinus1 {
            _ = try reader.ue("sps_max_dec_pic_buffering_minus1")
            _ = try reader.ue("sps_max_num_reorder_pics")
            _ = try reader.ue("sps_max_latency_increase_plus1")
        }
        _ = try reader.ue("log2_min_luma_coding_block_size_minus3")
        _ = try reader.ue("log2_diff_max_min_luma_coding_block_size")
        _ = try reader.ue("log2_min_luma_transform_block_size_minus2")
        _ = try reader.ue("log2_diff_max_min_luma_transform_block_size")
        _ = try reader.ue("max_transform_hierarchy_depth_inter")
        _ = try reader.ue("max_transform_hierarchy_depth_intra")
        if try reader.bit("scaling_list_enabled_flag"), try reader.bit("sps_scaling_list_data_present_flag") {
            try skipScalingListData(&reader)
        }
        try reader.skip(2, "amp_enabled_flag, sample_adaptive_offset_enabled_flag")
        if try reader.bit("pcm_enabled_flag") {
            try reader.skip(8, "pcm_sample_bit_depth_luma_minus1, pcm_sample_bit_depth_chroma_minus1")
            _ = try reader.ue("log2_min_pcm_luma_coding_block_size_minus3")
            _ = try reader.ue("log2_diff_max_min_pcm_luma_coding_block_size")
            try reader.skip(1, "pcm_loop_filter_disabled_flag")
        }
        try skipShortTermReferencePictureSets(&reader)
        if try reader.bit("long_term_ref_pics_present_flag") {
            let count = try reader.ue("num_long_term_ref_pics_sps", max: 32)
            for _ in 0..<count { try reader.skip(pocLSBBits + 1, "lt_ref_pic_poc_lsb_sps, used_by_curr_pic_lt_sps_flag") }
        }
        try reader.skip(2, "sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag")
        guard try reader.bit("vui_parameters_present_flag") else { return nil }
        return try vuiFrameRate(&reader)
    }

    private static func skipScalingListData(_ reader: inout BitReader) throws(MediaError) {
        for sizeID in 0..<4 {
            for _ in stride(from: 0, to: 6, by: sizeID == 3 ? 3 : 1) {
                if try !reader.bit("scaling_list_pred_mode_flag") {
                    _ = try reader.ue("scaling_list_pred_matrix_id_delta")
                } else {
                    if sizeID > 1 { _ = try reader.se("scaling_list_dc_coef_minus8") }
                    for _ in 0..<min(64, 1 << (4 + (sizeID << 1))) { _ = try reader.se("scaling_list_delta_coef") }
                }
            }
        }
    }

    private static func skipShortTermReferencePictureSets(_ reader: inout BitReader) throws(MediaError) {
        let count = try reader.ue("num_short_term_ref_pic_sets", max: 64)
        var deltaPOCCounts: [Int] = []  // NumDeltaPocs of each set, for inter-set prediction
        for index in 0..<count {
            if index != 0, try reader.bit("inter_ref_pic_set_prediction_flag") {
                // In the SPS the reference set is always the previous one (delta_idx_minus1 absent).
                try reader.skip(1, "delta_rps_sign")
                _ = try reader.ue("abs_delta_rps_minus1")
                var included = 0
                for _ in 0...deltaPOCCounts[index - 1] {
                    // use_delta_flag is only present (and otherwise 1) when the picture is unused.
                    var useDelta = true
                    if try !reader.bit("used_by_curr_pic_flag") { useDelta = try reader.bit("use_delta_flag") }
                    if useDelta { included += 1 }
                }
                deltaPOCCounts.append(included)
            } else {
                let negative = try reader.ue("num_negative_pics", max: 16)
                let positive = try reader.ue("num_positive_pics", max: 16)
                for _ in 0..<(negative + positive) {
                    _ = try reader.ue("delta_poc_minus1")
                    try reader.skip(1, "used_by_curr_pic_flag")
                }
                deltaPOCCounts.append(negative + positive)
            }
        }
    }

    private static func vuiFrameRate(_ reader: inout BitReader) throws(MediaError) -> Double? {
        if try reader.bit("aspect_ratio_info_present_flag") {
            if try reader.bits(8, "aspect_ratio_idc") == 255 { try reader.skip(32, "sar_width, sar_height") }
        }
        if try reader.bit("overscan_info_present_flag") { try reader.skip(1, "overscan_appropriate_flag") }
        if try reader.bit("video_signal_type_present_flag") {
            try reader.skip(4, "video_format, video_full_range_flag")
            if try reader.bit("colour_description_present_flag") { try reader.skip(24, "colour_description") }
        }
        if try reader.bit("chroma_loc_info_present_flag") {
            _ = try reader.ue("chroma_sample_loc_type_top_field")
            _ = try reader.ue("chroma_sample_loc_type_bottom_field")
        }
        try reader.skip(3, "neutral_chroma_indication_flag, field_seq_flag, frame_field_info_present_flag")
        if try reader.bit("default_display_window_flag") {
            for _ in 0..<4 { _ = try reader.ue("def_disp_win_offset") }
        }
        guard try reader.bit("vui_timing_info_present_flag") else { return nil }
        let unitsInTick = try reader.bits(32, "vui_num_units_in_tick")
        let timeScale = try reader.bits(32, "vui_time_scale")
        guard unitsInTick > 0, timeScale > 0 else { return nil }
        return Double(timeScale) / Double(unitsInTick)
    }
}
