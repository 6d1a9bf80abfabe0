import Randomness
import Testing
@testable import Media

/// Random and mutated input into every parser: nothing may trap. 118,000 cases, seeded so
/// any failure reproduces.
@Suite struct FuzzTests {
    /// Flips bits, overwrites, inserts, deletes or truncates a few places in `input`.
    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + rng.next() % 4) {
            let position = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 6 {
            case 0 where !bytes.isEmpty: bytes[position] ^= 1 << UInt8(rng.next() % 8)
            case 1 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
            case 2: bytes.insert(contentsOf: rng.bytes(Int(1 + rng.next() % 4)), at: position)
            case 3 where !bytes.isEmpty: bytes.remove(at: position)
            case 4: bytes = Array(bytes.prefix(position))
            default: if !bytes.isEmpty { bytes[position] = [0x00, 0xFF, 0x80, 0x7F][Int(rng.next() % 4)] }
            }
        }
        return bytes
    }

    @Test func rtpPackets() {
        var rng = SeededRandom(seed: 0x5254_5031)
        var parsed = 0
        let valid = RTPPacket(marker: true, payloadType: 96, sequenceNumber: 7, timestamp: 9, ssrc: 3, payload: [1, 2, 3, 4, 5, 6]).serialized()
        for round in 0..<40_000 {
            var input: [UInt8]
            if round % 3 == 0 {
                input = Self.mutate(valid, &rng)
            } else {
                input = rng.bytes(Int(rng.next() % 48))
                // Mostly version 2, so the parser gets past the first check.
                if !input.isEmpty && rng.next() % 4 != 0 { input[0] = 0x80 | input[0] & 0x3F }
            }
            if let packet = try? RTPPacket(parsing: input) {
                parsed += 1
                #expect(packet.payload.count <= input.count - 12)
            }
        }
        #expect(parsed > 1000)
    }

    @Test(arguments: VideoCodec.allCases)
    func depacketizers(codec: VideoCodec) throws {
        var rng = SeededRandom(seed: codec == .h264 ? 1 : 2)
        var emitted = 0
        // A real stream to mutate.
        let units = makeAccessUnits(codec, count: 20, rng: &rng)
        let (packets, _) = packetize(units, codec: codec, mtu: 300, rng: &rng)
        for stream in 0..<100 {
            var depacketizer = makeDepacketizer(codec: codec, parameterSets: ParameterSets(), reorderWindow: stream % 4)
            var sequenceNumber = UInt16(truncatingIfNeeded: rng.next())
            var timestamp = UInt32(truncatingIfNeeded: rng.next())
            for round in 0..<200 {
                var packet: RTPPacket
                if stream % 2 == 0 {
                    packet = packets[round % packets.count]
                    packet.payload = Self.mutate(packet.payload, &rng)
                    if rng.next() % 10 == 0 { packet.sequenceNumber &+= UInt16(truncatingIfNeeded: rng.next() % 5) }
                } else {
                    var payload = rng.bytes(Int(rng.next() % 24))
                    // Favour the packet types with structure: aggregation and fragmentation.
                    if payload.count > 1 && rng.next() % 2 == 0 {
                        payload[0] = codec == .h264 ? [0x18, 0x1C, 0x7C, 0x65][Int(rng.next() % 4)] : [0x60, 0x62, 0x26, 0x64][Int(rng.next() % 4)]
                    }
                    if rng.next() % 8 != 0 { sequenceNumber &+= 1 } else { sequenceNumber = UInt16(truncatingIfNeeded: rng.next()) }
                    if rng.next() % 3 == 0 { timestamp &+= UInt32(rng.next() % 10_000) }
                    packet = RTPPacket(marker: rng.next() % 3 == 0, payloadType: 96, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: 1, payload: payload)
                }
                if let output = try? depacketizer.push(packet) { emitted += output.count }
            }
            emitted += depacketizer.flush().count
            let stats = depacketizer.stats
            #expect(stats.packets == 200)
            #expect(stats.accessUnits <= emitted)
        }
        #expect(emitted > 0)
    }

    @Test func sessionDescriptions() {
        var rng = SeededRandom(seed: 0x5344_50)
        let seeds = [
            randomSessionDescription(&rng).rendered(),
            """
            v=0\r
            s=x\r
            a=control:*\r
            m=video 0 RTP/AVP 96\r
            a=rtpmap:96 H264/90000\r
            a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z2QAH6zZQFAFuwEQAAADABAAAAMDIPGDGWA=,aOvjyyLA\r
            a=control:trackID=1\r
            m=audio 0 RTP/AVP 8\r
            """,
        ].map { Array($0.utf8) }
        var parsed = 0
        for round in 0..<8_000 {
            let input = round % 5 == 0 ? rng.bytes(Int(rng.next() % 64)) : Self.mutate(seeds[round % 2], &rng)
            if let sdp = try? SessionDescription(parsing: String(decoding: input, as: UTF8.self)) {
                parsed += 1
                for medium in sdp.media { _ = medium.parameterSets }
                _ = try? SessionDescription(parsing: sdp.rendered())
            }
        }
        #expect(parsed > 1000)
    }

    @Test func videoParameters() {
        var rng = SeededRandom(seed: 0x5350_53)
        let seeds: [(VideoCodec, ParameterSets)] = [
            (.h264, Vectors.h264High720), (.h264, Vectors.h264High444), (.h264, Vectors.h264MainInterlaced288),
            (.h264, Vectors.h264Baseline480), (.h265, Vectors.h265Main1080), (.h265, Vectors.h265Main10720),
        ]
        var parsed = 0
        for round in 0..<30_000 {
            let (codec, sets) = seeds[round % seeds.count]
            var mutated = sets
            switch rng.next() % 4 {
            case 0: mutated.sps = mutated.sps.map { Self.mutate($0, &rng) }
            case 1: mutated.vps = mutated.vps.map { Self.mutate($0, &rng) }
            case 2: mutated.sps = [mutated.sps![0]] + (codec == .h265 ? [1] : []) + rng.bytes(Int(rng.next() % 40))
            default: mutated.sps = mutated.sps.map { Array($0.prefix(Int(rng.next() % UInt64($0.count + 1)))) }
            }
            if let parameters = try? VideoParameters(codec: codec, parameterSets: mutated) {
                parsed += 1
                #expect(parameters.width > 0 && parameters.height > 0)
                #expect(parameters.sampleEntryBox.count > 8)
            }
        }
        #expect(parsed > 1000)
    }
}
