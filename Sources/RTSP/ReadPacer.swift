import NIOCore
import Synchronization

/// Reads a recording session's socket at most once per tick of its event loop, instead of as soon
/// as any byte arrives.
///
/// A camera sends a frame (a few kilobytes) every 40 ms, and hundreds of cameras send at different
/// moments: reading each as it arrives wakes the event loop thousands of times a second, and on a
/// quiet machine each wake-up (a context switch, a sleeping core waking up, in a virtual machine
/// an exit to the hypervisor) costs more than reading and recording the frame. With pacing, a
/// connection that was just read is parked; every `interval` the loop's ``PacingTicker`` asks all
/// parked connections of that loop to read again, and whatever arrived meanwhile (normally one
/// frame per camera) is read in that one pass. The cost is latency: at most one interval, about
/// half of one on average (docs/performance.md, docs/live.md).
///
/// A camera someone is watching live is not paced (`urgently`): its viewers get each frame as it
/// arrives, and pacing applies to the many cameras that are only recorded and analysed.
///
/// It sits at the tail of the pipeline, so it sees the `read` that NIO issues after every read
/// (auto-read), and holds it back until the tick. Until ``start(interval:context:)`` (after PLAY)
/// reads pass straight through: the RTSP handshake is not slowed down.
final class ReadPacer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Any

    private var ticker: PacingTicker?
    private var urgently: (@Sendable () -> Bool)?
    private var parked = false
    private var loop: (any EventLoop)?
    private var id: ObjectIdentifier { ObjectIdentifier(self) }

    func handlerAdded(context: ChannelHandlerContext) { loop = context.eventLoop }

    func read(context: ChannelHandlerContext) {
        guard let ticker, urgently?() != true else {
            context.read()
            return
        }
        guard !parked else { return }
        parked = true
        ticker.park(id) { [weak self] in
            guard let self else { return }
            self.parked = false
            context.read()
        }
    }

    /// Starts pacing; call on the channel's event loop.
    func start(interval: TimeAmount, urgently: (@Sendable () -> Bool)? = nil) {
        guard ticker == nil, interval > .zero, let loop else { return }
        self.urgently = urgently
        ticker = PacingTicker.forLoop(loop, interval: interval)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ticker?.unpark(id)
        ticker = nil
        loop = nil
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        ticker?.unpark(id)
        ticker = nil
        context.close(mode: mode, promise: promise)
    }
}

/// One per event loop and interval: re-issues the reads of every connection parked on it.
/// Only ever touched on its event loop (hence `@unchecked Sendable`).
final class PacingTicker: @unchecked Sendable {
    private var parked: [ObjectIdentifier: () -> Void] = [:]
    private var spare: [ObjectIdentifier: () -> Void] = [:]
    private let loop: any EventLoop
    private var task: RepeatedTask?

    private static let tickers = Mutex<[TickerKey: PacingTicker]>([:])

    private struct TickerKey: Hashable {
        var loop: ObjectIdentifier
        var nanoseconds: Int64
    }

    static func forLoop(_ loop: any EventLoop, interval: TimeAmount) -> PacingTicker {
        tickers.withLock { all in
            let key = TickerKey(loop: ObjectIdentifier(loop), nanoseconds: interval.nanoseconds)
            if let ticker = all[key] { return ticker }
            let ticker = PacingTicker(loop: loop, interval: interval)
            all[key] = ticker
            return ticker
        }
    }

    private init(loop: any EventLoop, interval: TimeAmount) {
        self.loop = loop
        task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in tick() }
    }

    func park(_ id: ObjectIdentifier, resume: @escaping () -> Void) {
        loop.preconditionInEventLoop()
        parked[id] = resume
    }

    func unpark(_ id: ObjectIdentifier) {
        loop.preconditionInEventLoop()
        parked[id] = nil
    }

    private func tick() {
        guard !parked.isEmpty else { return }
        // Swapped with a spare so that neither dictionary is reallocated on every tick.
        swap(&parked, &spare)
        for resume in spare.values { resume() }
        spare.removeAll(keepingCapacity: true)
    }
}
