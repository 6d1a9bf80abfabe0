// Fuzz target "sps": the parameter-set parsers. The first input byte picks the parser, the rest
// is a NAL unit (header included, emulation prevention in place):
//   0: H.264 SPS      → H264SequenceParameterSet, then VideoParameters with a fixed PPS
//   1: H.265 SPS      → H265SequenceParameterSet, then VideoParameters with a fixed VPS and PPS
//   2: H.265 VPS      → its frame rate, then VideoParameters with a fixed SPS and PPS
//   3: Annex B stream → split at start codes, parameter sets picked by NAL type for both codecs
// Whenever decoding parameters result, the MP4 init segment built from them must parse as boxes.
@testable import Media

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var cursor = FuzzCursor(fuzzInput(data, size))
    let mode = (cursor.byte() ?? 0) % 4
    let nal = cursor.rest()
    switch mode {
    case 0:
        _ = try? H264SequenceParameterSet(parsing: nal)
        check(.h264, ParameterSets(sps: nal, pps: fuzzH264Sets.pps))
    case 1:
        _ = try? H265SequenceParameterSet(parsing: nal)
        check(.h265, ParameterSets(vps: fuzzH265Sets.vps, sps: nal, pps: fuzzH265Sets.pps))
    case 2:
        _ = H265VideoParameterSet.frameRate(nal)
        check(.h265, ParameterSets(vps: nal, sps: fuzzH265Sets.sps, pps: fuzzH265Sets.pps))
    default:
        var h264 = ParameterSets(), h265 = ParameterSets()
        for unit in AnnexB.split(nal) where !unit.isEmpty {
            switch NALUnit.h264Type(unit) {
            case 7: h264.sps = unit
            case 8: h264.pps = unit
            default: break
            }
            switch NALUnit.h265Type(unit) {
            case 32: h265.vps = unit
            case 33: h265.sps = unit
            case 34: h265.pps = unit
            default: break
            }
        }
        check(.h264, h264)
        check(.h265, h265)
    }
    return 0
}

private func check(_ codec: VideoCodec, _ sets: ParameterSets) {
    guard let parameters = try? VideoParameters(codec: codec, parameterSets: sets) else { return }
    fuzzRequire(parameters.width > 0 && parameters.height > 0, "picture size \(parameters.width)x\(parameters.height)")
    if let fps = parameters.fps { fuzzRequire(fps.isFinite && fps > 0, "frame rate \(fps)") }
    let initSegment = FragmentedMP4.initSegment(parameters: parameters)
    let boxes = try? MP4BoxReader.parse(initSegment)
    fuzzRequire(boxes?.first?.type == "ftyp", "the init segment written for these parameters does not parse")
}
