import APIInput
import Catalog
import City
import Foundation
import Guards
import Hummingbird
import QRCode

/// Checkpoint tours (docs/guards.md, "Checkpoint tours"): administrators place checkpoints of a
/// post and print their codes (`/checkpoints.html`); a guard's phone camera opens the printed
/// address, and the guard's page sends the scan with where the phone is; operators see each
/// checkpoint's last scan and which are overdue.
extension GuardRoutes {
    func registerCheckpoints(on routes: Routes<AulaContext>) {
        routes.get("api/checkpoints", .roles([.operator, .guard, .auditor]),
                   APIDoc("Checkpoints with their last scan and whether they are overdue (a guard: their posts')", query: ["post": .integer]), use: listCheckpoints)
        routes.post("api/checkpoints", .roles([], audit: "checkpoint.create"),
                    APIDoc("Add a checkpoint to a post's tour", body: .object(["post": .integer, "name": .string, "latitude": .number, "longitude": .number, "everyMinutes": .integer])),
                    use: createCheckpoint)
        routes.delete("api/checkpoints/:id", .roles([], audit: "checkpoint.delete"), APIDoc("Remove a checkpoint", answer: .empty), use: deleteCheckpoint)
        routes.get("api/checkpoints/:id/code.svg", .roles([], audit: "checkpoint.print"),
                   APIDoc("The checkpoint's QR code to print (the guard's page with its code)", answer: .file("image/svg+xml")), use: checkpointCode)
        routes.post("api/checkpoints/scan", RouteRule.roles([.guard], audit: "checkpoint.scan").leavingRightsAlone(),
                    APIDoc("A guard scanned a checkpoint's code", body: .object(["code": .string, "latitude": .number, "longitude": .number, "accuracy": .number])),
                    use: scanCheckpoint)
        routes.get("api/checkpoint-scans", .roles([.operator, .guard, .auditor]),
                   APIDoc("Scans of checkpoints (a guard: their own)", query: ["post": .integer, "start": .time, "end": .time]), use: listScans)
    }

    struct CheckpointJSON: Encodable, Sendable {
        struct LastScan: Encodable, Sendable {
            var time: String
            var guardName: String
            var distanceMetres: Double?
        }
        var id: Int64
        var post: Int64
        var name: String
        var latitude: Double
        var longitude: Double
        var everyMinutes: Int
        var lastScan: LastScan?
        var overdue: Bool
        /// Administrators only: the secret of the printed code.
        var url: String?
    }

    struct ScanJSON: Encodable, Sendable {
        var id: Int64
        var checkpoint: Int64
        var post: Int64
        var guardName: String
        var time: String
        var latitude: Double?
        var longitude: Double?
        var distanceMetres: Double?
        var checkpointName: String?

        init(_ scan: CheckpointScan, name: String? = nil) {
            checkpointName = name
            (id, checkpoint, post, guardName, time) = (scan.id, scan.checkpoint, scan.post, scan.guardName, RFC3339.format(micros: scan.atMicros))
            (latitude, longitude, distanceMetres) = (scan.latitude, scan.longitude, scan.distanceMetres.map { ($0 * 10).rounded() / 10 })
        }
    }

    /// The address a printed code holds: this server's guard page with the checkpoint's code.
    func checkpointURL(_ checkpoint: Checkpoint, _ request: Request) -> String {
        "\(scheme)://\(request.head.authority ?? "localhost")/guard.html?checkpoint=\(checkpoint.code)"
    }

    /// The posts a user sees checkpoints of: a guard their own, others all (nil).
    func postsOf(_ user: User) async throws -> Set<Int64>? {
        user.role == .guard ? Set(try await guards.posts().filter { $0.guards.contains(user.name) }.map(\.id)) : nil
    }

    func listCheckpoints(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var query = QueryFields(request)
        let post = query.id("post")
        try query.check()
        let mine = try await postsOf(user)
        let checkpoints = try await guards.checkpoints(post: post).filter { mine?.contains($0.post) ?? true }
        let now = GuardService.nowMicros()
        // The last scan of each: scans of the longest interval asked for, and a day at least.
        let back = Int64(max(1440, checkpoints.map(\.everyMinutes).max() ?? 0)) * 60_000_000
        var last: [Int64: CheckpointScan] = [:]
        for scan in try await guards.scans(post: post, from: now - back, to: now + 1) where last[scan.checkpoint] == nil {
            last[scan.checkpoint] = scan
        }
        return try JSONResponse.make(["checkpoints": checkpoints.map { c in
            let scan = last[c.id]
            return CheckpointJSON(id: c.id, post: c.post, name: c.name, latitude: c.latitude, longitude: c.longitude, everyMinutes: c.everyMinutes,
                                  lastScan: scan.map { .init(time: RFC3339.format(micros: $0.atMicros), guardName: $0.guardName, distanceMetres: $0.distanceMetres) },
                                  overdue: (scan?.atMicros ?? .min) < now - Int64(c.everyMinutes) * 60_000_000,
                                  url: user.role == .administrator ? checkpointURL(c, request) : nil)
        }])
    }

    func createCheckpoint(_ request: Request, context: AulaContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: 16 << 10)
        body.rejectUnknown(["post", "name", "latitude", "longitude", "everyMinutes"])
        body.require("post", "name", "latitude", "longitude")
        let post = body.integer("post", in: Int64(1)...Int64(9_007_199_254_740_991))
        let name = body.text("name", maxLength: 200)
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { body.fail("name", "must not be empty") }
        let latitude = body.number("latitude", within: -90...90)
        let longitude = body.number("longitude", within: -180...180)
        let every = body.has("everyMinutes") ? body.integer("everyMinutes", in: 1...10_080) : 60
        try body.check()
        guard let post, let name, let latitude, let longitude, let every else { throw ProblemDetails.validation([]) }
        guard try await guards.post(id: post) != nil else {
            throw ProblemDetails.validation([FieldError(field: "post", message: "no post has id \(post)")])
        }
        let checkpoint = try await guards.addCheckpoint(post: post, name: name, latitude: latitude, longitude: longitude, everyMinutes: every)
        context.auditNote.set("checkpoint \(checkpoint.id) \(checkpoint.name) of post \(post)")
        return try JSONResponse.make(CheckpointJSON(id: checkpoint.id, post: post, name: name, latitude: latitude, longitude: longitude, everyMinutes: every,
                                                    lastScan: nil, overdue: true, url: checkpointURL(checkpoint, request)), status: .created)
    }

    func deleteCheckpoint(_ request: Request, context: AulaContext) async throws -> Response {
        guard let id = PathID.parse(context.parameters.get("id")), try await guards.deleteCheckpoint(id: id) else { throw ProblemDetails.notFound("no such checkpoint") }
        context.auditNote.set("checkpoint \(id)")
        return Response(status: .noContent)
    }

    func checkpointCode(_ request: Request, context: AulaContext) async throws -> Response {
        guard let id = PathID.parse(context.parameters.get("id")), let checkpoint = try await guards.checkpoint(id: id) else {
            throw ProblemDetails.notFound("no such checkpoint")
        }
        // The address is short (about 80 characters): version 5 or so at the high correction level,
        // which survives a scratched or dirty print.
        let svg = try QRCode(checkpointURL(checkpoint, request), correction: .high).svg(moduleSize: 6)
        context.auditNote.set("checkpoint \(id) \(checkpoint.name)")
        return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "private, no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: svg)))
    }

    func scanCheckpoint(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let key = try Self.idempotencyKey(request, user: user)
        var body = try await JSONBody.read(request, limit: 16 << 10)
        body.rejectUnknown(["code", "latitude", "longitude", "accuracy"])
        body.require("code")
        let code = body.text("code", maxLength: 100)
        let latitude = body.number("latitude", within: -90...90)
        let longitude = body.number("longitude", within: -180...180)
        _ = body.number("accuracy", within: 0...100_000)
        if (latitude == nil) != (longitude == nil) { body.fail(latitude == nil ? "latitude" : "longitude", "is needed with the other coordinate") }
        try body.check()
        guard let code, let checkpoint = try await guards.checkpoint(code: code),
              try await postsOf(user)?.contains(checkpoint.post) ?? true else {
            throw ProblemDetails.notFound("no checkpoint of your posts has this code")
        }
        var distance: Double?
        if let latitude, let longitude {
            let projection = LocalProjection(origin: GeoCoordinate(latitude: checkpoint.latitude, longitude: checkpoint.longitude))
            let p = projection.project(GeoCoordinate(latitude: latitude, longitude: longitude))
            distance = (p.x * p.x + p.y * p.y).squareRoot()
        }
        let scan = try await guards.recordScan(CheckpointScan(checkpoint: checkpoint.id, post: checkpoint.post, guardName: user.name, atMicros: GuardService.nowMicros(),
                                                              latitude: latitude, longitude: longitude, distanceMetres: distance), key: key)
        context.auditNote.set("checkpoint \(checkpoint.id) \(checkpoint.name)" + (distance.map { ", \(Int($0)) m away" } ?? ", no position"))
        return try JSONResponse.make(["scan": ScanJSON(scan, name: checkpoint.name)], status: .created)
    }

    func listScans(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var query = QueryFields(request)
        let post = query.id("post")
        try query.check()
        let (from, to) = try Self.window(request, defaultBack: 7 * 86_400_000_000, defaultAhead: 60_000_000)
        let mine = user.role == .guard ? user.name : nil
        let scans = try await guards.scans(post: post, from: from, to: to).filter { mine == nil || $0.guardName == mine }
        return try JSONResponse.make(["scans": scans.map { ScanJSON($0) }])
    }
}
