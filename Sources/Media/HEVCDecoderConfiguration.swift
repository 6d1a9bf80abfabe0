/// Builds the `hvcC` box: HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1).
enum HEVCDecoderConfiguration {
    static func box(vps: [UInt8], sps: [UInt8], pps: [UInt8], parsed: H265SequenceParameterSet) throws(MediaError) -> [UInt8] {
        guard vps.count <= 65_535, sps.count <= 65_535, pps.count <= 65_535 else {
            throw MediaError("H.265 parameter set longer than 65535 bytes cannot go into hvcC")
        }
        let ptl = parsed.profileTierLevel
        var payload: [UInt8] = [1]  // configurationVersion
        payload.append(UInt8(ptl.profileSpace & 3) << 6 | (ptl.tier ? 0x20 : 0) | UInt8(ptl.profileIDC & 0x1F))
        payload.appendBigEndian(ptl.compatibilityFlags)
        for shift in stride(from: 40, through: 0, by: -8) {
            payload.append(UInt8(truncatingIfNeeded: ptl.constraintFlags >> UInt64(shift)))
        }
        payload.append(UInt8(truncatingIfNeeded: ptl.levelIDC))
        payload.appendBigEndian(UInt16(0xF000))  // min_spatial_segmentation_idc 0: not signalled
        payload.append(0xFC)  // parallelismType 0: unknown
        payload.append(0xFC | UInt8(parsed.chromaFormatIDC & 3))
        payload.append(0xF8 | UInt8((parsed.bitDepthLuma - 8) & 7))
        payload.append(0xF8 | UInt8((parsed.bitDepthChroma - 8) & 7))
        payload.appendBigEndian(UInt16(0))  // avgFrameRate: unspecified
        // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3.
        payload.append(UInt8(parsed.maxSubLayers & 7) << 3 | (parsed.temporalIDNesting ? 0x04 : 0) | 3)
        payload.append(3)  // numOfArrays
        for (type, nal) in [(UInt8(32), vps), (33, sps), (34, pps)] {
            payload.append(0x80 | type)  // array_completeness: all parameter sets are in the box
            payload.appendBigEndian(UInt16(1))
            payload.appendLengthPrefixed(nal)
        }
        return mp4Box("hvcC", payload)
    }
}
