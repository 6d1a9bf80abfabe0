import APIInput
import Analytics
import Catalog
import Hummingbird
import NIOCore
import Recorder

/// Live view of a camera that another node records (docs/cluster.md, "Any node serves
/// everything"): the node the viewer is connected to reads the owner's live messages over the
/// node-to-node channel and sends them on in the same form, so the browser cannot tell. The
/// viewer's rights, masks, limits and audit stay where the viewer is.
///
/// On the channel each message is one frame: a byte of kind (0 initialization segment, 1 frame,
/// 2 key frame), four bytes of length (big-endian), and the payload: for an initialization
/// segment two bytes of the codec string's length, the string and the segment; for a frame its
/// arrival time at the owner (8 bytes, microseconds) and its `moof` + `mdat`.
enum LiveRelay {
    /// The longest message accepted from a node (a key frame of a 4K camera is a few MB).
    static let maxMessage = 32 << 20

    static func encode(_ message: LiveHub.Message) -> ByteBuffer {
        var buffer = ByteBuffer()
        switch message {
        case .initSegment(let bytes, let codec):
            let name = Array(codec.utf8.prefix(1000))
            buffer.writeInteger(UInt8(0))
            buffer.writeInteger(UInt32(2 + name.count + bytes.count))
            buffer.writeInteger(UInt16(name.count))
            buffer.writeBytes(name)
            buffer.writeBytes(bytes)
        case .fragment(let bytes, let isKeyFrame, let wallTime):
            buffer.writeInteger(UInt8(isKeyFrame ? 2 : 1))
            buffer.writeInteger(UInt32(8 + bytes.count))
            buffer.writeInteger(wallTime)
            buffer.writeBytes(bytes)
        }
        return buffer
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The complete messages at the front of `buffer`, which keeps what is left of a partial one.
    static func decode(_ buffer: inout ByteBuffer) throws -> [LiveHub.Message] {
        var messages: [LiveHub.Message] = []
        while buffer.readableBytes >= 5,
              let kind = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self) {
            guard length <= maxMessage else { throw Malformed(description: "a relayed live message of \(length) bytes (at most \(maxMessage))") }
            guard buffer.readableBytes >= 5 + Int(length) else { break }
            buffer.moveReaderIndex(forwardBy: 5)
            guard var payload = buffer.readSlice(length: Int(length)) else { break }
            switch kind {
            case 0:
                guard let count = payload.readInteger(as: UInt16.self), let name = payload.readString(length: Int(count)) else {
                    throw Malformed(description: "a relayed initialization segment without its codec")
                }
                messages.append(.initSegment(payload.readBytes(length: payload.readableBytes) ?? [], mimeCodec: name))
            case 1, 2:
                guard let wall = payload.readInteger(as: Int64.self) else { throw Malformed(description: "a relayed frame without its time") }
                messages.append(.fragment(payload.readBytes(length: payload.readableBytes) ?? [], isKeyFrame: kind == 2, wallTime: wall))
            default:
                throw Malformed(description: "a relayed live message of unknown kind \(kind)")
            }
        }
        buffer.discardReadBytes()
        return messages
    }
}

extension PeerRoutes {
    /// The owner's side: the camera's live messages (the stream ``LiveSources`` chooses here for
    /// the viewer's `stream`, `codecs` and `masked`), for as long as the asking node reads them.
    func live(_ request: Request, context: AulaContext) async throws -> Response {
        guard let camera = PathID.parse(context.parameters.get("id")) else {
            throw ProblemDetails.validation([FieldError(field: "id", message: "must be a camera id")])
        }
        var query = QueryFields(request)
        let masked = query.bool("masked") ?? false
        try query.check()
        let wanted = try LiveRoute.request(request, masked: masked)
        guard await recorder.status(of: camera) != nil else {
            throw ProblemDetails.notFound("this node does not record camera \(camera)")
        }
        let source = await sources.choose(wanted, camera: camera, recorder: recorder)
        if !sources.canWatch(source, camera: camera) {
            throw ProblemDetails(status: .serviceUnavailable, title: "Too many re-encoded cameras",
                                 detail: "this node re-encodes as many cameras (\(source.rawValue)) as it may already")
        }
        let sources = self.sources
        let body = ResponseBody { writer in
            let (subscription, release) = sources.subscribe(source, camera: camera)
            defer {
                subscription.cancel()
                release()
            }
            try await withTaskCancellationHandler {
                for await message in subscription { try await writer.write(LiveRelay.encode(message)) }
            } onCancel: {
                subscription.cancel()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "no-store"], body: body)
    }
}

extension PeerDirectory {
    /// Sends `write` the live messages of `camera` from wherever it is recorded: from this node's
    /// own hub while it records the camera (or nobody does), else relayed from the node that does,
    /// following the camera when it moves to another node (a failover, a new node taking its
    /// share), until cancelled.
    nonisolated func follow(camera: Int64, request: LiveSources.Request, local: @escaping @Sendable () async -> (LiveHub.Subscription, @Sendable () -> Void),
                            write: @escaping @Sendable (LiveHub.Message) async throws -> Void) async throws {
        while !Task.isCancelled {
            let owner = await owner(of: camera)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    if let owner {
                        var pending = ByteBuffer()
                        do {
                            try await client.get(address: owner.report.address, target: "/api/peer/cameras/\(camera)/live?\(LiveSources.query(request))") { bytes in
                                var bytes = bytes
                                pending.writeBuffer(&bytes)
                                for message in try LiveRelay.decode(&pending) { try await write(message) }
                            }
                        } catch is CancellationError {
                            throw CancellationError()
                        } catch let error as LiveRelay.Malformed {
                            throw error
                        } catch {
                            // The owner went away; the loop asks again who records the camera.
                        }
                    } else {
                        let (subscription, release) = await local()
                        defer { release() }
                        try await withTaskCancellationHandler {
                            for await message in subscription { try await write(message) }
                        } onCancel: {
                            subscription.cancel()
                        }
                    }
                }
                // Whoever records the camera may change: then the source changes with it.
                group.addTask { [self] in
                    while await self.owner(of: camera)?.report.name == owner?.report.name {
                        try await Task.sleep(for: .seconds(1))
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
