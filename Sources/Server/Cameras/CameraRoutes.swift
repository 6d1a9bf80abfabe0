import Catalog
import Foundation
import Hummingbird
import Media
import Recorder

/// `/api/cameras`: the camera registry.
struct CameraRoutes<Context: RequestContext>: Sendable {
    let store: any CameraStore
    let recorder: Recorder
    let observer: RecordingObserver
    /// Nodes and leases, when the catalogue is shared.
    var cluster: (any ClusterStore)?
    /// What else ends with a camera (its motion analysis); the catalogue has already dropped its
    /// settings and events.
    var deleted: @Sendable (Int64) async -> Void = { _ in }

    func register(on routes: Routes<Context>) {
        // Metadata for everyone who works with cameras (guards only see granted ones), changes for
        // administrators.
        routes.post("api/cameras", .roles(audit: "camera.create"), APIDoc("Register a camera (recording starts at once)", body: .object(["name": .string, "rtspUrl": .string, "username": .string, "password": .string, "subStream": .object(["rtspUrl": .string, "username": .string, "password": .string]), "location": .location, "heading": .number, "fieldOfView": .number, "range": .number, "mountingHeight": .number, "address": .string, "district": .string, "site": .string])), use: create)
        routes.get("api/cameras", .roles(Roles.cameraViewers), "Cameras the user may see, with recording status", use: list)
        routes.get("api/cameras/:id", .roles(Roles.cameraViewers, camera: .metadata), "One camera", use: show)
        routes.patch("api/cameras/:id", .roles(audit: "camera.update"), APIDoc("Change a camera", body: .object(["name": .string, "rtspUrl": .string, "username": .string, "password": .string, "subStream": .object(["rtspUrl": .string, "username": .string, "password": .string]), "location": .location, "heading": .number, "fieldOfView": .number, "range": .number, "mountingHeight": .number, "address": .string, "district": .string, "site": .string])), use: patch)
        routes.delete("api/cameras/:id", .roles(audit: "camera.delete"), APIDoc("Remove a camera (its footage stays until retention)", answer: .empty), use: delete)
    }

    func list(_ request: Request, context: Context) async throws -> Response {
        let statuses = await recorder.allStatuses()
        let subStatuses = await recorder.allSubStatuses()
        let recording = try await observer.statuses()
        let user = (context as? any IdentifiedRequestContext)?.identity?.user
        let owners = try await self.owners()
        let cameras = try await store.cameras().filter { user?.may(.metadata, $0) == true }
            .map { CameraResponse($0, status: statuses[$0.id], subStatus: subStatuses[$0.id], recording: recording[$0.id], viewer: user?.role, node: owners[$0.id]) }
        return try JSONResponse.make(cameras)
    }

    func show(_ request: Request, context: Context) async throws -> Response {
        let camera = try await find(context)
        return try JSONResponse.make(CameraResponse(camera, status: await recorder.status(of: camera.id), subStatus: await recorder.subStatus(of: camera.id), recording: try await observer.statuses()[camera.id],
                                                    viewer: Self.viewer(context), node: try await owners()[camera.id]))
    }

    /// Which node records each camera (empty on one node alone).
    func owners() async throws -> [Int64: String] {
        guard let cluster else { return [:] }
        return Dictionary(try await cluster.leases().map { ($0.cameraID, $0.node) }, uniquingKeysWith: { a, _ in a })
    }

    func create(_ request: Request, context: Context) async throws -> Response {
        var body = try await JSONBody.read(request)
        var errors: [FieldError] = []
        for required in ["name", "rtspUrl", "location"] where !body.has(required) {
            errors.append(FieldError(field: required, message: "is required"))
        }
        var camera = Camera(name: "", rtspURL: "", latitude: 0, longitude: 0)
        camera.apply(&body)
        errors += body.errors
        if errors.isEmpty { errors += camera.validationErrors() }
        guard errors.isEmpty else { throw ProblemDetails.validation(Self.unique(errors)) }
        let saved = try await store.insert(camera)
        await recorder.update(saved)
        context.logger.info("camera added", metadata: ["camera": "\(saved.id)", "url": "\(RTSPURL(saved.rtspURL)?.withoutCredentials ?? "")"])
        var response = try JSONResponse.make(CameraResponse(saved, status: await recorder.status(of: saved.id), subStatus: await recorder.subStatus(of: saved.id), viewer: Self.viewer(context)), status: .created)
        response.headers[.location] = "/api/cameras/\(saved.id)"
        return response
    }

    func patch(_ request: Request, context: Context) async throws -> Response {
        var camera = try await find(context)
        var body = try await JSONBody.read(request)
        camera.apply(&body)
        var errors = body.errors
        if errors.isEmpty { errors += camera.validationErrors() }
        guard errors.isEmpty else { throw ProblemDetails.validation(Self.unique(errors)) }
        guard let saved = try await store.update(camera) else { throw ProblemDetails.notFound("camera \(camera.id) does not exist") }
        await recorder.update(saved)
        return try JSONResponse.make(CameraResponse(saved, status: await recorder.status(of: saved.id), subStatus: await recorder.subStatus(of: saved.id), viewer: Self.viewer(context)))
    }

    func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try cameraID(context)
        guard try await store.delete(id: id) else { throw ProblemDetails.notFound("camera \(id) does not exist") }
        await recorder.remove(id: id)
        await deleted(id)
        return Response(status: .noContent)
    }

    private func cameraID(_ context: Context) throws -> Int64 {
        try CameraID.parse(context.parameters.get("id"))
    }

    private func find(_ context: Context) async throws -> Camera {
        let id = try cameraID(context)
        guard let camera = try await store.camera(id: id) else { throw ProblemDetails.notFound("camera \(id) does not exist") }
        return camera
    }

    static func viewer(_ context: Context) -> Role? { (context as? any IdentifiedRequestContext)?.identity?.user.role }

    static func unique(_ errors: [FieldError]) -> [FieldError] {
        var seen = Set<FieldError>()
        return errors.filter { seen.insert($0).inserted }
    }
}

enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
