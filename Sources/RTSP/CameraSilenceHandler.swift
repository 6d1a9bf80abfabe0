import NIOCore

/// Ends a session whose camera has gone silent: no byte for `seconds` while Aula was asking for
/// more.
///
/// Only time spent waiting on the camera counts. When Aula's own side is slow to take frames (the
/// machine is loaded, the async reader has not caught up, the read pacer holds reads back), reads
/// are not requested and the socket is not read; a plain read-idle timer would then blame the
/// camera for Aula's own backpressure and drop a healthy stream ("the camera stopped sending video
/// for 5 s" while the camera was sending all along). This handler sits at the head of the pipeline
/// and starts its clock only when a read is requested and no data has come since.
final class CameraSilenceHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let seconds: Int64
    private var waitingSince: NIODeadline?
    private var check: Scheduled<Void>?

    init(seconds: Int64) { self.seconds = seconds }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { schedule(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        schedule(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancel() }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if waitingSince == nil { waitingSince = .now() }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        waitingSince = nil
        context.fireChannelRead(data)
    }

    private var armed = false

    private func schedule(context: ChannelHandlerContext) {
        guard !armed else { return }
        armed = true
        arm(context: context)
    }

    /// One check per tenth of the timeout (at least 0.1 s, at most 1 s), re-armed after each.
    private func arm(context: ChannelHandlerContext) {
        let step = TimeAmount.milliseconds(min(1000, max(100, seconds * 1000 / 10)))
        check = context.eventLoop.assumeIsolated().scheduleTask(in: step) { [self] in
            guard armed else { return }
            if let since = waitingSince, NIODeadline.now() - since >= .seconds(seconds) {
                armed = false
                context.fireErrorCaught(RTSPClientError(.timeout, "the camera stopped sending video for \(seconds) s"))
                context.close(promise: nil)
            } else {
                arm(context: context)
            }
        }
    }

    private func cancel() {
        armed = false
        check?.cancel()
        check = nil
    }
}
