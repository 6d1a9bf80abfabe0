/// H.265 over RTP, RFC 7798, without DONL (`sprop-max-don-diff` = 0): single NAL unit,
/// aggregation packet (AP, 48) and fragmentation unit (FU, 49).
enum H265PayloadFormat: RTPPayloadFormat {
    static let codec = VideoCodec.h265
    static let nalHeaderSize = 2
    static let fragmentHeaderSize = 3
    static let aggregationHeaderSize = 2

    static func nalType(_ nal: [UInt8]) -> UInt8 { NALUnit.h265Type(nal) }
    static func nalType(firstByte: UInt8) -> UInt8 { (firstByte >> 1) & 0x3F }
    static func isVCL(_ type: UInt8) -> Bool { type < 32 }
    static func isKeyFrame(_ type: UInt8) -> Bool { (16...23).contains(type) }
    static func canCarry(_ nal: [UInt8]) -> Bool { nal.count >= 2 && nalType(nal) < 48 }

    static func content(of payload: [UInt8], packet: @autoclosure () -> String) throws(MediaError) -> RTPPayloadContent {
        guard payload.count >= 2 else {
            throw MediaError("\(packet()): H.265 payload of \(payload.count) bytes is shorter than the 2-byte header")
        }
        let type = (payload[0] >> 1) & 0x3F
        switch type {
        case 0...47:
            return .nalUnit(payload[...])
        case 48:
            return .nalUnits(try aggregatedNALUnits(payload, from: 2, packet: packet(), kind: "AP"))
        case 49:
            guard payload.count >= 4 else {
                throw MediaError("\(packet()): FU of \(payload.count) bytes is shorter than its 3-byte header plus data")
            }
            let fuHeader = payload[2]
            return .fragment(
                start: fuHeader & 0x80 != 0,
                end: fuHeader & 0x40 != 0,
                nalHeader: NALHeader(first: payload[0] & 0x81 | (fuHeader & 0x3F) << 1, second: payload[1]),
                data: payload[3...]
            )
        case 50:
            return .unsupported("PACI (type 50)")
        default:
            return .ignored  // 51...63: unspecified
        }
    }

    static func aggregationHeader(for nalUnits: ArraySlice<[UInt8]>) -> [UInt8] {
        // F is set if any unit has it; LayerId and TID are the lowest of the units (RFC 7798, 4.4.2).
        var forbidden: UInt8 = 0
        var layerID: UInt16 = 0x3F
        var temporalID: UInt8 = 7
        for nal in nalUnits {
            forbidden |= nal[0] & 0x80
            layerID = min(layerID, UInt16(nal[0] & 0x01) << 5 | UInt16(nal[1] >> 3))
            temporalID = min(temporalID, nal[1] & 0x07)
        }
        return [forbidden | 48 << 1 | UInt8(layerID >> 5), UInt8(truncatingIfNeeded: layerID << 3) | temporalID]
    }

    static func fragmentHeader(for nal: [UInt8], start: Bool, end: Bool) -> [UInt8] {
        [nal[0] & 0x81 | 49 << 1, nal[1], (start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] >> 1) & 0x3F]
    }
}
