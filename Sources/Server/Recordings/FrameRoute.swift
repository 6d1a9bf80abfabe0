import Analytics
import APIInput
import Catalog
import Footage
import Foundation
import HTTPTypes
import Hummingbird
import Recorder
import Snapshot

/// `GET /api/cameras/{id}/frame.jpg?at=TIME`: the recorded key frame at or before `at`, as a JPEG
/// (docs/api.md, "Recorded video"). Playback's timeline shows these while it is dragged, and the
/// player shows one at once when it seeks, before the video has buffered (docs/ui.md, "Playback").
///
/// A key frame needs no other picture, so a preview costs one read of one access unit and one
/// decode, anywhere in the archive. Decoding runs on ``HeavyWork``'s threads, never on the
/// cooperative pool. Privacy zones are blacked out for users who may not see behind them, as in
/// playback; the picture of a recorded moment never changes, so browsers may keep it.
struct FrameRoute: Sendable {
    typealias Context = AulaContext
    let cameras: any CameraStore
    let recordings: any RecordingStore
    let layout: SampleFileLayout
    let recovery: RecoveryState
    /// Footage on other nodes of the cluster (nil alone).
    let peers: PeerDirectory?
    let privacy: PrivacyZones
    let heavy: HeavyWork

    func register(on routes: Routes<Context>) {
        routes.get("api/cameras/:id/frame.jpg", .roles(.operator, .analyst, camera: .playback, audit: "view.playback"),
                   APIDoc("The recorded key frame at or before a moment, as a JPEG (timeline previews)", query: ["at": .time, "stream": .string], answer: .file("image/jpeg")),
                   use: frame)
    }

    func frame(_ request: Request, context: Context) async throws -> Response {
        let camera = try await CameraID.existing(context.parameters.get("id"), in: cameras).id
        var query = QueryFields(request)
        let at = query.time90k("at", required: true)
        let stream = query.recordedStream()
        try query.check()
        guard let at else { throw ProblemDetails.validation(query.errors) }
        let keyFrame: RecordedKeyFrame
        do {
            let planner = ExportPlanner(store: recordings, layout: layout, damaged: recovery.damaged, peers: peers)
            keyFrame = try await planner.keyFrame(camera: camera, stream: stream, at: at)
        } catch FootageError.noVideo(_, _, _, let damaged) {
            let reason = damaged == 0 ? "" : " (\(damaged) damaged recording(s) left out)"
            throw ProblemDetails(status: .notFound, title: "No video", detail: "camera \(camera) recorded nothing at \(Time90k.format(at))\(reason)")
        }
        let unit = try await keyFrame.accessUnit()
        let masker = privacy.masks(for: context.identity?.user, camera: camera)
        if masker != nil { context.auditNote.set("privacy masks applied") }
        let parameters = keyFrame.parameters
        let picture: JPEGPicture
        do {
            picture = try await heavy.run("the preview") {
                if let masker {
                    return try SnapshotEncoder.jpeg(keyFrame: unit, parameters: parameters, quality: 75) { y, ys, u, us, v, vs, width, height in
                        masker.apply(y: y, yStride: ys, u: u, uStride: us, v: v, vStride: vs, width: width, height: height)
                    }
                }
                return try SnapshotEncoder.jpeg(keyFrame: unit, parameters: parameters, quality: 75)
            }
        } catch let error as SnapshotError {
            throw ProblemDetails(status: .internalServerError, detail: "the key frame at \(Time90k.format(keyFrame.time90k)) of camera \(camera) did not decode: \(error.description)")
        }
        var tag = FNV1a()
        tag.add("frame-v1:\(keyFrame.source.recording):\(keyFrame.source.offset):\(masker?.fingerprint ?? "")")
        var headers: HTTPFields = [
            .contentType: "image/jpeg",
            .cacheControl: "private, max-age=3600",
            .eTag: "\"\(tag.hex)\"",
        ]
        headers[HTTPField.Name("X-Aula-Frame-Time")!] = Time90k.format(keyFrame.time90k)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: picture.bytes)))
    }
}
