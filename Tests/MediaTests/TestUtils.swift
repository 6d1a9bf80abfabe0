import Randomness
@testable import Media

/// Bytes from a hex string; whitespace is ignored.
func bytes(_ hexString: String) -> [UInt8] {
    let digits = hexString.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
    var out: [UInt8] = []
    var index = 0
    while index + 1 < digits.count {
        out.append(UInt8(String(digits[index...index + 1]), radix: 16)!)
        index += 2
    }
    return out
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// A made-up NAL unit with a valid header of `type` and `size` bytes in total.
func makeNAL(_ codec: VideoCodec, type: UInt8, size: Int, rng: inout SeededRandom) -> [UInt8] {
    switch codec {
    case .h264:
        let nri = UInt8(rng.next() % 4) << 5
        return [nri | type] + rng.bytes(max(size, 1) - 1)
    case .h265:
        let temporalID = UInt8(1 + rng.next() % 3)
        return [type << 1, temporalID] + rng.bytes(max(size, 2) - 2)
    }
}

/// Mostly small NAL units (so aggregation happens), some around the MTU, a few large ones.
func randomNALSize(_ rng: inout SeededRandom) -> Int {
    switch rng.next() % 10 {
    case 0..<6: Int(1 + rng.next() % 200)
    case 6..<9: Int(200 + rng.next() % 3000)
    default: Int(3000 + rng.next() % 17_000)
    }
}

/// A sequence of access units as a camera would send them: the first is a key frame with
/// parameter sets, more key frames follow at random, timestamps advance and may wrap.
func makeAccessUnits(_ codec: VideoCodec, count: Int, rng: inout SeededRandom) -> [AccessUnit] {
    let types: (parameterSets: [UInt8], key: UInt8, nonKey: [UInt8], extra: [UInt8]) =
        codec == .h264 ? ([7, 8], 5, [1], [6, 9]) : ([32, 33, 34], 19, [1, 0], [39, 35])
    var rtpTimestamp: UInt32 = rng.next() % 2 == 0 ? UInt32.max &- UInt32(rng.next() % 20_000) : UInt32(truncatingIfNeeded: rng.next())
    var extended = Int64(rtpTimestamp)
    var units: [AccessUnit] = []
    for index in 0..<count {
        let isKey = index == 0 || rng.next() % 4 == 0
        var nals: [[UInt8]] = []
        if rng.next() % 2 == 0 { nals.append(makeNAL(codec, type: types.extra[1], size: Int(1 + rng.next() % 4), rng: &rng)) }
        if isKey {
            for type in types.parameterSets { nals.append(makeNAL(codec, type: type, size: Int(4 + rng.next() % 40), rng: &rng)) }
        }
        if rng.next() % 3 == 0 { nals.append(makeNAL(codec, type: types.extra[0], size: randomNALSize(&rng), rng: &rng)) }
        for _ in 0..<(1 + rng.next() % 3) {
            let type = isKey ? types.key : types.nonKey[Int(rng.next() % UInt64(types.nonKey.count))]
            nals.append(makeNAL(codec, type: type, size: randomNALSize(&rng), rng: &rng))
        }
        units.append(AccessUnit(timestamp: extended, rtpTimestamp: rtpTimestamp, isKeyFrame: isKey, nalUnits: nals))
        let step = UInt32(1 + rng.next() % 6000)
        rtpTimestamp &+= step
        extended += Int64(step)
    }
    return units
}

/// Packets for `units`, and which packets belong to each access unit.
func packetize(_ units: [AccessUnit], codec: VideoCodec, mtu: Int, rng: inout SeededRandom) -> (packets: [RTPPacket], ranges: [Range<Int>]) {
    var packetizer = makePacketizer(
        codec: codec, mtu: mtu, payloadType: 96, ssrc: UInt32(truncatingIfNeeded: rng.next()),
        initialSequenceNumber: UInt16(truncatingIfNeeded: rng.next()))
    var packets: [RTPPacket] = []
    var ranges: [Range<Int>] = []
    for unit in units {
        let start = packets.count
        packets += packetizer.packetize(nalUnits: unit.nalUnits, rtpTimestamp: unit.rtpTimestamp)
        ranges.append(start..<packets.count)
    }
    return (packets, ranges)
}

/// Shuffles consecutive chunks of `window + 1` packets, so no packet moves more than `window` places.
func shuffledWithinWindow<T>(_ items: [T], window: Int, rng: inout SeededRandom) -> [T] {
    guard window > 0 else { return items }
    var out: [T] = []
    var start = 0
    while start < items.count {
        let end = min(start + window + 1, items.count)
        out += items[start..<end].shuffled(using: &rng)
        start = end
    }
    return out
}

/// Feeds all packets, then flushes.
func depacketize(_ packets: [RTPPacket], into depacketizer: inout any Depacketizer) throws -> [AccessUnit] {
    var output: [AccessUnit] = []
    for packet in packets { output += try depacketizer.push(packet) }
    output += depacketizer.flush()
    return output
}
