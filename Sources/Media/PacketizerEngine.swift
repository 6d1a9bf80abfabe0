/// The codec-independent part of packetizing: single NAL unit packets when a unit fits,
/// aggregation of consecutive small units, fragmentation of large ones, sequence numbers and the
/// marker bit.
struct PacketizerEngine<Format: RTPPayloadFormat>: Sendable {
    /// The smallest payload that can still carry a fragment with one byte of data.
    static var minimumPayloadSize: Int { Format.fragmentHeaderSize + 1 }

    let maxPayloadSize: Int
    let payloadType: UInt8
    let ssrc: UInt32
    private(set) var nextSequenceNumber: UInt16

    init(mtu: Int, payloadType: UInt8, ssrc: UInt32, initialSequenceNumber: UInt16) {
        // Keep one length-prefixed unit within 16 bits as well as within the MTU.
        maxPayloadSize = min(max(mtu - RTPPacket.headerSize, Self.minimumPayloadSize), 65_535)
        self.payloadType = payloadType
        self.ssrc = ssrc
        nextSequenceNumber = initialSequenceNumber
    }

    mutating func packetize(nalUnits: [[UInt8]], rtpTimestamp: UInt32) -> [RTPPacket] {
        // Units whose type collides with a packet type (or that are too short) cannot be sent.
        let units = nalUnits.filter(Format.canCarry)
        var payloads: [[UInt8]] = []
        var index = 0
        while index < units.count {
            let unit = units[index]
            if unit.count > maxPayloadSize {
                fragment(unit, into: &payloads)
                index += 1
                continue
            }
            var size = Format.aggregationHeaderSize + 2 + unit.count
            var end = index + 1
            while end < units.count, size + 2 + units[end].count <= maxPayloadSize {
                size += 2 + units[end].count
                end += 1
            }
            if end - index == 1 {
                payloads.append(unit)
            } else {
                let group = units[index..<end]
                var payload = Format.aggregationHeader(for: group)
                payload.reserveCapacity(size)
                for member in group { payload.appendLengthPrefixed(member) }
                payloads.append(payload)
            }
            index = end
        }
        var packets: [RTPPacket] = []
        packets.reserveCapacity(payloads.count)
        for (i, payload) in payloads.enumerated() {
            packets.append(RTPPacket(
                marker: i == payloads.count - 1, payloadType: payloadType, sequenceNumber: nextSequenceNumber,
                timestamp: rtpTimestamp, ssrc: ssrc, payload: payload))
            nextSequenceNumber &+= 1
        }
        return packets
    }

    private func fragment(_ unit: [UInt8], into payloads: inout [[UInt8]]) {
        let chunkSize = maxPayloadSize - Format.fragmentHeaderSize
        var offset = Format.nalHeaderSize
        while offset < unit.count {
            let end = min(offset + chunkSize, unit.count)
            var payload = Format.fragmentHeader(for: unit, start: offset == Format.nalHeaderSize, end: end == unit.count)
            payload.append(contentsOf: unit[offset..<end])
            payloads.append(payload)
            offset = end
        }
    }
}
