// Fuzz target "h265": the H.265 depacketiser fed RTP packets derived from the input (layout in
// Fuzz/Support/Depacketize.swift), with what the recorder does to each access unit.
@testable import Media

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzDepacketizer(.h265, fuzzInput(data, size))
    return 0
}
