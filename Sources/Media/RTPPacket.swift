/// An RTP data packet (RFC 3550).
///
/// Parsing accepts CSRC lists, a header extension and padding, and discards them: the payload is
/// all Aula needs. ``serialized()`` writes a plain 12-byte header followed by the payload.
public struct RTPPacket: Sendable, Hashable {
    public var marker: Bool
    /// 7-bit payload type (the value is masked to 7 bits when serialised).
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var payload: [UInt8]

    /// The size of the fixed RTP header.
    public static let headerSize = 12

    public init(marker: Bool, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, payload: [UInt8]) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.payload = payload
    }

    /// Parses one RTP packet.
    ///
    /// - Throws: ``MediaError`` naming the packet (by sequence number once known) when the version
    ///   is not 2 or the CSRC list, header extension or padding do not fit in `bytes`.
    ///
    /// The payload keeps the storage of `bytes` (the header is cut off in place), so a caller that
    /// hands over its only copy pays no allocation.
    public init(parsing bytes: consuming [UInt8]) throws(MediaError) {
        let size = bytes.count
        guard size >= Self.headerSize else {
            throw MediaError("RTP packet: \(size) bytes is shorter than the 12-byte header")
        }
        let version = bytes[0] >> 6
        guard version == 2 else {
            throw MediaError("RTP packet: version \(version), expected 2")
        }
        let hasPadding = bytes[0] & 0x20 != 0
        let hasExtension = bytes[0] & 0x10 != 0
        let csrcCount = Int(bytes[0] & 0x0F)
        let sequenceNumber = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        // Built only when a packet is rejected: formatting it for every packet would cost more
        // than parsing the header.
        var name: String { "RTP packet \(sequenceNumber)" }

        var offset = Self.headerSize + 4 * csrcCount
        guard offset <= size else {
            throw MediaError("\(name): \(csrcCount) CSRCs need \(offset) bytes but packet size is \(size)")
        }
        if hasExtension {
            guard offset + 4 <= size else {
                throw MediaError("\(name): header extension header needs \(offset + 4) bytes but packet size is \(size)")
            }
            let words = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let end = offset + 4 + 4 * words
            guard end <= size else {
                throw MediaError("\(name): header extension length \(end - offset) exceeds packet size \(size)")
            }
            offset = end
        }
        var end = size
        if hasPadding {
            let padding = Int(bytes[size - 1])
            guard padding >= 1 else {
                throw MediaError("\(name): padding flag set but padding length is 0")
            }
            guard padding <= size - offset else {
                throw MediaError("\(name): padding length \(padding) exceeds the \(size - offset) bytes after the header")
            }
            end = size - padding
        }
        let marker = bytes[1] & 0x80 != 0
        let payloadType = bytes[1] & 0x7F
        let timestamp = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        let ssrc = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
        var payload = bytes
        if end < size { payload.removeSubrange(end..<size) }
        payload.removeSubrange(0..<offset)
        self.init(marker: marker, payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc, payload: payload)
    }

    /// The packet as bytes: version 2, no padding, extension or CSRCs.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerSize + payload.count)
        bytes.append(0x80)
        bytes.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        bytes.appendBigEndian(sequenceNumber)
        bytes.appendBigEndian(timestamp)
        bytes.appendBigEndian(ssrc)
        bytes.append(contentsOf: payload)
        return bytes
    }
}
