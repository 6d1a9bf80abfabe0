// Fuzz target "sdp": SessionDescription(parsing:) on arbitrary text (a camera's DESCRIBE body),
// then what the RTSP client does with it: the video track's codec, its sprop-* parameter sets
// (base64) and the decoding parameters built from them; and rendering the description again.
@testable import Media

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    guard let sdp = try? SessionDescription(parsing: text) else { return 0 }
    for media in sdp.media {
        let sets = media.parameterSets
        if let codec = media.codec, let parameters = try? VideoParameters(codec: codec, parameterSets: sets) {
            fuzzRequire(parameters.width >= 0 && parameters.height >= 0, "negative picture size")
            _ = FragmentedMP4.initSegment(parameters: parameters)
        }
    }
    let rendered = sdp.rendered()
    _ = try? SessionDescription(parsing: rendered)
    return 0
}
