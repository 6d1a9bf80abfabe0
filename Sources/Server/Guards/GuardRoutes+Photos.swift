import APIInput
import AulaSecurity
import Catalog
import Foundation
import Guards
import Hummingbird
import Snapshot

/// Photos of an incident (docs/guards.md, "Photos"): the guard who took it sends them from the
/// phone's camera with the report; operators may add their own; everyone who may see the incident
/// may see its photos, and every view is audited like footage.
extension GuardRoutes {
    /// A phone's photo, resized on the phone, is a few hundred kilobytes; a camera's full picture a
    /// few megabytes.
    static let photoLimit = 6 << 20

    func registerPhotos(on routes: Routes<AulaContext>) {
        routes.post("api/incidents/:id/photos", RouteRule.roles([.guard, .operator], audit: "incident.photo").leavingRightsAlone(),
                    APIDoc("Attach a photo to an incident: the body is the JPEG (image/jpeg), at most 6 MiB; Idempotency-Key sends it once",
                           upload: "image/jpeg"), use: addPhoto)
        routes.get("api/incidents/:id/photos", .roles([.operator, .guard, .auditor]), "The incident's photos (without their bytes)", use: listPhotos)
        routes.get("api/incidents/:id/photos/:photo", .roles([.operator, .guard, .auditor], audit: "incident.photo.view"),
                   APIDoc("One photo of an incident, as sent", answer: .file("image/jpeg")), use: showPhoto)
    }

    func addPhoto(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let key = try Self.idempotencyKey(request, user: user)
        let incident = try await visibleIncident(context)
        if user.role == .guard {
            guard incident.guardName == user.name, [.accepted, .enRoute, .onScene, .cleared].contains(incident.state) else {
                throw ProblemDetails(status: .conflict, detail: "photos of incident \(incident.id) are sent by the guard who accepted it")
            }
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: Self.photoLimit) } catch {
            throw ProblemDetails(status: .contentTooLarge, detail: "a photo is at most \(Self.photoLimit >> 20) MiB; the phone sends it resized")
        }
        let bytes = [UInt8](buffer.readableBytesView)
        guard let size = try await heavy.run("sending the photo", { GrayJPEG.readableSize(bytes) }) else {
            throw ProblemDetails.validation([FieldError(field: "body", message: "must be a whole JPEG picture (image/jpeg), at most 8192 pixels a side")])
        }
        let photo = IncidentPhoto(incident: incident.id, by: user.name, atMicros: GuardService.nowMicros(), bytes: bytes.count,
                                  width: size.width, height: size.height, sha256: EvidencePackage.sha256Hex(bytes))
        do {
            let (stored, created) = try await guards.addPhoto(photo, jpeg: Data(bytes), key: key)
            context.auditNote.set("incident \(incident.id): photo \(stored.id), \(stored.bytes) bytes, SHA-256 \(stored.sha256)")
            return try JSONResponse.make(PhotoJSON(stored), status: created ? .created : .ok)
        } catch let refusal as IncidentRefusal {
            throw Self.problem(refusal)
        }
    }

    func listPhotos(_ request: Request, context: AulaContext) async throws -> Response {
        let incident = try await visibleIncident(context)
        return try JSONResponse.make(["photos": try await guards.photos(incidentID: incident.id).map(PhotoJSON.init)])
    }

    func showPhoto(_ request: Request, context: AulaContext) async throws -> Response {
        let incident = try await visibleIncident(context)
        guard let id = PathID.parse(context.parameters.get("photo")), let (photo, jpeg) = try await guards.photo(incidentID: incident.id, id: id) else {
            throw ProblemDetails.notFound("no such photo")
        }
        context.auditNote.set("incident \(incident.id): photo \(photo.id) by \(photo.by), SHA-256 \(photo.sha256)")
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
    }
}

struct PhotoJSON: Encodable, Sendable {
    var id: Int64
    var incident: Int64
    var by: String
    var time: String
    var bytes: Int
    var width: Int
    var height: Int
    var sha256: String
    var url: String

    init(_ photo: IncidentPhoto) {
        id = photo.id
        incident = photo.incident
        by = photo.by
        time = RFC3339.format(micros: photo.atMicros)
        bytes = photo.bytes
        width = photo.width
        height = photo.height
        sha256 = photo.sha256
        url = "/api/incidents/\(photo.incident)/photos/\(photo.id)"
    }
}
