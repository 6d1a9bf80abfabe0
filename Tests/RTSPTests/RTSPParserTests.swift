import NIOCore
import Randomness
import Testing

@testable import RTSP

@Suite struct RTSPParserTests {
    static let describeResponse = Array("""
        RTSP/1.0 200 OK\r
        CSeq: 2\r
        Content-Base: rtsp://10.0.0.5/stream1/\r
        Content-Type: application/sdp\r
        Content-Length: 10\r
        \r
        v=0\r
        s=x\r

        """.utf8)

    static let interleaved: [UInt8] = [0x24, 0x00, 0x00, 0x05, 0x80, 0x60, 0x00, 0x01, 0xAA]

    @Test func parsesAResponseWithBody() throws {
        var parser = RTSPParser()
        let frames = try parser.feed(Self.describeResponse)
        #expect(frames.count == 1)
        guard case .message(let m) = frames.first else { Issue.record("no message"); return }
        #expect(m.status == 200)
        #expect(m.cseq == 2)
        #expect(m[header: "content-base"] == "rtsp://10.0.0.5/stream1/")
        #expect(m.body == Array("v=0\r\ns=x\r\n".utf8))
        #expect(parser.pendingByteCount == 0)
    }

    @Test func pipelinedMessagesAndInterleavedFramesInAnyFragmentation() throws {
        let stream = Self.describeResponse + Self.interleaved + Array("RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 1234;timeout=60\r\n\r\n".utf8) + Self.interleaved
        var whole = RTSPParser()
        let expected = try whole.feed(stream)
        #expect(expected.count == 4)
        // Every split into chunks of a given size gives the same frames.
        for chunk in 1...stream.count {
            var parser = RTSPParser()
            var frames: [RTSPFrame] = []
            var i = 0
            while i < stream.count {
                frames += try parser.feed(stream[i..<min(stream.count, i + chunk)])
                i += chunk
            }
            #expect(frames == expected, "chunk size \(chunk)")
        }
        guard case .interleaved(let channel, let payload) = expected[1] else { Issue.record("no frame"); return }
        #expect(channel == 0)
        #expect(payload == [0x80, 0x60, 0x00, 0x01, 0xAA])
    }

    /// The decoder's splitter (fast path for interleaved frames, the parser for messages) gives the
    /// same frames as the parser alone for every fragmentation, and returns to the fast path after
    /// a message that was read together with the start of an interleaved frame.
    @Test func theSplitterAgreesWithTheParserInAnyFragmentation() throws {
        let bigPayload = [UInt8](repeating: 0x41, count: 300)
        let big: [UInt8] = [0x24, 0x00, 0x01, 0x2C] + bigPayload
        let stream = Self.describeResponse + Self.interleaved + big + Array("RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n".utf8) + big + Self.interleaved + big
        var whole = RTSPParser()
        let expected = try whole.feed(stream)
        #expect(expected.count == 7)
        for chunk in [1, 2, 3, 5, 7, 64, 100, 301, 1000] {
            var splitter = RTSPStreamSplitter()
            var frames: [RTSPFrame] = []
            var buffer = ByteBuffer()
            var i = 0
            while i < stream.count {
                buffer.writeBytes(stream[i..<min(stream.count, i + chunk)])
                try splitter.split(&buffer, message: { frames.append(.message($0)) }, interleaved: { frames.append(.interleaved(channel: $0, payload: $1)) })
                i += chunk
            }
            #expect(frames == expected, "chunk size \(chunk)")
            #expect(buffer.readableBytes == 0)
        }
        var parser = RTSPParser()
        _ = try parser.feed(Array(Self.describeResponse) + [0x24, 0x00])
        #expect(parser.interleavedBytesMissing == 2)
        _ = try parser.feed([0x01, 0x2C, 0x41])
        #expect(parser.interleavedBytesMissing == 299)
    }

    @Test func requestsAndBareLineFeeds() throws {
        var parser = RTSPParser()
        let frames = try parser.feed(Array("OPTIONS rtsp://cam/ RTSP/1.0\nCSeq: 1\n\n".utf8))
        #expect(frames == [.message(.request("OPTIONS", "rtsp://cam/", headers: [("CSeq", "1")]))])
    }

    @Test func serializeThenParseRoundTrips() throws {
        let message = RTSPMessage.request("SETUP", "rtsp://h/t", headers: [("CSeq", "4"), ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")], body: [1, 2, 3])
        var parser = RTSPParser()
        let frames = try parser.feed(message.serialized())
        guard case .message(let parsed) = frames.first else { Issue.record("no message"); return }
        #expect(parsed.startLine == message.startLine)
        #expect(parsed.body == [1, 2, 3])
        #expect(parsed[header: "transport"] == "RTP/AVP/TCP;unicast;interleaved=0-1")
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "RTSP/1.0 abc OK\r\n\r\n",
        "RTSP/1.0 200 OK\r\nContent-Length: -4\r\n\r\n",
        "RTSP/1.0 200 OK\r\nno colon here\r\n\r\n",
    ])
    func malformedInputIsAnErrorNamingTheProblem(text: String) {
        var parser = RTSPParser()
        #expect(throws: RTSPParseError.self) { _ = try parser.feed(Array(text.utf8)) }
    }

    @Test func oversizedHeaderIsRefused() {
        var parser = RTSPParser()
        parser.maxHeaderBytes = 100
        #expect(throws: RTSPParseError.self) { _ = try parser.feed([UInt8](repeating: UInt8(ascii: "A"), count: 200)) }
    }

    /// 100,000 random and truncated inputs: the parser may refuse them but must never crash.
    @Test func fuzzNeverCrashes() {
        var rng = SeededRandom(seed: 42)
        let seeds: [[UInt8]] = [Self.describeResponse, Self.interleaved, Array("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n".utf8)]
        var accepted = 0
        for i in 0..<100_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                let seed = seeds[i % seeds.count]
                bytes = Array(seed.prefix(Int(rng.next() % UInt64(seed.count + 1))))
                for _ in 0..<Int(rng.next() % 4) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            } else {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            var parser = RTSPParser()
            if let frames = try? parser.feed(bytes) { accepted += frames.count }
        }
        #expect(accepted > 0)
    }
}

