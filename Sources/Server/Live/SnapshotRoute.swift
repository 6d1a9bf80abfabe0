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

    func register(on routes: Routes<Context>) {
        routes.get("api/cameras/:id/snapshot.jpg", .roles(Roles.cameraViewers, camera: .live, audit: "view.snapshot"), APIDoc("The newest key frame as a JPEG", answer: .file("image/jpeg")), use: snapshot)
    }

    func snapshot(_ request: Request, context: Context) async throws -> Response {
        let camera = try await CameraID.existing(context.parameters.get("id"), in: cameras)
        guard let frame = keyFrames.latest(camera: camera.id) else {
            throw ProblemDetails(status: .notFound, detail: "camera \(camera.id) has sent no picture since the server started")
        }
        let picture: JPEGPicture
        do {
            if let masker = privacy.masks(for: context.identity?.user, camera: camera.id) {
                picture = try SnapshotEncoder.jpeg(keyFrame: frame.unit, parameters: frame.parameters) { y, ys, u, us, v, vs, width, height in
                    masker.apply(y: y, yStride: ys, u: u, uStride: us, v: v, vStride: vs, width: width, height: height)
                }
                context.auditNote.set("privacy masks applied")
            } else {
                picture = try SnapshotEncoder.jpeg(keyFrame: frame.unit, parameters: frame.parameters)
            }
        } catch {
            throw ProblemDetails(status: .internalServerError, detail: "no snapshot of camera \(camera.id): \(error.description)")
        }
        return Response(status: .ok, headers: [
            .contentType: "image/jpeg",
            .cacheControl: "no-store",
            HTTPField.Name("X-Aula-Frame-Time")!: RFC3339.format(micros: frame.wallTime),
        ], body: .init(byteBuffer: ByteBuffer(bytes: picture.bytes)))
    }
}
