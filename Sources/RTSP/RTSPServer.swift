import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One stream an ``RTSPServer`` offers, at `rtsp://host:port<path>`.
public struct RTSPMount: Sendable {
    /// Deliberate misbehaviour, so that tests can meet the cameras Aula must survive.
    public enum Fault: Sendable, Equatable {
        /// Close the connection after sending this many frames.
        case closeAfterFrames(Int)
        /// Answer DESCRIBE with bytes that are not RTSP.
        case garbage
        /// Answer DESCRIBE with `302 Found` pointing elsewhere (cameras behind a load balancer do).
        case redirect(String)
    }

    public var path: String
    public var loop: PacketLoop
    public var credentials: Credentials?
    public var fault: Fault?

    public init(path: String, loop: PacketLoop, credentials: Credentials? = nil, fault: Fault? = nil) {
        self.path = path
        self.loop = loop
        self.credentials = credentials
        self.fault = fault
    }
}

/// A small RTSP/1.0 server over TCP with interleaved RTP, used by the camera simulator.
///
/// Each session replays its mount's ``PacketLoop`` in real time from one event-loop timer; the
/// per-frame cost is one buffer copy and a few header patches, so hundreds of simulated cameras
/// fit in a fraction of a core. A client that cannot keep up loses frames (as it would with a real
/// camera) and resumes at the next key frame.
public final class RTSPServer: Sendable {
    let mounts: [String: RTSPMount]
    let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)

    public init(mounts: [RTSPMount], logger: Logger = Logger(label: "aula.rtsp-server")) {
        self.mounts = Dictionary(mounts.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        self.logger = logger
    }

    /// Binds and starts serving; returns the bound port (useful with port 0).
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        let mounts = self.mounts
        let logger = self.logger
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RTSPServerSession(mounts: mounts, logger: logger))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLock { $0 = bound }
        return bound.localAddress?.port ?? port
    }

    public func stop() async {
        let bound = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await bound?.close()
    }
}

/// The server side of one RTSP connection.
final class RTSPServerSession: ChannelInboundHandler {
    typealias InboundIn = RTSPFrame
    typealias OutboundOut = ByteBuffer

    let mounts: [String: RTSPMount]
    let logger: Logger
    let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    let realm = "Aula simulator"
    var sessionID: String?
    var mount: RTSPMount?
    var interleavedChannel: UInt8 = 0
    // Playback state
    var playing = false
    var start = NIODeadline.now()
    var nextFrame = 0
    var baseSequence = UInt16.random(in: 0...UInt16.max)
    var baseTimestamp = UInt32.random(in: 0...UInt32.max)
    let ssrc = UInt32.random(in: 0...UInt32.max)
    var waitingForKeyFrame = false
    var framesSent = 0
    var timer: Scheduled<Void>?

    init(mounts: [String: RTSPMount], logger: Logger) {
        self.mounts = mounts
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .message(let request) = unwrapInboundIn(data), case .request(let method, let uri) = request.startLine else { return }
        var headers: [(name: String, value: String)] = [("CSeq", request[header: "CSeq"] ?? "0"), ("Server", "Aula simulator")]
        func reply(_ status: Int, _ reason: String, _ extra: [(name: String, value: String)] = [], body: [UInt8] = []) {
            headers.append(contentsOf: extra)
            let message = RTSPMessage.response(status, reason, headers: headers, body: body)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: message.serialized())), promise: nil)
        }
        let path = Self.path(of: uri)
        // The longest mount that names the path or a track of it (`/sim/1/sub` is not a track of `/sim/1`).
        let found = mounts.values.filter { path == $0.path || path.hasPrefix($0.path + "/") }.max { $0.path.count < $1.path.count }
        switch method {
        case "OPTIONS":
            reply(200, "OK", [("Public", "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER")])
            return
        case "GET_PARAMETER":
            reply(200, "OK")
            return
        default: break
        }
        guard let found else {
            reply(404, "Not Found")
            return
        }
        if let credentials = found.credentials {
            let authorization = request[header: "Authorization"] ?? ""
            guard Credentials.verifyDigest(header: authorization, method: method, realm: realm, nonce: nonce, username: credentials.username, password: credentials.password) else {
                reply(401, "Unauthorized", [("WWW-Authenticate", "Digest realm=\"\(realm)\", nonce=\"\(nonce)\"")])
                return
            }
        }
        mount = found
        switch method {
        case "DESCRIBE":
            if case .redirect(let location) = found.fault {
                reply(302, "Found", [("Location", location)])
                return
            }
            if found.fault == .garbage {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: Array("HELLO \u{1}\u{2}\u{3} this is not RTSP\r\n\r\n".utf8))), promise: nil)
                return
            }
            let base = uri.hasSuffix("/") ? uri : uri + "/"
            reply(200, "OK", [("Content-Type", "application/sdp"), ("Content-Base", base)], body: Array(found.loop.sdp.utf8))
        case "SETUP":
            let transport = request[header: "Transport"] ?? ""
            guard transport.contains("TCP") else {
                reply(461, "Unsupported Transport")
                return
            }
            if let channel = RTSPClient.interleavedChannel(transport) { interleavedChannel = channel }
            sessionID = sessionID ?? String(UInt32.random(in: 1...UInt32.max), radix: 16)
            reply(200, "OK", [
                ("Transport", "RTP/AVP/TCP;unicast;interleaved=\(interleavedChannel)-\(interleavedChannel &+ 1)"),
                ("Session", "\(sessionID ?? "");timeout=60"),
            ])
        case "PLAY":
            guard let sessionID, request[header: "Session"]?.hasPrefix(sessionID) == true else {
                reply(454, "Session Not Found")
                return
            }
            reply(200, "OK", [("Session", sessionID), ("Range", "npt=0.000-"), ("RTP-Info", "url=\(uri);seq=\(baseSequence);rtptime=\(baseTimestamp)")])
            if !playing {
                playing = true
                start = .now()
                scheduleTick(context: context)
            }
        case "TEARDOWN":
            reply(200, "OK")
            stop()
            context.close(promise: nil)
        default:
            reply(501, "Not Implemented")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stop()
        context.close(promise: nil)
    }

    private func stop() {
        playing = false
        timer?.cancel()
        timer = nil
    }

    private func scheduleTick(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(20)) { [self] in
            guard playing else { return }
            tick(context: context)
            if playing { scheduleTick(context: context) }
        }
    }

    /// Sends every frame whose time has come.
    private func tick(context: ChannelHandlerContext) {
        guard let loop = mount?.loop, !loop.frames.isEmpty else { return }
        let elapsed90k = (NIODeadline.now() - start).nanoseconds * 9 / 100_000
        let count = loop.frames.count
        var wrote = false
        while true {
            let lap = nextFrame / count
            let frame = loop.frames[nextFrame % count]
            let due = Int64(lap) * loop.loopDuration90k + frame.offset90k
            guard due <= elapsed90k else { break }
            nextFrame += 1
            if waitingForKeyFrame && !frame.isKeyFrame { continue }
            guard context.channel.isWritable else {
                waitingForKeyFrame = true  // drop, like a camera whose viewer cannot keep up
                continue
            }
            waitingForKeyFrame = false
            var buffer = context.channel.allocator.buffer(capacity: frame.bytes.count)
            buffer.writeBytes(frame.bytes)
            let firstPacket = lap &* loop.packetsPerLoop &+ frame.firstPacketIndex
            // Stamped with the presentation time, which runs ahead of `due` (the decoding time) for
            // frames that B-frames are predicted from.
            let timestamp = baseTimestamp &+ UInt32(truncatingIfNeeded: Int64(lap) * loop.loopDuration90k + frame.timestamp90k)
            for (j, offset) in frame.rtpHeaderOffsets.enumerated() {
                buffer.setInteger(interleavedChannel, at: offset - 3)
                buffer.setInteger(baseSequence &+ UInt16(truncatingIfNeeded: firstPacket &+ j), at: offset + 2)
                buffer.setInteger(timestamp, at: offset + 4)
                buffer.setInteger(ssrc, at: offset + 8)
            }
            context.write(wrapOutboundOut(buffer), promise: nil)
            wrote = true
            framesSent += 1
            if case .closeAfterFrames(let n) = mount?.fault, framesSent >= n {
                context.flush()
                stop()
                context.close(promise: nil)
                return
            }
        }
        if wrote { context.flush() }
    }

    /// The path of a request URI (`rtsp://host:port/a/b?x` → `/a/b`).
    static func path(of uri: String) -> String {
        var rest = Substring(uri)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        if let q = rest.firstIndex(of: "?") { rest = rest[..<q] }
        while rest.count > 1 && rest.hasSuffix("/") { rest = rest.dropLast() }
        return String(rest)
    }
}
