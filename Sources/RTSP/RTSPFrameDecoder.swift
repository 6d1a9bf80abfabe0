import NIOCore

/// Splits the TCP byte stream of an RTSP connection into ``RTSPFrame``s using ``RTSPParser``.
final class RTSPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RTSPFrame
    private var parser = RTSPParser()

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        // Fast path for the bulk of the stream: interleaved packets are cut straight out of NIO's
        // buffer (one copy), instead of going through the parser's own buffer (three).
        while parser.pendingByteCount == 0, buffer.readableBytes >= 4,
              buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0x24,
              let channel = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) {
            guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: 4)
            let payload = buffer.readBytes(length: Int(length)) ?? []
            context.fireChannelRead(wrapInboundOut(.interleaved(channel: channel, payload: payload)))
        }
        guard buffer.readableBytes > 0 else { return .needMoreData }
        if parser.pendingByteCount == 0, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0x24 {
            return .needMoreData  // the start of an interleaved packet: wait for the rest of it
        }
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return .needMoreData }
        for frame in try parser.feed(bytes) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        return .needMoreData
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Turns the read-idle event of `IdleStateHandler` into an error, so that a camera that goes silent
/// ends the session instead of hanging it forever.
final class ReadTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = RTSPFrame
    typealias InboundOut = RTSPFrame
    let seconds: Int64

    init(seconds: Int64) { self.seconds = seconds }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(RTSPClientError(.timeout, "the camera stopped sending video for \(seconds) s"))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
