import NIOCore

/// Splits the TCP byte stream of an RTSP connection into ``RTSPFrame``s using ``RTSPParser``.
final class RTSPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RTSPFrame
    private var parser = RTSPParser()

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes > 0, let bytes = buffer.readBytes(length: buffer.readableBytes) else { return .needMoreData }
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
