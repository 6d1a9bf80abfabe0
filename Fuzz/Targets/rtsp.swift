// Fuzz target "rtsp": the byte decoders of an RTSP connection, as a camera (or a client of Aula's
// RTSP server) can drive them.
//
// Input layout: [chunking seed] [options] [the TCP byte stream ...]
// The stream goes once, whole, through RTSPParser, and once in chunks (sizes from the seed)
// through RTSPStreamSplitter over a NIO ByteBuffer, which is what RTSPFrameDecoder and
// SessionDecoder run. Properties: never traps; both ways give the same frames, or both fail.
// Then what the client and server do with what came out: interleaved packets go through
// TrackDepacketizer (options bit 0: H.265, else H.264) into access units and decoding parameters;
// messages have their CSeq, WWW-Authenticate challenges (answered with Basic or Digest),
// Authorization (checked as the server does), Transport, Content-Base and request URI read.
import Media
import NIOCore
@testable import RTSP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var cursor = FuzzCursor(fuzzInput(data, size))
    let seed = cursor.byte() ?? 0
    let options = cursor.byte() ?? 0
    let stream = cursor.rest()

    // Whole, through the parser.
    var parser = RTSPParser()
    let whole = try? parser.feed(stream)

    // In chunks, through the splitter, as NIO delivers reads.
    var splitter = RTSPStreamSplitter()
    var chunked: [RTSPFrame]? = []
    var buffer = ByteBuffer()
    var state = UInt32(seed) | 0x100
    var offset = 0
    while offset < stream.count {
        state ^= state << 13; state ^= state >> 17; state ^= state << 5
        let length = seed == 0 ? stream.count : 1 + Int(state % 97)
        let end = min(stream.count, offset + length)
        buffer.writeBytes(stream[offset..<end])
        offset = end
        do {
            try splitter.split(&buffer, message: { chunked?.append(.message($0)) },
                               interleaved: { chunked?.append(.interleaved(channel: $0, payload: $1)) })
        } catch {
            chunked = nil
            break
        }
        if seed & 1 == 0 { buffer.discardReadBytes() }
    }
    fuzzRequire((whole == nil) == (chunked == nil),
                "the parser \(whole == nil ? "failed" : "succeeded") on the whole stream, the splitter \(chunked == nil ? "failed" : "succeeded") on chunks")
    if let whole, let chunked {
        fuzzRequire(whole == chunked, "the parser and the splitter give different frames")
    }

    // What the client and the server do with the frames.
    let codec: VideoCodec = options & 1 == 0 ? .h264 : .h265
    var track = TrackDepacketizer(rtpChannel: 0, payloadType: 96,
                                  depacketizer: makeDepacketizer(codec: codec, parameterSets: ParameterSets(), reorderWindow: Int(options >> 1 & 3)))
    let credentials = Credentials(username: "admin", password: "pass:word")
    for frame in whole ?? chunked ?? [] {
        switch frame {
        case .interleaved(let channel, let payload):
            try? track.push(channel: channel, payload: payload) { unit, parameters, stats in
                fuzzRequire(!unit.nalUnits.isEmpty && parameters.width > 0 && stats.accessUnits > 0, "an odd access unit")
            }
        case .message(let message):
            _ = message.cseq
            _ = message.status.map { _ in RTSPClient.reason(message) }
            for challenge in message.values(of: "WWW-Authenticate").compactMap(AuthChallenge.init(header:)) {
                _ = credentials.authorization(for: challenge, method: "DESCRIBE", uri: "rtsp://10.0.0.5/stream", nonceCount: 2)
            }
            if let authorization = message[header: "Authorization"] {
                _ = Credentials.verifyDigest(header: authorization, method: "DESCRIBE", realm: "Aula", nonce: "0123abcd",
                                             username: credentials.username, password: credentials.password)
            }
            _ = RTSPClient.interleavedChannel(message[header: "Transport"])
            let base = message[header: "Content-Base"] ?? "rtsp://10.0.0.5/stream"
            _ = RTSPClient.resolve(control: message[header: "Content-Location"], sessionControl: nil, base: base)
            if case .request(_, let uri) = message.startLine { _ = RTSPServerSession.path(of: uri) }
        }
    }
    return 0
}
