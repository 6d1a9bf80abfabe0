// The depacketiser targets ("h264", "h265"): the input is turned into a sequence of RTP packets.
//
// Input layout: one mode byte (bits 0-1: reorder window 0-3 packets; bit 2: start with real
// sprop parameter sets as if from the SDP), then records of
//   [flags] [length] [length bytes of RTP payload]
// flags bit 0: marker; bits 1-2: sequence step (+1, +2 = one packet lost, -1 = late, +0/+N·1000
// from bits 4-7); bit 3: the RTP timestamp advances by 3000 before this packet.
// Every access unit that comes out goes the way the recorder takes it: decoding parameters from
// the parameter sets seen so far (as TrackDepacketizer does), then an MP4 fragment.
@testable import Media

/// Real parameter sets (also in Tests/MediaTests/VideoParametersTests.swift).
let fuzzH264Sets = ParameterSets(
    sps: hexBytes("6764001facd9405005bb011000000300100000030320f1831960"), pps: hexBytes("68ebe3cb22c0"))
let fuzzH265Sets = ParameterSets(
    vps: hexBytes("40010c01ffff016000000300900000030000030078959809"),
    sps: hexBytes("420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84"),
    pps: hexBytes("4401c172b46240"))

func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var digits = hex.utf8.makeIterator()
    while let high = digits.next(), let low = digits.next() {
        out.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
    }
    return out
}

func fuzzDepacketizer(_ codec: VideoCodec, _ bytes: [UInt8]) {
    var cursor = FuzzCursor(bytes)
    let mode = cursor.byte() ?? 0
    let initial = mode & 4 != 0 ? (codec == .h264 ? fuzzH264Sets : fuzzH265Sets) : ParameterSets()
    var depacketizer = makeDepacketizer(codec: codec, parameterSets: initial, reorderWindow: Int(mode & 3))
    var sequenceNumber: UInt16 = 0xFFF0  // wraps within the first records
    var timestamp: UInt32 = 0xFFFF_F000
    var pushed = 0
    var emitted = 0
    var parameters: VideoParameters?
    var parametersSource: ParameterSets?
    var decodeTime: UInt64 = 0

    func consume(_ units: [AccessUnit]) {
        for unit in units {
            emitted += 1
            fuzzRequire(!unit.nalUnits.isEmpty, "an access unit without NAL units")
            fuzzRequire(unit.nalUnits.allSatisfy { !$0.isEmpty }, "an empty NAL unit in an access unit")
            let sets = depacketizer.parameterSets
            if parameters == nil || sets != parametersSource {
                parameters = try? VideoParameters(codec: codec, parameterSets: sets)
                parametersSource = sets
            }
            guard parameters != nil else { continue }
            let payload = AVCCFormat.lengthPrefixed(unit.nalUnits)
            let back = try? AVCCFormat.split(payload)
            fuzzRequire(back == unit.nalUnits, "length-prefixed NAL units do not split back")
            let sample = MP4Sample(duration: 3000, size: UInt32(payload.count), isKeyFrame: unit.isKeyFrame)
            _ = FragmentedMP4.fragment(sequenceNumber: UInt32(emitted), baseDecodeTime90k: decodeTime, sample: sample, payload: payload)
            decodeTime += 3000
        }
    }

    while let flags = cursor.byte(), pushed < 4096 {
        let payload = cursor.take(Int(cursor.byte() ?? 0))
        switch (flags >> 1) & 3 {
        case 0: sequenceNumber &+= 1
        case 1: sequenceNumber &+= 2
        case 2: sequenceNumber &-= 1
        default: sequenceNumber &+= UInt16(flags >> 4) &* 1000
        }
        if flags & 8 != 0 { timestamp &+= 3000 }
        let packet = RTPPacket(marker: flags & 1 != 0, payloadType: 96, sequenceNumber: sequenceNumber,
                               timestamp: timestamp, ssrc: 0x1234, payload: payload)
        pushed += 1
        if let units = try? depacketizer.push(packet) { consume(units) }
    }
    consume(depacketizer.flush())
    let stats = depacketizer.stats
    fuzzRequire(stats.packets == pushed, "stats count \(stats.packets) packets, \(pushed) were pushed")
    fuzzRequire(stats.accessUnits <= emitted, "stats count more access units than were emitted")
}
