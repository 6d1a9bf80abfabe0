/// The frame rate from an H.265 video parameter set's timing information (ITU-T H.265 7.3.2.1).
///
/// H.265 may signal timing in the VPS as well as in the SPS VUI; this is the fallback when the
/// SPS does not.
enum H265VideoParameterSet {
    static func frameRate(_ nal: [UInt8]) -> Double? {
        guard nal.count >= 2, NALUnit.h265Type(nal) == 32 else { return nil }
        var reader = BitReader(NALUnit.removeEmulationPrevention(Array(nal.dropFirst(2))), context: "H.265 VPS")
        return try? frameRate(&reader)
    }

    private static func frameRate(_ reader: inout BitReader) throws(MediaError) -> Double? {
        try reader.skip(4 + 1 + 1 + 6, "vps_video_parameter_set_id...vps_max_layers_minus1")
        let maxSubLayersMinus1 = Int(try reader.bits(3, "vps_max_sub_layers_minus1"))
        try reader.skip(1 + 16, "vps_temporal_id_nesting_flag, vps_reserved_0xffff_16bits")
        _ = try H265ProfileTierLevel(&reader, maxSubLayersMinus1: maxSubLayersMinus1)
        let orderingInfoForAll = try reader.bit("vps_sub_layer_ordering_info_present_flag")
        for _ in (orderingInfoForAll ? 0 : maxSubLayersMinus1)...maxSubLayersMinus1 {
            _ = try reader.ue("vps_max_dec_pic_buffering_minus1")
            _ = try reader.ue("vps_max_num_reorder_pics")
            _ = try reader.ue("vps_max_latency_increase_plus1")
        }
        let maxLayerID = Int(try reader.bits(6, "vps_max_layer_id"))
        let layerSets = try reader.ue("vps_num_layer_sets_minus1", max: 1023)
        guard layerSets * (maxLayerID + 1) <= reader.bitsLeft else { return nil }
        try reader.skip(layerSets * (maxLayerID + 1), "layer_id_included_flag")
        guard try reader.bit("vps_timing_info_present_flag") else { return nil }
        let unitsInTick = try reader.bits(32, "vps_num_units_in_tick")
        let timeScale = try reader.bits(32, "vps_time_scale")
        guard unitsInTick > 0, timeScale > 0 else { return nil }
        return Double(timeScale) / Double(unitsInTick)
    }
}
