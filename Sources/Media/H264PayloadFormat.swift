/// H.264 over RTP, RFC 6184, non-interleaved mode: single NAL unit, STAP-A (24) and FU-A (28).
enum H264PayloadFormat: RTPPayloadFormat {
    static let codec = VideoCodec.h264
    static let nalHeaderSize = 1
    static let fragmentHeaderSize = 2
    static let aggregationHeaderSize = 1

    static func nalType(_ nal: [UInt8]) -> UInt8 { NALUnit.h264Type(nal) }
    static func nalType(firstByte: UInt8) -> UInt8 { firstByte & 0x1F }
    static func isVCL(_ type: UInt8) -> Bool { (1...5).contains(type) }
    static func isKeyFrame(_ type: UInt8) -> Bool { type == 5 }
    static func canCarry(_ nal: [UInt8]) -> Bool { !nal.isEmpty && (1...23).contains(nalType(nal)) }

    static func content(of payload: [UInt8], packet: @autoclosure () -> String) throws(MediaError) -> RTPPayloadContent {
        guard let header = payload.first else {
            throw MediaError("\(packet()): empty H.264 payload")
        }
        let type = header & 0x1F
        switch type {
        case 1...23:
            return .nalUnit(payload[...])
        case 24:
            return .nalUnits(try aggregatedNALUnits(payload, from: 1, packet: packet(), kind: "STAP-A"))
        case 28:
            guard payload.count >= 3 else {
                throw MediaError("\(packet()): FU-A of \(payload.count) bytes is shorter than its 2-byte header plus data")
            }
            let fuHeader = payload[1]
            return .fragment(
                start: fuHeader & 0x80 != 0,
                end: fuHeader & 0x40 != 0,
                nalHeader: NALHeader(first: header & 0xE0 | fuHeader & 0x1F),
                data: payload[2...]
            )
        case 25: return .unsupported("STAP-B (type 25)")
        case 26: return .unsupported("MTAP16 (type 26)")
        case 27: return .unsupported("MTAP24 (type 27)")
        case 29: return .unsupported("FU-B (type 29)")
        default: return .ignored  // 0, 30, 31: unspecified
        }
    }

    static func aggregationHeader(for nalUnits: ArraySlice<[UInt8]>) -> [UInt8] {
        // F is set if any unit has it; NRI is the highest of the units (RFC 6184, 5.7.1).
        var forbidden: UInt8 = 0
        var nri: UInt8 = 0
        for nal in nalUnits {
            forbidden |= nal[0] & 0x80
            nri = max(nri, nal[0] & 0x60)
        }
        return [forbidden | nri | 24]
    }

    static func fragmentHeader(for nal: [UInt8], start: Bool, end: Bool) -> [UInt8] {
        [nal[0] & 0xE0 | 28, (start ? 0x80 : 0) | (end ? 0x40 : 0) | nal[0] & 0x1F]
    }
}
