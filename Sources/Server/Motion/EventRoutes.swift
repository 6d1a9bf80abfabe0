import Analytics
import APIInput
import Catalog
import Foundation
import Hummingbird
import Snapshot

/// `GET /api/events` and `GET /api/events/{id}/thumbnail.jpg` (docs/api.md, "Motion events").
///
/// Users see the events of cameras they may watch (live or playback); a thumbnail is a view of
/// footage, so it is audited (`view.thumbnail`) and checked against the event's camera.
struct EventRoutes: Sendable {
    let catalog: AulaCatalog
    let privacy: PrivacyZones

    func register(on routes: Routes<AulaContext>) {
        routes.get("api/events", .roles(.operator, .guard), APIDoc("Motion events", query: ["start": .time, "end": .time, "camera": .integer, "limit": .integer, "district": .string, "zone": .string]), use: list)
        routes.get("api/events/:id/thumbnail.jpg", .roles(.operator, .guard, audit: "view.thumbnail"), APIDoc("An event's picture", answer: .file("image/jpeg")), use: thumbnail)
    }

    struct EventJSON: Encodable {
        var id: Int64
        var cameraId: Int64
        var cameraName: String?
        var zone: String
        var start: String
        var end: String?
        var peakScore: Double
        var box: [Double]
        var thumbnail: String
        var clip: String
    }

    static func mayView(_ user: User, _ camera: Camera) -> Bool { user.may(.live, camera) || user.may(.playback, camera) }

    func list(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var query = QueryFields(request)
        let range = query.timeRange(required: false)
        let start90k = range.start ?? .min, end90k = range.end ?? .max
        let cameraFilter = query.id("camera")
        let limit = query.integer("limit", in: 1...5000) ?? 500
        let district = query.string("district"), zone = query.string("zone")
        try query.check()
        let cameras = try await catalog.cameras().filter { camera in
            Self.mayView(user, camera) && (cameraFilter.map { $0 == camera.id } ?? true) && (district.map { $0 == camera.district } ?? true)
        }
        let names = Dictionary(cameras.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let events = try await catalog.motionEvents(cameras: cameras.map(\.id), zone: zone, start90k: start90k, end90k: end90k, limit: limit)
        let json = events.map { e in
            // The clip runs from 2 s before the motion to 2 s after it (10 s after while it is open).
            let clipStart = e.start90k - 2 * 90_000
            let clipEnd = (e.end90k ?? e.confirmed90k + 8 * 90_000) + 2 * 90_000
            return EventJSON(id: e.id, cameraId: e.cameraID, cameraName: names[e.cameraID], zone: e.zone, start: Time90k.format(e.start90k),
                             end: e.end90k.map(Time90k.format), peakScore: e.peakScore, box: e.box, thumbnail: "/api/events/\(e.id)/thumbnail.jpg",
                             clip: "/api/cameras/\(e.cameraID)/recording.mp4?start=\(Time90k.format(clipStart))&end=\(Time90k.format(clipEnd))")
        }
        return try JSONResponse.make(["events": json])
    }

    func thumbnail(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        guard let id = PathID.parse(context.parameters.get("id")), let found = try await catalog.motionEvent(id: id) else {
            throw ProblemDetails.notFound("no such event")
        }
        // An event of a camera the user may not watch is reported as missing, not as forbidden:
        // its existence is not theirs to learn.
        guard let camera = try await catalog.camera(id: found.event.cameraID), Self.mayView(user, camera) else {
            if (try await catalog.camera(id: found.event.cameraID)) != nil {
                try await catalog.appendAudit(actor: user.name, client: context.client, action: "access.denied", target: request.uri.path, detail: "no view grant for camera \(found.event.cameraID)")
            }
            throw ProblemDetails.notFound("no such event")
        }
        guard var jpeg = found.thumbnail else { throw ProblemDetails.notFound("event \(id) has no thumbnail") }
        // The camera's privacy zones now, not those of when the thumbnail was made: a zone drawn
        // after the event still hides what it covers from users without the right.
        if let masker = privacy.masks(for: user, camera: camera.id) {
            do {
                jpeg = try GrayJPEG.redraw(jpeg) { plane, width, height, stride in masker.apply(luma: plane, width: width, height: height, stride: stride) }
            } catch {
                throw ProblemDetails(status: .internalServerError, detail: "the thumbnail could not be masked, so it is not shown")
            }
            context.auditNote.set("camera \(camera.id) event \(id); privacy masks applied")
        } else {
            context.auditNote.set("camera \(camera.id) event \(id)")
        }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=3600"], body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
    }
}
