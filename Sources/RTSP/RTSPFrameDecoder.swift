import NIOCore

/// Splits the TCP byte stream of an RTSP connection into messages and interleaved packets, using
/// ``RTSPParser`` for messages.
///
/// The bulk of the stream is interleaved packets: they are cut straight out of NIO's buffer (one
/// copy, a payload array nobody else holds) instead of going through the parser's own buffer.
struct RTSPStreamSplitter {
    private var parser = RTSPParser()

    mutating func split(_ buffer: inout ByteBuffer, message: (RTSPMessage) throws -> Void,
                        interleaved: (_ channel: UInt8, _ payload: consuming [UInt8]) throws -> Void) throws {
        while true {
            if parser.pendingByteCount > 0 {
                // The parser took the start of an interleaved frame along with a message: give it
                // only the rest of that frame, so that the fast path takes over again after it.
                guard let missing = parser.interleavedBytesMissing else { break }
                guard buffer.readableBytes > 0 else { return }
                try feedParser(buffer.readBytes(length: min(missing, buffer.readableBytes)) ?? [], message: message, interleaved: interleaved)
                continue
            }
            guard buffer.readableBytes >= 4, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0x24,
                  let channel = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
                  let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) else { break }
            guard buffer.readableBytes >= 4 + Int(length) else { return }
            buffer.moveReaderIndex(forwardBy: 4)
            try interleaved(channel, buffer.readBytes(length: Int(length)) ?? [])
        }
        guard buffer.readableBytes > 0 else { return }
        if parser.pendingByteCount == 0, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0x24 {
            return  // the start of an interleaved packet: wait for the rest of it
        }
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        try feedParser(bytes, message: message, interleaved: interleaved)
    }

    private mutating func feedParser(_ bytes: [UInt8], message: (RTSPMessage) throws -> Void,
                                     interleaved: (_ channel: UInt8, _ payload: consuming [UInt8]) throws -> Void) throws {
        for frame in try parser.feed(bytes) {
            switch frame {
            case .message(let m): try message(m)
            case .interleaved(let channel, let payload): try interleaved(channel, payload)
            }
        }
    }
}

/// Splits the TCP byte stream of an RTSP connection into ``RTSPFrame``s (the server's side).
final class RTSPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RTSPFrame
    private var splitter = RTSPStreamSplitter()

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        try splitter.split(&buffer, message: { context.fireChannelRead(wrapInboundOut(.message($0))) },
                           interleaved: { context.fireChannelRead(wrapInboundOut(.interleaved(channel: $0, payload: $1))) })
        return .needMoreData
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
