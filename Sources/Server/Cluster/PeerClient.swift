import AulaSecurity
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Signed GET requests from this node to another node of the cluster (docs/cluster.md, "Any node
/// serves everything"), the answer's body handed over in chunks as it arrives, with backpressure:
/// footage bytes and relayed live fragments are never held whole. A node that stops answering
/// (killed, stalled, cut off) ends the request after ``idleTimeout`` without a byte.
struct PeerClient: Sendable {
    /// This node's name, which the other node's ``PeerSignature`` check names in its audit and logs.
    let node: String
    let signature: PeerSignature
    var connectTimeout: TimeAmount = .seconds(3)
    var idleTimeout: TimeAmount = .seconds(10)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// GET `target` (path and query) from the node at `address` (`HOST:PORT`, or `https://HOST:PORT`
    /// for a node that serves HTTPS only); `body` receives the body of a 200 answer.
    func get(address: String, target: String, onHead: ((HTTPResponseHead) -> Void)? = nil, _ body: (ByteBuffer) async throws -> Void) async throws {
        let (tls, host, port) = try Self.parse(address)
        let idle = idleTimeout
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls {
                        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(CloseWhenIdle())
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
            head.headers.add(name: "Host", value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
            head.headers.add(name: "Connection", value: "close")
            for (name, value) in signature.headers(node: node, method: "GET", target: target) { head.headers.add(name: name, value: value) }
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var status: HTTPResponseStatus?
            var refusal = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let answer):
                    status = answer.status
                    if answer.status == .ok { onHead?(answer) }
                case .body(let bytes):
                    if status == .ok {
                        try await body(bytes)
                    } else if refusal.readableBytes < 2048 {
                        var copy = bytes
                        refusal.writeBuffer(&copy)
                    }
                case .end:
                    guard status == .ok else {
                        throw Failure(description: "node at \(address) answered \(status.map { "\($0.code)" } ?? "nothing"): \(String(buffer: refusal).prefix(300))")
                    }
                    return
                }
            }
            throw Failure(description: "node at \(address) stopped answering (closed or silent for \(idle.nanoseconds / 1_000_000_000) s)")
        }
    }

    /// `HOST:PORT`, `[IPv6]:PORT`, optionally after `http://` or `https://`.
    static func parse(_ address: String) throws -> (tls: Bool, host: String, port: Int) {
        var rest = Substring(address)
        var tls = false
        if rest.hasPrefix("https://") { tls = true; rest = rest.dropFirst(8) } else if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(port) else {
            throw Failure(description: "node address \(address) is not HOST:PORT")
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw Failure(description: "node address \(address) has no host") }
        return (tls, host, port)
    }
}

/// Closes a connection whose peer has sent nothing for the idle time, which ends its read.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }
}
