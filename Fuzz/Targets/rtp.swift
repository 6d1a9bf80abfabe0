// Fuzz target "rtp": RTPPacket(parsing:) on arbitrary bytes (what an interleaved $-frame carries).
// Properties: never traps; a parsed packet's payload fits in the input; serialising and parsing
// again gives the same packet.
@testable import Media

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let packet = try? RTPPacket(parsing: bytes) else { return 0 }
    fuzzRequire(packet.payload.count <= bytes.count - RTPPacket.headerSize, "payload longer than the packet")
    let again = try? RTPPacket(parsing: packet.serialized())
    fuzzRequire(again == packet, "serialised packet does not parse back to itself")
    return 0
}
