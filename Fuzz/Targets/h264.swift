// Fuzz target "h264": the H.264 depacketiser fed RTP packets derived from the input (layout in
// Fuzz/Support/Depacketize.swift), with what the recorder does to each access unit.
@testable import Media

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzDepacketizer(.h264, fuzzInput(data, size))
    return 0
}
