/// Builds the `avcC` box: AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1).
enum AVCDecoderConfiguration {
    static func box(sps: [UInt8], pps: [UInt8], parsed: H264SequenceParameterSet) throws(MediaError) -> [UInt8] {
        guard sps.count >= 4 else {
            throw MediaError("H.264 SPS: \(sps.count) bytes is too short for profile and level")
        }
        guard sps.count <= 65_535, pps.count <= 65_535 else {
            throw MediaError("H.264 parameter set longer than 65535 bytes cannot go into avcC")
        }
        var payload: [UInt8] = [1, sps[1], sps[2], sps[3]]
        payload.append(0xFC | 3)  // lengthSizeMinusOne: 4-byte NAL unit lengths in samples
        payload.append(0xE0 | 1)  // one SPS
        payload.appendLengthPrefixed(sps)
        payload.append(1)  // one PPS
        payload.appendLengthPrefixed(pps)
        // Profiles other than Baseline, Main and Extended carry the chroma extension.
        if ![66, 77, 88].contains(parsed.profileIDC) {
            payload.append(0xFC | UInt8(parsed.chromaFormatIDC & 3))
            payload.append(0xF8 | UInt8((parsed.bitDepthLuma - 8) & 7))
            payload.append(0xF8 | UInt8((parsed.bitDepthChroma - 8) & 7))
            payload.append(0)  // no SPS extensions
        }
        return mp4Box("avcC", payload)
    }
}

/// An MP4 box: 32-bit size, four-character type, payload.
func mp4Box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
    var box: [UInt8] = []
    box.reserveCapacity(payload.count + 8)
    box.appendBigEndian(UInt32(truncatingIfNeeded: payload.count + 8))
    box.append(contentsOf: type.utf8)
    box.append(contentsOf: payload)
    return box
}
