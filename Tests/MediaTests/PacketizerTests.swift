import Testing
@testable import Media

@Suite struct PacketizerTests {
    @Test func smallUnitsAreAggregatedIntoSTAPA() {
        var packetizer = H264Packetizer(mtu: 100, ssrc: 7, initialSequenceNumber: 65535)
        let packets = packetizer.packetize(nalUnits: [[0x67, 1, 2], [0x68, 3], [0x65] + [UInt8](repeating: 9, count: 80)], rtpTimestamp: 90)
        #expect(packets.map(\.payload) == [
            [0x78, 0, 3, 0x67, 1, 2, 0, 2, 0x68, 3],
            [0x65] + [UInt8](repeating: 9, count: 80),
        ])
        #expect(packets.map(\.sequenceNumber) == [65535, 0])
        #expect(packets.map(\.marker) == [false, true])
        #expect(packetizer.nextSequenceNumber == 1)
    }

    @Test func largeUnitsAreFragmentedIntoFUA() {
        var packetizer = H264Packetizer(mtu: 12 + 6, ssrc: 7, initialSequenceNumber: 0)
        let packets = packetizer.packetize(nalUnits: [[0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9]], rtpTimestamp: 0)
        #expect(packets.map(\.payload) == [
            [0x7C, 0x85, 1, 2, 3, 4],
            [0x7C, 0x05, 5, 6, 7, 8],
            [0x7C, 0x45, 9],
        ])
        #expect(packets.allSatisfy { $0.serialized().count <= 18 })
    }

    @Test func h265AggregationAndFragmentationHeaders() {
        var packetizer = H265Packetizer(mtu: 12 + 10, ssrc: 7, initialSequenceNumber: 0)
        let packets = packetizer.packetize(nalUnits: [[0x40, 0x01], [0x42, 0x02], [0x26, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], rtpTimestamp: 0)
        #expect(packets.map(\.payload) == [
            [0x60, 0x01, 0, 2, 0x40, 0x01, 0, 2, 0x42, 0x02],  // AP takes the lowest TID
            [0x62, 0x01, 0x93, 1, 2, 3, 4, 5, 6, 7],
            [0x62, 0x01, 0x53, 8, 9, 10],
        ])
    }

    @Test func unitsThatCannotBeCarriedAreSkipped() {
        var h264 = H264Packetizer(ssrc: 1, initialSequenceNumber: 0)
        #expect(h264.packetize(nalUnits: [[], [0x18, 1], [0x1C]], rtpTimestamp: 0) == [])
        var h265 = H265Packetizer(ssrc: 1, initialSequenceNumber: 0)
        #expect(h265.packetize(nalUnits: [[0x26], [0x60, 0x01]], rtpTimestamp: 0) == [])
        #expect(h265.nextSequenceNumber == 0)
    }

    @Test func absurdMTUIsClampedNotTrapped() throws {
        var packetizer = makePacketizer(codec: .h265, mtu: 0, ssrc: 1, initialSequenceNumber: 0)
        let packets = packetizer.packetize(nalUnits: [[0x26, 0x01] + [UInt8](repeating: 1, count: 10)], rtpTimestamp: 0)
        #expect(packets.count == 10)
        var depacketizer = makeDepacketizer(codec: .h265, parameterSets: ParameterSets())
        #expect(try depacketize(packets, into: &depacketizer).first?.nalUnits == [[0x26, 0x01] + [UInt8](repeating: 1, count: 10)])
    }
}
