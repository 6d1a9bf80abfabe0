import APIInput
import Analytics
import Recorder
import Catalog
import Footage
import Hummingbird
import NIOCore
import _NIOFileSystem

/// What one node serves the others (docs/cluster.md, "Any node serves everything"): only to
/// requests signed by a node of the same cluster (``RouteRule/peerNode``), never to users. The
/// node a user asks reads through these whatever lives on another node's disk, and answers the
/// user itself: the user's rights, masks and audit entries are applied there, once.
struct PeerRoutes: Sendable {
    let layout: SampleFileLayout
    let sources: LiveSources
    let recorder: Recorder
    let keyFrames: LatestKeyFrames
    let privacy: PrivacyZones

    /// The most bytes one request reads (a sample file is about a minute of one camera).
    static let maxLength: Int64 = 1 << 30

    func register(on routes: Routes<AulaContext>) {
        routes.get("api/peer/cameras/:id/recordings/:recording", .peerNode,
                   APIDoc("Node to node: bytes of a sample file this node holds (signed by a node of the cluster)",
                          query: ["offset": .integer, "length": .integer], answer: .file("application/octet-stream")),
                   use: sample)
        routes.get("api/peer/cameras/:id/live", .peerNode,
                   APIDoc("Node to node: the live messages of a camera this node records (signed by a node of the cluster)",
                          query: ["masked": .boolean, "stream": .string, "codecs": .string], answer: .file("application/octet-stream")),
                   use: live)
        routes.get("api/peer/cameras/:id/snapshot.jpg", .peerNode,
                   APIDoc("Node to node: the newest key frame of a camera this node records, as a JPEG (signed by a node of the cluster)",
                          query: ["masked": .boolean], answer: .file("image/jpeg")),
                   use: snapshot)
    }

    func sample(_ request: Request, context: AulaContext) async throws -> Response {
        var query = QueryFields(request)
        let offset = query.integer("offset", in: Int64(0)...Int64(1) << 40)
        let length = query.integer("length", in: Int64(1)...Self.maxLength)
        if offset == nil, !query.errors.contains(where: { $0.field == "offset" }) { query.fail("offset", "is required") }
        if length == nil, !query.errors.contains(where: { $0.field == "length" }) { query.fail("length", "is required") }
        var errors = query.errors
        let camera = PathID.parse(context.parameters.get("id"))
        let recording = PathID.parse(context.parameters.get("recording"))
        if camera == nil { errors.append(FieldError(field: "id", message: "must be a camera id")) }
        if recording == nil { errors.append(FieldError(field: "recording", message: "must be a recording id")) }
        guard errors.isEmpty, let camera, let recording, let offset, let length else { throw ProblemDetails.validation(errors) }
        let path = layout.path(camera: camera, recording: recording)
        guard let info = try? await FileSystem.shared.info(forFileAt: FilePath(path)), info.type == .regular else {
            throw ProblemDetails.notFound("this node holds no recording \(recording) of camera \(camera)")
        }
        guard offset + length <= info.size else {
            throw ProblemDetails(status: .rangeNotSatisfiable, detail: "recording \(recording) has \(info.size) bytes on this node; \(offset)+\(length) is beyond them")
        }
        let body = ResponseBody(contentLength: Int(length)) { writer in
            try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                for try await chunk in handle.readChunks(in: offset..<(offset + length), chunkLength: .bytes(256 * 1024)) {
                    try await writer.write(chunk)
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }

    /// The owner's side of a snapshot: masked with this node's privacy zones when asked.
    func snapshot(_ request: Request, context: AulaContext) async throws -> Response {
        guard let camera = PathID.parse(context.parameters.get("id")) else {
            throw ProblemDetails.validation([FieldError(field: "id", message: "must be a camera id")])
        }
        var query = QueryFields(request)
        let masked = query.bool("masked") ?? false
        try query.check()
        let (picture, frameTime) = try SnapshotRoute.picture(camera: camera, keyFrames: keyFrames, masker: masked ? privacy.masker(camera: camera) : nil)
        return SnapshotRoute.answer(jpeg: ByteBuffer(bytes: picture.bytes), frameTime: frameTime)
    }
}
