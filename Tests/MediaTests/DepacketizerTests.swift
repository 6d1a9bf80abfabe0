import Testing
@testable import Media

private func packet(_ sequenceNumber: UInt16, _ timestamp: UInt32, marker: Bool = false, _ payload: [UInt8]) -> RTPPacket {
    RTPPacket(marker: marker, payloadType: 96, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: 1, payload: payload)
}

private let idr: [UInt8] = [0x65, 0x88, 0x84, 0x21]
private let slice: [UInt8] = [0x41, 0x9A, 0x02]
private let sei: [UInt8] = [0x06, 0x05, 0x01]

@Suite struct H264DepacketizerTests {
    @Test func camerasWithoutMarkerBitsEndAccessUnitsOnTimestampChange() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(10, 1000, idr)) == [])
        #expect(try depacketizer.push(packet(11, 1000, slice)) == [])
        let first = try depacketizer.push(packet(12, 4000, slice))
        #expect(first == [AccessUnit(timestamp: 1000, rtpTimestamp: 1000, isKeyFrame: true, nalUnits: [idr, slice])])
        // No marker bit was ever seen, so the last access unit is complete at the end.
        #expect(depacketizer.flush() == [AccessUnit(timestamp: 4000, rtpTimestamp: 4000, isKeyFrame: false, nalUnits: [slice])])
    }

    @Test func timestampsAreExtendedAcrossTheWrap() throws {
        var depacketizer = H264Depacketizer()
        var output: [AccessUnit] = []
        for (index, timestamp) in [UInt32.max - 2999, UInt32.max - 1499, 500, 3500, 2000].enumerated() {
            output += try depacketizer.push(packet(UInt16(index), timestamp, marker: true, index == 0 ? idr : slice))
        }
        let base = Int64(UInt32.max - 2999)
        #expect(output.map(\.timestamp) == [base, base + 1500, base + 3500, base + 6500, base + 5000])
    }

    @Test func waitsForTheFirstKeyFrame() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(1, 0, marker: true, slice)) == [])
        #expect(try depacketizer.push(packet(2, 3000, marker: true, idr)).count == 1)
        #expect(try depacketizer.push(packet(3, 6000, marker: true, slice)).count == 1)
        #expect(depacketizer.stats.droppedAccessUnits == 1)
        #expect(depacketizer.stats.accessUnits == 2)
    }

    @Test func strayFragmentsAreDroppedAndCounted() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(1, 0, marker: true, idr)).count == 1)
        // FU-A middle fragment (no start bit) of a slice, with no start before it.
        #expect(try depacketizer.push(packet(2, 3000, [0x5C, 0x01, 0xAA])) == [])
        #expect(try depacketizer.push(packet(3, 3000, marker: true, [0x5C, 0x41, 0xBB])) == [])
        #expect(try depacketizer.push(packet(4, 6000, marker: true, slice)) == [])  // waits for a key frame
        #expect(try depacketizer.push(packet(5, 9000, marker: true, idr)).count == 1)
        #expect(depacketizer.stats.strayFragments == 2)
        #expect(depacketizer.stats.droppedAccessUnits == 2)
        #expect(depacketizer.stats.gaps == 0)
    }

    @Test func fragmentsAreReassembled() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(1, 0, [0x7C, 0x85, 1, 2])) == [])
        #expect(try depacketizer.push(packet(2, 0, [0x7C, 0x05, 3])) == [])
        let output = try depacketizer.push(packet(3, 0, marker: true, [0x7C, 0x45, 4, 5]))
        #expect(output.first?.nalUnits == [[0x65, 1, 2, 3, 4, 5]])
        #expect(output.first?.isKeyFrame == true)
    }

    @Test func unsupportedPacketsThrowButLoseNothingElse() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(1, 0, idr)) == [])
        // A STAP-B with a new timestamp completes the IDR access unit, then fails.
        #expect(throws: MediaError("RTP packet 2: H.264 STAP-B (type 25) packets are not supported")) {
            try depacketizer.push(packet(2, 3000, [0x19, 0, 0, 0, 1, 0x41]))
        }
        #expect(depacketizer.stats.unsupportedPackets == 1)
        // The IDR access unit completed by the failing call comes with the next one.
        let output = try depacketizer.push(packet(3, 6000, marker: true, idr))
        #expect(output.map(\.rtpTimestamp) == [0, 6000])
        #expect(depacketizer.stats.droppedAccessUnits == 1)
    }

    @Test func malformedAggregationNamesThePacket() {
        var depacketizer = H264Depacketizer()
        #expect(throws: MediaError("RTP packet 9: STAP-A NAL unit size 300 exceeds the remaining 2 bytes")) {
            try depacketizer.push(packet(9, 0, [0x18, 0x01, 0x2C, 0x67, 0x42]))
        }
        #expect(throws: MediaError("RTP packet 10: empty H.264 payload")) {
            try depacketizer.push(packet(10, 0, []))
        }
    }

    @Test func duplicatesAndLatePacketsAreIgnored() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(100, 0, marker: true, idr)).count == 1)
        #expect(try depacketizer.push(packet(100, 0, marker: true, idr)) == [])
        #expect(try depacketizer.push(packet(99, 0, marker: true, idr)) == [])
        #expect(try depacketizer.push(packet(101, 3000, marker: true, slice)).count == 1)
        #expect(depacketizer.stats.discardedPackets == 2)
        #expect(depacketizer.stats.gaps == 0)
    }

    @Test func aStrayMarkerOnSEIDoesNotSplitThePicture() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(1, 0, marker: true, sei)) == [])
        let output = try depacketizer.push(packet(2, 0, marker: true, idr))
        #expect(output.first?.nalUnits == [sei, idr])
    }

    @Test func gapDropsBothAccessUnitsItMayHaveTouched() throws {
        var depacketizer = H264Depacketizer()
        #expect(try depacketizer.push(packet(1, 0, marker: true, idr)).count == 1)
        #expect(try depacketizer.push(packet(2, 3000, slice)) == [])
        // Packet 3 lost: it may have ended the 3000 picture or started the 6000 one.
        #expect(try depacketizer.push(packet(4, 6000, marker: true, slice)) == [])
        #expect(try depacketizer.push(packet(5, 9000, marker: true, idr)).count == 1)
        #expect(depacketizer.stats == DepacketizerStats(packets: 4, gaps: 1, lostPackets: 1, droppedAccessUnits: 2, accessUnits: 2))
    }

    @Test func senderRestartingItsSequenceNumbersIsAGapNotLateness() throws {
        var depacketizer = H264Depacketizer(reorderWindow: 2)
        var output: [AccessUnit] = []
        for (index, sequenceNumber) in [40000, 40001, 40002, 30000, 30001, 30002].enumerated() {
            output += try depacketizer.push(packet(UInt16(sequenceNumber), UInt32(index * 3000), marker: true, idr))
        }
        output += depacketizer.flush()
        #expect(output.count == 5)  // the picture after the restart is dropped, as after any gap
        #expect(depacketizer.stats.gaps == 1)
        #expect(depacketizer.stats.lostPackets == 0)
    }

    @Test func inBandParameterSetsReplaceTheSDPOnes() throws {
        var depacketizer = makeDepacketizer(codec: .h264, parameterSets: ParameterSets(sps: [0x67, 1], pps: [0x68, 1]))
        #expect(depacketizer.parameterSets.sps == [0x67, 1])
        // STAP-A with a new SPS and the IDR.
        _ = try depacketizer.push(packet(1, 0, marker: true, [0x78, 0, 3, 0x67, 2, 2, 0, 4] + idr))
        #expect(depacketizer.parameterSets == ParameterSets(sps: [0x67, 2, 2], pps: [0x68, 1]))
        #expect(depacketizer.codec == .h264)
    }
}

@Suite struct H265DepacketizerTests {
    @Test func aggregationAndFragmentation() throws {
        var depacketizer = H265Depacketizer()
        let vps: [UInt8] = [0x40, 0x01, 0x0C]
        let sps: [UInt8] = [0x42, 0x01, 0x01, 0x02]
        // AP (type 48) with VPS and SPS.
        #expect(try depacketizer.push(packet(1, 0, [0x60, 0x01, 0, 3] + vps + [0, 4] + sps)) == [])
        // FU (type 49) of an IDR_W_RADL (19): start, end.
        #expect(try depacketizer.push(packet(2, 0, [0x62, 0x01, 0x93, 0xAF, 0x01])) == [])
        let output = try depacketizer.push(packet(3, 0, marker: true, [0x62, 0x01, 0x53, 0x02]))
        #expect(output == [AccessUnit(timestamp: 0, rtpTimestamp: 0, isKeyFrame: true, nalUnits: [vps, sps, [0x26, 0x01, 0xAF, 0x01, 0x02]])])
        #expect(depacketizer.parameterSets == ParameterSets(vps: vps, sps: sps))
        #expect(depacketizer.codec == .h265)
    }

    @Test func paciIsUnsupported() {
        var depacketizer = H265Depacketizer()
        #expect(throws: MediaError("RTP packet 1: H.265 PACI (type 50) packets are not supported")) {
            try depacketizer.push(packet(1, 0, [0x64, 0x01, 0, 0]))
        }
    }
}
