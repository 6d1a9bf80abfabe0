import Analytics
import APIInput
import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import Motion
import Recorder
import Snapshot

/// `GET /api/cameras/{id}/snapshot.jpg`: the camera's newest key frame as a JPEG (docs/api.md,
/// "Snapshot"). The picture is at most one GOP old (2 s on the demo cameras); its arrival time is
/// in `X-Aula-Frame-Time`. A view of footage: audited as `view.snapshot`. Privacy zones are
/// blacked out for users without the right to see behind them, as in live view.
struct SnapshotRoute: Sendable {
    typealias Context = AulaContext
    let cameras: any CameraStore
    let keyFrames: LatestKeyFrames
    let privacy: PrivacyZones
    /// The other nodes of the cluster: a camera another node records is pictured there (nil alone).
    var peers: PeerDirectory?

    func register(on routes: Routes<Context>) {
        routes.get("api/cameras/:id/snapshot.jpg", .roles(Roles.cameraViewers, camera: .live, audit: "view.snapshot"), APIDoc("The newest key frame as a JPEG", answer: .file("image/jpeg")), use: snapshot)
    }

    func snapshot(_ request: Request, context: Context) async throws -> Response {
        let camera = try await CameraID.existing(context.parameters.get("id"), in: cameras)
        let masker = privacy.masks(for: context.identity?.user, camera: camera.id)
        if masker != nil { context.auditNote.set("privacy masks applied") }
        // In a cluster, the node that receives the camera pictures it, masked as this user must see it.
        if let peers, let owner = await peers.owner(of: camera.id) {
            var bytes = ByteBuffer()
            var frameTime: String?
            do {
                try await peers.client.get(address: owner.report.address, target: "/api/peer/cameras/\(camera.id)/snapshot.jpg?masked=\(masker != nil ? 1 : 0)",
                                           onHead: { frameTime = $0.headers.first(name: "X-Aula-Frame-Time") }) { chunk in
                    var chunk = chunk
                    if bytes.readableBytes + chunk.readableBytes > Self.maxRelayedBytes { throw ProblemDetails(status: .badGateway, detail: "the snapshot from node \(owner.report.name) is too large") }
                    bytes.writeBuffer(&chunk)
                }
            } catch let problem as ProblemDetails {
                throw problem
            } catch {
                throw ProblemDetails(status: .notFound, detail: "camera \(camera.id) is recorded by node \(owner.report.name), which has no picture of it now")
            }
            return Self.answer(jpeg: bytes, frameTime: frameTime)
        }
        let (picture, frameTime) = try Self.picture(camera: camera.id, keyFrames: keyFrames, masker: masker)
        return Self.answer(jpeg: ByteBuffer(bytes: picture.bytes), frameTime: frameTime)
    }

    /// A relayed snapshot is a JPEG of one picture: a few hundred kB at most.
    static let maxRelayedBytes = 16 << 20

    /// The camera's newest key frame as a JPEG, masked when `masker` is given, and its arrival time.
    static func picture(camera: Int64, keyFrames: LatestKeyFrames, masker: PrivacyMasker?) throws -> (JPEGPicture, String) {
        guard let frame = keyFrames.latest(camera: camera) else {
            throw ProblemDetails(status: .notFound, detail: "camera \(camera) has sent no picture since the server started")
        }
        do {
            let picture: JPEGPicture
            if let masker {
                picture = try SnapshotEncoder.jpeg(keyFrame: frame.unit, parameters: frame.parameters) { y, ys, u, us, v, vs, width, height in
                    masker.apply(y: y, yStride: ys, u: u, uStride: us, v: v, vStride: vs, width: width, height: height)
                }
            } else {
                picture = try SnapshotEncoder.jpeg(keyFrame: frame.unit, parameters: frame.parameters)
            }
            return (picture, RFC3339.format(micros: frame.wallTime))
        } catch {
            throw ProblemDetails(status: .internalServerError, detail: "no snapshot of camera \(camera): \(error.description)")
        }
    }

    static func answer(jpeg: ByteBuffer, frameTime: String?) -> Response {
        var headers: HTTPFields = [.contentType: "image/jpeg", .cacheControl: "no-store"]
        if let frameTime { headers[HTTPField.Name("X-Aula-Frame-Time")!] = frameTime }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: jpeg))
    }
}
