import PropertyBased
import Randomness
import Testing
@testable import Media

/// packetize → (reorder, lose) → depacketize, for both codecs.
@Suite struct DepacketizerPropertyTests {
    @Test(arguments: VideoCodec.allCases)
    func roundTripWithoutLoss(codec: VideoCodec) async throws {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.int(in: 200...1500)) { seed, mtu in
            var rng = SeededRandom(seed: seed)
            let units = makeAccessUnits(codec, count: Int(2 + rng.next() % 10), rng: &rng)
            let (packets, _) = packetize(units, codec: codec, mtu: mtu, rng: &rng)
            #expect(packets.allSatisfy { $0.serialized().count <= mtu })
            #expect(packets.filter(\.marker).count == units.count)

            var depacketizer = makeDepacketizer(codec: codec, parameterSets: ParameterSets())
            let output = try depacketize(packets, into: &depacketizer)
            #expect(output == units)
            #expect(depacketizer.stats == DepacketizerStats(packets: packets.count, accessUnits: units.count))

            var expectedSets = ParameterSets()
            for nal in units.flatMap(\.nalUnits) { expectedSets.record(nal, codec: codec) }
            #expect(depacketizer.parameterSets == expectedSets)
        }
    }

    @Test(arguments: VideoCodec.allCases)
    func roundTripThroughRTPBytes(codec: VideoCodec) async throws {
        await propertyCheck(count: 20, input: Gen.uint64(), Gen.int(in: 200...1500)) { seed, mtu in
            var rng = SeededRandom(seed: seed)
            let units = makeAccessUnits(codec, count: Int(1 + rng.next() % 6), rng: &rng)
            let (packets, _) = packetize(units, codec: codec, mtu: mtu, rng: &rng)
            let parsed = try packets.map { packet throws(MediaError) in try RTPPacket(parsing: packet.serialized()) }
            #expect(parsed == packets)
            var depacketizer = makeDepacketizer(codec: codec, parameterSets: ParameterSets())
            #expect(try depacketize(parsed, into: &depacketizer) == units)
        }
    }

    @Test(arguments: VideoCodec.allCases)
    func reorderingWithinTheWindowIsRepaired(codec: VideoCodec) async throws {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.int(in: 200...1500), Gen.int(in: 1...8)) { seed, mtu, window in
            var rng = SeededRandom(seed: seed)
            let units = makeAccessUnits(codec, count: Int(2 + rng.next() % 10), rng: &rng)
            let (packets, _) = packetize(units, codec: codec, mtu: mtu, rng: &rng)
            var arrivals = shuffledWithinWindow(packets, window: window, rng: &rng)
            // A few duplicates, right after the original, must be ignored.
            for _ in 0..<Int(rng.next() % 3) where !arrivals.isEmpty {
                let index = Int(rng.next() % UInt64(arrivals.count))
                arrivals.insert(arrivals[index], at: index + 1)
            }

            var depacketizer = makeDepacketizer(codec: codec, parameterSets: ParameterSets(), reorderWindow: window)
            let output = try depacketize(arrivals, into: &depacketizer)
            #expect(output == units)
            #expect(depacketizer.stats.gaps == 0)
            #expect(depacketizer.stats.droppedAccessUnits == 0)
            #expect(depacketizer.stats.discardedPackets == arrivals.count - packets.count)
        }
    }

    @Test(arguments: VideoCodec.allCases)
    func lossesDropBrokenAccessUnitsUntilTheNextKeyFrame(codec: VideoCodec) async throws {
        await propertyCheck(count: 60, input: Gen.uint64(), Gen.int(in: 200...1500), Gen.int(in: 0...4)) { seed, mtu, window in
            var rng = SeededRandom(seed: seed)
            let units = makeAccessUnits(codec, count: Int(3 + rng.next() % 14), rng: &rng)
            let (packets, ranges) = packetize(units, codec: codec, mtu: mtu, rng: &rng)
            // Never lose the first packet: nothing could tell that it was missing.
            let lossPercent = 1 + rng.next() % 12
            var received = packets.indices.map { $0 == 0 || rng.next() % 100 >= lossPercent }
            if rng.next() % 4 == 0 && packets.count > 2 {
                // A burst.
                let start = Int(1 + rng.next() % UInt64(packets.count - 1))
                for index in start..<min(packets.count, start + Int(rng.next() % 30)) { received[index] = false }
            }
            let arrivals = shuffledWithinWindow(packets.indices.filter { received[$0] }, window: window, rng: &rng)

            var depacketizer = makeDepacketizer(codec: codec, parameterSets: ParameterSets(), reorderWindow: window)
            let output = try depacketize(arrivals.map { packets[$0] }, into: &depacketizer)

            let expected = LossModel(units: units, ranges: ranges, received: received)
            #expect(output == expected.emitted)
            #expect(depacketizer.stats.gaps == expected.gaps)
            #expect(depacketizer.stats.lostPackets == expected.lostPackets)
            #expect(depacketizer.stats.droppedAccessUnits == expected.dropped)
            #expect(depacketizer.stats.accessUnits == expected.emitted.count)
            // Every access unit emitted is one that was sent, whole.
            #expect(output.allSatisfy { units.contains($0) })
        }
    }
}

/// What a depacketizer should emit after losses, by the rules in docs/media.md.
struct LossModel {
    var emitted: [AccessUnit] = []
    var dropped = 0
    var gaps = 0
    var lostPackets = 0

    init(units: [AccessUnit], ranges: [Range<Int>], received: [Bool]) {
        // Only losses followed by a received packet can be noticed.
        let lastReceived = received.lastIndex(of: true) ?? -1
        var index = 0
        while index < lastReceived {
            if !received[index] {
                var end = index
                while !received[end] { end += 1 }
                gaps += 1
                lostPackets += end - index
                index = end
            } else {
                index += 1
            }
        }
        var waitingForKeyFrame = true
        for (unit, range) in zip(units, ranges) {
            guard range.contains(where: { received[$0] }) else { continue }
            // Whole, and the packet before it arrived (else the loss might have been its start).
            let clean = range.allSatisfy { received[$0] } && (range.lowerBound == 0 || received[range.lowerBound - 1])
            if !clean {
                dropped += 1
                waitingForKeyFrame = true
            } else if waitingForKeyFrame && !unit.isKeyFrame {
                dropped += 1
            } else {
                waitingForKeyFrame = false
                emitted.append(unit)
            }
        }
    }
}
