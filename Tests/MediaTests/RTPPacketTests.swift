import PropertyBased
import Testing
@testable import Media

@Suite struct RTPPacketTests {
    @Test func serializedThenParsedIsIdentity() async throws {
        await propertyCheck(
            count: 200, input: Gen.bool, Gen.uint8(in: 0...127), Gen.uint16(), Gen.uint32(), Gen.uint32(),
            Gen.uint8().array(of: 0...64)
        ) { marker, payloadType, sequenceNumber, timestamp, ssrc, payload in
            let packet = RTPPacket(marker: marker, payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc, payload: payload)
            let parsed = try RTPPacket(parsing: packet.serialized())
            #expect(parsed == packet)
        }
    }

    @Test func knownBytes() throws {
        let packet = try RTPPacket(parsing: bytes("80e004d2 0001e240 deadbeef 65 88 84"))
        #expect(packet == RTPPacket(marker: true, payloadType: 96, sequenceNumber: 1234, timestamp: 123_456, ssrc: 0xDEAD_BEEF, payload: [0x65, 0x88, 0x84]))
    }

    @Test func csrcsExtensionAndPaddingAreSkipped() throws {
        // V=2 P=1 X=1 CC=2, M=0 PT=97.
        let raw = bytes("""
            b2 61 0010 00000064 00000001
            11111111 22222222
            bede 0002 01020304 05060708
            aa bb cc
            00 00 03
            """)
        let packet = try RTPPacket(parsing: raw)
        #expect(packet.payload == [0xAA, 0xBB, 0xCC])
        #expect(packet.payloadType == 97)
        #expect(!packet.marker)
        #expect(packet.sequenceNumber == 16)
    }

    @Test func errorsNameThePacket() {
        #expect(throws: MediaError("RTP packet: 5 bytes is shorter than the 12-byte header")) {
            try RTPPacket(parsing: [0x80, 0, 0, 0, 0])
        }
        #expect(throws: MediaError("RTP packet: version 1, expected 2")) {
            try RTPPacket(parsing: bytes("40600001 00000000 00000000"))
        }
        // Extension of 9 words (40 bytes with its header) in a 30-byte packet.
        #expect(throws: MediaError("RTP packet 1234: header extension length 40 exceeds packet size 30")) {
            try RTPPacket(parsing: bytes("906004d2 00000000 00000000 bede0009") + [UInt8](repeating: 0, count: 14))
        }
        #expect(throws: MediaError("RTP packet 7: padding length 200 exceeds the 2 bytes after the header")) {
            try RTPPacket(parsing: bytes("a0600007 00000000 00000000 00c8"))
        }
        #expect(throws: MediaError("RTP packet 7: padding flag set but padding length is 0")) {
            try RTPPacket(parsing: bytes("a0600007 00000000 00000000 0100"))
        }
        #expect(throws: MediaError("RTP packet 7: 15 CSRCs need 72 bytes but packet size is 12")) {
            try RTPPacket(parsing: bytes("8f600007 00000000 00000000"))
        }
    }
}

@Suite struct AnnexBTests {
    @Test func splitsOnThreeAndFourByteStartCodes() {
        let stream = bytes("00000001 6742 00 000001 68ce 0000 00000001 65888400 000001 06")
        #expect(AnnexB.split(stream) == [[0x67, 0x42], [0x68, 0xCE], [0x65, 0x88, 0x84], [0x06]])
    }

    @Test func edgeCases() {
        #expect(AnnexB.split([]) == [])
        #expect(AnnexB.split([0, 0, 1]) == [])
        #expect(AnnexB.split([0, 0, 0, 1, 0, 0, 1]) == [])
        #expect(AnnexB.split([0x09, 0x10]) == [[0x09, 0x10]])
        #expect(AnnexB.split([0x09, 0, 0, 1, 0x41]) == [[0x09], [0x41]])
        // 00 00 02 and 00 00 03 are not start codes.
        #expect(AnnexB.split([0, 0, 1, 0x41, 0, 0, 3, 1]) == [[0x41, 0, 0, 3, 1]])
    }

    @Test func joinThenSplitIsIdentity() async {
        // NAL units never end in a zero byte (rbsp_trailing_bits), and emulation prevention keeps
        // start codes out of them.
        let nal = Gen.uint8().array(of: 0...40).map { rbsp in NALUnit.addEmulationPrevention([0x41] + rbsp + [0x80]) }
        await propertyCheck(count: 200, input: nal.array(of: 0...6)) { nalUnits in
            #expect(AnnexB.split(AnnexB.join(nalUnits)) == nalUnits)
        }
    }

    @Test func emulationPreventionRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint8(in: 0...4).array(of: 0...60)) { rbsp in
            let nal = NALUnit.addEmulationPrevention(rbsp)
            #expect(NALUnit.removeEmulationPrevention(nal) == rbsp)
            // No start code prefix (00 00 00/01/02) survives inside.
            for index in nal.indices.dropLast(2) {
                #expect(!(nal[index] == 0 && nal[index + 1] == 0 && nal[index + 2] <= 2))
            }
        }
        #expect(NALUnit.removeEmulationPrevention(bytes("0000030100000300")) == bytes("000001000000"))
    }

    @Test func nalTypes() {
        #expect(NALUnit.h264Type([0x67]) == 7)
        #expect(NALUnit.h264Type([0x65, 1]) == 5)
        #expect(NALUnit.h265Type([0x40, 0x01]) == 32)
        #expect(NALUnit.h265Type([0x26, 0x01]) == 19)
        #expect(NALUnit.h264Type([]) == 0)
        #expect(NALUnit.h265Type([]) == 0)
    }
}

@Suite struct Base64Tests {
    @Test func rfc4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func lenientAndStrictWhereItMatters() {
        #expect(Base64.decode("Zm9vYg") == Array("foob".utf8))  // missing padding
        #expect(Base64.decode(" Zm9v\r\nYmFy ") == Array("foobar".utf8))
        #expect(Base64.decode("Zm9v!") == nil)
        #expect(Base64.decode("Zg==Zg==") == nil)
        #expect(Base64.decode("Z") == nil)
    }

    @Test func roundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...100)) { data in
            #expect(Base64.decode(Base64.encode(data)) == data)
        }
    }
}
