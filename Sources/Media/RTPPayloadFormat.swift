/// What one RTP payload holds, independent of codec.
enum RTPPayloadContent {
    /// One complete NAL unit (the common single-NAL packet; no array to allocate).
    case nalUnit(ArraySlice<UInt8>)
    /// Complete NAL units: an aggregation packet.
    case nalUnits([ArraySlice<UInt8>])
    /// Part of a fragmented NAL unit; `nalHeader` is the reconstructed header of the whole unit
    /// (H.264: one byte, H.265: two), kept inline because it is built for every packet.
    case fragment(start: Bool, end: Bool, nalHeader: NALHeader, data: ArraySlice<UInt8>)
    /// A packet type that carries NAL units this implementation cannot reassemble.
    case unsupported(String)
    /// A reserved or unspecified packet type with nothing to decode.
    case ignored
}

/// The codec-specific wire format of H.264 (RFC 6184) or H.265 (RFC 7798) over RTP, in both
/// directions. The shared engines (`DepacketizerEngine`, `PacketizerEngine`) do the rest.
protocol RTPPayloadFormat: Sendable {
    static var codec: VideoCodec { get }
    /// Bytes of NAL unit header: 1 for H.264, 2 for H.265.
    static var nalHeaderSize: Int { get }
    /// Bytes before the fragment data in a fragmentation unit.
    static var fragmentHeaderSize: Int { get }
    /// Bytes before the first length field in an aggregation packet.
    static var aggregationHeaderSize: Int { get }

    static func nalType(_ nal: [UInt8]) -> UInt8
    /// The NAL unit type from the first header byte alone.
    static func nalType(firstByte: UInt8) -> UInt8
    /// Video coding layer (slice data): only an access unit with one may end on the marker bit.
    static func isVCL(_ type: UInt8) -> Bool
    /// A random access point (IDR / IRAP).
    static func isKeyFrame(_ type: UInt8) -> Bool
    /// Whether a NAL unit of this type can be sent as is (types that collide with packet types cannot).
    static func canCarry(_ nal: [UInt8]) -> Bool

    /// Classifies and unpacks one payload. `packet` names the packet in error messages.
    static func content(of payload: [UInt8], packet: @autoclosure () -> String) throws(MediaError) -> RTPPayloadContent

    static func aggregationHeader(for nalUnits: ArraySlice<[UInt8]>) -> [UInt8]
    static func fragmentHeader(for nal: [UInt8], start: Bool, end: Bool) -> [UInt8]
}

extension RTPPayloadFormat {
    /// Splits the body of an aggregation packet (STAP-A or AP) into its length-prefixed NAL units.
    static func aggregatedNALUnits(
        _ payload: [UInt8], from start: Int, packet: @autoclosure () -> String, kind: String
    ) throws(MediaError) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var offset = start
        while offset < payload.count {
            guard offset + 2 <= payload.count else {
                throw MediaError("\(packet()): \(kind) has 1 stray byte where a 2-byte NAL unit size was expected")
            }
            let size = Int(payload[offset]) << 8 | Int(payload[offset + 1])
            offset += 2
            guard size <= payload.count - offset else {
                throw MediaError("\(packet()): \(kind) NAL unit size \(size) exceeds the remaining \(payload.count - offset) bytes")
            }
            // Zero-length units carry nothing; skip rather than reject, senders do emit them.
            if size > 0 { units.append(payload[offset..<offset + size]) }
            offset += size
        }
        guard !units.isEmpty else {
            throw MediaError("\(packet()): \(kind) contains no NAL units")
        }
        return units
    }
}

/// The one- or two-byte header of a NAL unit, without an array.
struct NALHeader: Equatable {
    var first: UInt8
    var second: UInt8?

    /// The header followed by room for `capacity` bytes of the unit.
    func unit(reservingCapacity capacity: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        bytes.append(first)
        if let second { bytes.append(second) }
        return bytes
    }
}
