import APIInput
import Catalog
import City
import Foundation
import Guards
import Hummingbird
import HummingbirdWebSocket
import Planning

/// Posts, shifts, duty, the equipment ledger, incidents and their dispatch, the panic button and
/// the response figures (docs/guards.md, docs/api.md "Guards").
///
/// Who may do what: guards start and end duty, report where they are, and take the steps of the
/// incidents offered to them (they see only those); operators create, dispatch, clear and cancel
/// incidents and see who is on duty where; administrators manage posts, shifts and equipment;
/// auditors read everything.
struct GuardRoutes: Sendable {
    let guards: GuardService
    let catalog: AulaCatalog
    /// `https` when served over TLS or behind a TLS proxy: the scheme a WebSocket's Origin must have.
    let scheme: String
    let guardian: ConnectionGuard
    /// Where pictures sent with a report are checked (off the cooperative pool).
    let heavy: HeavyWork

    /// Checked again for the life of a duty stream.
    static let streamRule = RouteRule.roles(.guard)
    /// How often an open duty stream asks the catalogue again whether its session still holds (a
    /// change made through this node's API closes it at once; the phone reports every 5 s, so a
    /// quarter-second poll per phone would cost more than the positions themselves).
    static let streamCheck: Duration = .seconds(5)

    func register(on routes: Routes<AulaContext>) {
        let readers: [Role] = [.operator, .guard, .auditor]
        routes.get("api/posts", .roles(readers), "Guards' posts (a guard: their own)", use: listPosts)
        routes.post("api/posts", .roles([], audit: "post.create"), APIDoc("Add a post", body: Self.postSchema), use: createPost)
        routes.put("api/posts/:id", .roles([], audit: "post.update"), APIDoc("Change a post", body: Self.postSchema), use: updatePost)
        routes.delete("api/posts/:id", .roles([], audit: "post.delete"), APIDoc("Remove a post", answer: .empty), use: deletePost)

        routes.get("api/shifts", .roles(readers), APIDoc("The roster (a guard: their own shifts)", query: ["start": .time, "end": .time]), use: listShifts)
        routes.post("api/shifts", .roles([], audit: "shift.create"),
                    APIDoc("Add a shift", body: .object(["post": .integer, "guardName": .string, "start": .time, "end": .time])), use: createShift)
        routes.put("api/shifts/:id", .roles([], audit: "shift.update"),
                   APIDoc("Change a shift", body: .object(["post": .integer, "guardName": .string, "start": .time, "end": .time])), use: updateShift)
        routes.delete("api/shifts/:id", .roles([], audit: "shift.delete"), APIDoc("Remove a shift", answer: .empty), use: deleteShift)

        routes.get("api/duty", .roles(readers), "Who is on duty where (a guard: themselves)", use: listDuty)
        routes.ws("api/duty/stream", Self.streamRule, APIDoc("A guard's phone on duty: positions in, offers out, over a WebSocket", answer: .webSocket),
                  shouldUpgrade: { request, _ in
                      guard request.headers[.secWebSocketKey] != nil else {
                          throw ProblemDetails(status: .badRequest, detail: "the duty stream is a WebSocket: open it with an Upgrade: websocket request")
                      }
                      if let origin = request.headers[.origin], !LiveRoute.sameOrigin(origin, authority: request.head.authority, scheme: scheme) {
                          throw ProblemDetails(status: .forbidden, detail: "the duty stream is only for pages of this server (Origin \(origin))")
                      }
                      return .upgrade([:])
                  }, onUpgrade: { inbound, outbound, context in
                      guard let identity = context.requestContext.identity else { return }
                      try await dutyStream(identity: identity, inbound: inbound, outbound: outbound)
                  })
        routes.put("api/duty", RouteRule.roles([.guard]).leavingRightsAlone().sharingCredentialReads(),
                   APIDoc("Start or end duty, and say where you are", body: .object(["onDuty": .boolean, "latitude": .number, "longitude": .number, "accuracy": .number])),
                   use: putDuty)

        routes.get("api/equipment", .roles(readers), APIDoc("The equipment ledger (a guard: what they hold)", query: ["holder": .string, "number": .string]), use: listEquipment)
        routes.get("api/equipment.csv", .roles([.operator, .auditor], audit: "equipment.export"), APIDoc("The equipment ledger as CSV", answer: .file("text/csv")), use: equipmentCSV)
        routes.get("api/equipment/:id", .roles(readers), "One item with its history", use: showEquipment)
        routes.post("api/equipment", .roles([], audit: "equipment.add"),
                    APIDoc("Add an item", body: .object(["kind": .string, "number": .string, "serial": .string, "condition": .string])), use: addEquipment)
        routes.post("api/equipment/:id/issue", .roles([], audit: "equipment.issue"),
                    APIDoc("Issue an item to a guard (guard:NAME) or a post (post:ID)", body: .object(["to": .string, "note": .string])), use: issueEquipment)
        routes.post("api/equipment/:id/return", .roles([], audit: "equipment.return"),
                    APIDoc("Return an item to the store", body: .object(["condition": .string, "note": .string])), use: returnEquipment)
        routes.post("api/equipment/:id/condition", .roles([], audit: "equipment.condition"),
                    APIDoc("Note an item's condition", body: .object(["condition": .string, "note": .string])), use: noteEquipment)

        routes.get("api/incidents", .roles(readers), APIDoc("Incidents (a guard: their own)", query: ["state": .string, "start": .time, "end": .time]), use: listIncidents)
        routes.get("api/incidents/:id", .roles(readers), "One incident with its steps (and, for its guard, the route)", use: showIncident)
        routes.post("api/incidents", .roles([.operator]),
                    APIDoc("Create an incident at a camera or a place; it is offered to the nearest guard by route",
                           body: .object(["cameraId": .integer, "alertId": .integer, "latitude": .number, "longitude": .number, "summary": .string])),
                    use: createIncident)
        for action in IncidentAction.allCases {
            let roles: [Role] = switch action {
            case .accept, .decline, .depart, .arrive: [.guard]
            case .clear: [.guard, .operator]
            case .cancel: [.operator]
            }
            routes.post(RouterPath("api/incidents/:id/\(action.rawValue)"), RouteRule.roles(roles, audit: "incident.\(action.rawValue)").leavingRightsAlone(),
                        APIDoc("Incident step: \(action.rawValue)", body: .object(["note": .string])), use: { request, context in
                            try await step(action, request, context)
                        })
        }
        routes.post("api/incidents/:id/dispatch", .roles([.operator], audit: "incident.dispatch"),
                    APIDoc("Offer the incident to a guard of the operator's choice", body: .object(["guardName": .string])), use: dispatch)
        routes.post("api/incidents/:id/offence", .roles([.operator], audit: "incident.offence"),
                    APIDoc("Enter a cleared incident into the offence register", body: .object(["type": .string, "status": .string])), use: registerOffence)
        registerPhotos(on: routes)
        registerCheckpoints(on: routes)
        routes.post("api/panic", RouteRule.roles([.guard]).leavingRightsAlone(), APIDoc("The guard's panic button", body: .object(["latitude": .number, "longitude": .number])), use: panic)

        routes.get("api/response-figures", .roles([.operator, .analyst, .auditor]),
                   APIDoc("Response times per district, post, shift or guard", query: ["start": .time, "end": .time, "by": .string]), use: figures)
        routes.get("api/response-figures.csv", .roles([.operator, .analyst, .auditor]),
                   APIDoc("Response times as CSV", query: ["start": .time, "end": .time, "by": .string], answer: .file("text/csv")), use: figuresCSV)
    }

    static let postSchema = APISchema.object([
        "name": .string, "latitude": .number, "longitude": .number, "district": .string,
        "cameras": .array(.integer), "guards": .array(.string), "autoDispatch": .boolean,
    ])

    // MARK: Posts

    func listPosts(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var posts = try await guards.posts()
        if user.role == .guard { posts = posts.filter { $0.guards.contains(user.name) } }
        return try JSONResponse.make(["posts": posts])
    }

    func readPost(_ request: Request, id: Int64 = 0) async throws -> Post {
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["name", "latitude", "longitude", "district", "cameras", "guards", "autoDispatch"])
        body.require("name", "latitude", "longitude")
        let name = body.text("name", maxLength: 200)
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { body.fail("name", "must not be empty") }
        let latitude = body.number("latitude", within: -90...90)
        let longitude = body.number("longitude", within: -180...180)
        let district = body.text("district", maxLength: 200) ?? ""
        var cameras: [Int64] = []
        if body.has("cameras") {
            if case .array(let values)? = body.object["cameras"], values.count <= 10_000 {
                for (n, value) in values.enumerated() {
                    guard case .number(let v) = value, v.isFinite, v >= 1, v <= 9_007_199_254_740_991, v == v.rounded() else {
                        body.fail("cameras[\(n)]", "must be a camera id")
                        continue
                    }
                    cameras.append(Int64(v))
                }
            } else {
                body.fail("cameras", "must be an array of at most 10000 camera ids")
            }
        }
        let guardNames = body.strings("guards", maxCount: 1000, maxLength: 200) ?? []
        let autoDispatch = body.bool("autoDispatch") ?? false
        try body.check()
        let known = Set(try await catalog.cameras().map(\.id))
        var errors: [FieldError] = []
        for (n, camera) in cameras.enumerated() where !known.contains(camera) { errors.append(FieldError(field: "cameras[\(n)]", message: "no camera \(camera)")) }
        for (n, name) in guardNames.enumerated() {
            let user = try await catalog.user(named: name)
            if user?.role != .guard { errors.append(FieldError(field: "guards[\(n)]", message: "\(name.prefix(60)) is not a guard's user name")) }
        }
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        var post = Post(name: name ?? "", latitude: latitude ?? 0, longitude: longitude ?? 0, district: district, cameras: cameras, guards: guardNames, autoDispatch: autoDispatch)
        post.id = id
        return post
    }

    func createPost(_ request: Request, context: AulaContext) async throws -> Response {
        let post = try await guards.addPost(try await readPost(request))
        context.auditNote.set("post \(post.id) \(post.name)")
        return try JSONResponse.make(post, status: .created)
    }

    func updatePost(_ request: Request, context: AulaContext) async throws -> Response {
        guard let id = PathID.parse(context.parameters.get("id")), try await guards.post(id: id) != nil else { throw ProblemDetails.notFound("no such post") }
        guard let post = try await guards.updatePost(try await readPost(request, id: id)) else { throw ProblemDetails.notFound("no such post") }
        context.auditNote.set("post \(post.id) \(post.name)")
        return try JSONResponse.make(post)
    }

    func deletePost(_ request: Request, context: AulaContext) async throws -> Response {
        guard let id = PathID.parse(context.parameters.get("id")), try await guards.deletePost(id: id) else { throw ProblemDetails.notFound("no such post") }
        context.auditNote.set("post \(id)")
        return Response(status: .noContent)
    }

    // MARK: Shifts

    /// `start` and `end` of a query as microseconds; by default from a day ago to a week ahead.
    static func window(_ request: Request, defaultBack: Int64 = 86_400_000_000, defaultAhead: Int64 = 7 * 86_400_000_000, maxDays: Int64 = 400) throws -> (Int64, Int64) {
        var query = QueryFields(request)
        let range = query.timeRange(required: false, maxSeconds: maxDays * 86_400)
        try query.check()
        let now = GuardService.nowMicros()
        let start = range.start.map { $0 / 9 * 100 } ?? now - defaultBack
        let end = range.end.map { $0 / 9 * 100 } ?? now + defaultAhead
        guard end > start else { throw ProblemDetails.validation([FieldError(field: "end", message: "must be after start")]) }
        return (start, end)
    }

    func listShifts(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let (start, end) = try Self.window(request, maxDays: 62)
        var shifts = try await guards.shifts(from: start, to: end)
        if user.role == .guard { shifts = shifts.filter { $0.guardName == user.name } }
        return try JSONResponse.make(["shifts": shifts.map(ShiftJSON.init)])
    }

    func createShift(_ request: Request, context: AulaContext) async throws -> Response {
        let shift = try await guards.addShift(try await shiftBody(request))
        context.auditNote.set("shift \(shift.id): \(shift.guardName) at post \(shift.post)")
        return try JSONResponse.make(ShiftJSON(shift), status: .created)
    }

    func updateShift(_ request: Request, context: AulaContext) async throws -> Response {
        guard let id = PathID.parse(context.parameters.get("id")) else { throw ProblemDetails.notFound("no such shift") }
        var shift = try await shiftBody(request)
        shift.id = id
        guard let saved = try await guards.updateShift(shift) else { throw ProblemDetails.notFound("no such shift") }
        context.auditNote.set("shift \(id): \(saved.guardName) at post \(saved.post)")
        return try JSONResponse.make(ShiftJSON(saved))
    }

    /// A shift as `POST /api/shifts` and `PUT /api/shifts/{id}` take it: an existing post, a
    /// guard's user name, and an end after the start, at most 24 hours later.
    func shiftBody(_ request: Request) async throws -> Shift {
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["post", "guardName", "start", "end"])
        body.require("post", "guardName", "start", "end")
        let post = body.id("post")
        let guardName = body.text("guardName", maxLength: 200)
        let start = body.time90k("start"), end = body.time90k("end")
        if let start, let end {
            if end <= start { body.fail("end", "must be after start") } else if end - start > 24 * 3600 * 90_000 { body.fail("end", "a shift lasts at most 24 hours") }
        }
        try body.check()
        guard let post, let guardName, let start, let end else { throw ProblemDetails.validation([]) }
        var errors: [FieldError] = []
        if try await guards.post(id: post) == nil { errors.append(FieldError(field: "post", message: "no post \(post)")) }
        if try await catalog.user(named: guardName)?.role != .guard { errors.append(FieldError(field: "guardName", message: "\(guardName.prefix(60)) is not a guard's user name")) }
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        return Shift(post: post, guardName: guardName, startMicros: start / 9 * 100, endMicros: end / 9 * 100)
    }

    func deleteShift(_ request: Request, context: AulaContext) async throws -> Response {
        guard let id = PathID.parse(context.parameters.get("id")), try await guards.deleteShift(id: id) else { throw ProblemDetails.notFound("no such shift") }
        context.auditNote.set("shift \(id)")
        return Response(status: .noContent)
    }

    // MARK: Duty

    func listDuty(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var duties = try await guards.duties()
        if user.role == .guard { duties = duties.filter { $0.guardName == user.name } }
        return try JSONResponse.make(["duty": duties.map(DutyJSON.init)])
    }

    func putDuty(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var body = try await JSONBody.read(request, limit: 16 << 10)
        body.require("onDuty")
        let (onDuty, position) = Self.dutyReport(&body)
        try body.check()
        let (duty, changed) = try await guards.setDuty(guardName: user.name, onDuty: onDuty ?? false, position: position)
        if changed {
            try await catalog.appendAudit(actor: user.name, client: "local", action: duty.onDuty ? "duty.start" : "duty.end", target: "/api/duty", detail: "")
        }
        return DutyJSON(duty).response
    }

    /// A phone's report, as `PUT /api/duty` and the duty stream both take it: `onDuty`, and a
    /// position given by both coordinates or neither.
    static func dutyReport(_ body: inout JSONFields) -> (onDuty: Bool?, position: Duty.Position?) {
        body.rejectUnknown(["onDuty", "latitude", "longitude", "accuracy"])
        let onDuty = body.bool("onDuty")
        let latitude = body.number("latitude", within: -90...90)
        let longitude = body.number("longitude", within: -180...180)
        let accuracy = body.number("accuracy", within: 0...100_000)
        if body.has("latitude") != body.has("longitude") { body.fail(body.has("latitude") ? "longitude" : "latitude", "is required with the other coordinate") }
        let position = latitude.flatMap { lat in longitude.map { Duty.Position(latitude: lat, longitude: $0, accuracy: accuracy, atMicros: GuardService.nowMicros()) } }
        return (onDuty, position)
    }

    /// The phone's stream: each text message `{"onDuty"?, "latitude", "longitude", "accuracy"?}`
    /// is a report as `PUT /api/duty` takes it (a bad one is answered `{"type": "error", …}` and
    /// changes nothing); the server sends `{"type": "incident", "incident": {…}}` whenever this node
    /// changes an incident offered to or held by the guard, and `{"type": "duty", …}` when duty
    /// starts or ends.
    func dutyStream(identity: Identity, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let user = identity.user
        let (changes, cancel) = guards.incidentChanges()
        defer { cancel() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func send(_ value: some Encodable) async throws {
            try await outbound.write(.text(String(decoding: try encoder.encode(value), as: UTF8.self)))
        }
        struct Notice<T: Encodable>: Encodable { var type: String; var incident: T?; var duty: T?; var detail: String? }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var onDuty = try await guards.duty(of: user.name)?.onDuty ?? false
                for try await message in inbound.messages(maxSize: 16 << 10) {
                    guard case .text(let text) = message else { continue }
                    guard let parsed = JSONValue.parse(Array(text.utf8)), case .object(let object) = parsed else {
                        try await send(Notice<String>(type: "error", detail: "a report is a JSON object"))
                        continue
                    }
                    var body = JSONFields(object)
                    let (reported, position) = Self.dutyReport(&body)
                    let wanted = reported ?? onDuty
                    guard body.errors.isEmpty else {
                        try await send(Notice<String>(type: "error", detail: body.errors.map(\.description).joined(separator: "; ")))
                        continue
                    }
                    let (duty, changed) = try await guards.setDuty(guardName: user.name, onDuty: wanted, position: position)
                    onDuty = duty.onDuty
                    if changed {
                        try await catalog.appendAudit(actor: user.name, client: "duty stream", action: duty.onDuty ? "duty.start" : "duty.end", target: "/api/duty", detail: "")
                        try await send(Notice(type: "duty", duty: DutyJSON(duty)))
                    }
                }
                cancel()
            }
            group.addTask {
                await guardian.watch(identity, every: Self.streamCheck) { user in Self.streamRule.allows(user.role) }
                cancel()
                try? await outbound.close(.policyViolation, reason: "the session ended or its rights changed; reconnect")
            }
            group.addTask {
                for await incident in changes where incident.guardName == user.name || incident.steps.last?.guardName == user.name {
                    try await send(Notice(type: "incident", incident: IncidentJSON(incident)))
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    // MARK: Equipment

    func listEquipment(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var query = QueryFields(request)
        var holder = query.string("holder", maxLength: 300)
        let number = query.string("number", maxLength: 200)
        try query.check()
        if user.role == .guard { holder = "guard:\(user.name)" }
        if let number {
            let found = try await guards.equipmentItem(number: number).map { [$0] } ?? []
            return try JSONResponse.make(["equipment": found.filter { holder == nil || $0.holder == holder }.map(EquipmentJSON.init)])
        }
        return try JSONResponse.make(["equipment": try await guards.equipment(holder: holder).map(EquipmentJSON.init)])
    }

    func equipmentCSV(_ request: Request, context: AulaContext) async throws -> Response {
        var csv = "id,kind,number,serial,condition,holder,last_change,last_change_by\r\n"
        for item in try await guards.equipment() {
            let last = item.history.last
            csv += [String(item.id), item.kind, item.number, item.serial, item.condition.rawValue, item.holder,
                    last.map { RFC3339.format(micros: $0.atMicros) } ?? "", last?.by ?? ""].map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"aula-equipment.csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    /// A CSV field, quoted when needed, and never read as a formula by a spreadsheet.
    static func csvField(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        guard v.contains(where: { ",\"\r\n".contains($0) }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    func item(_ context: AulaContext) async throws -> EquipmentItem {
        let user = try context.user()
        guard let id = PathID.parse(context.parameters.get("id")), let item = try await guards.equipmentItem(id: id),
              user.role != .guard || item.holder == "guard:\(user.name)" else { throw ProblemDetails.notFound("no such item") }
        return item
    }

    func showEquipment(_ request: Request, context: AulaContext) async throws -> Response {
        try JSONResponse.make(EquipmentJSON(try await item(context)))
    }

    static func condition(_ body: inout JSONBody) -> EquipmentItem.Condition? {
        guard let text = body.text("condition", maxLength: 40) else { return nil }
        guard let condition = EquipmentItem.Condition(rawValue: text) else {
            body.fail("condition", "must be one of \(EquipmentItem.Condition.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return condition
    }

    func addEquipment(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["kind", "number", "serial", "condition"])
        body.require("kind", "number")
        let kind = body.text("kind", maxLength: 100)
        let number = body.text("number", maxLength: 100)
        let serial = body.text("serial", maxLength: 200) ?? ""
        let condition = Self.condition(&body) ?? .good
        if let number, number.trimmingCharacters(in: .whitespaces).isEmpty { body.fail("number", "must not be empty") }
        if let kind, kind.trimmingCharacters(in: .whitespaces).isEmpty { body.fail("kind", "must not be empty") }
        try body.check()
        guard let kind, let number else { throw ProblemDetails.validation([]) }
        guard let item = try await guards.addEquipment(EquipmentItem(kind: kind, number: number, serial: serial, condition: condition), by: user.name) else {
            throw ProblemDetails(status: .conflict, detail: "inventory number \(number.prefix(100)) is in the ledger already")
        }
        context.auditNote.set("\(kind) \(number)")
        return try JSONResponse.make(EquipmentJSON(item), status: .created)
    }

    /// `guard:NAME` of a guard, `post:ID` of a post, or `store`.
    func holder(_ text: String) async throws -> String? {
        if text == "store" { return text }
        if text.hasPrefix("guard:") {
            let name = String(text.dropFirst(6))
            return try await catalog.user(named: name)?.role == .guard ? text : nil
        }
        if text.hasPrefix("post:"), let id = PathID.parse(String(text.dropFirst(5))), try await guards.post(id: id) != nil { return "post:\(id)" }
        return nil
    }

    func issueEquipment(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let item = try await item(context)
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["to", "note"])
        body.require("to")
        let to = body.text("to", maxLength: 300)
        let note = body.text("note", maxLength: 2000) ?? ""
        try body.check()
        guard let to, let holder = try await holder(to) else {
            throw ProblemDetails.validation([FieldError(field: "to", message: "must be guard:NAME of a guard, post:ID of a post, or store")])
        }
        guard item.holder == "store" || holder == "store" else {
            throw ProblemDetails(status: .conflict, detail: "\(item.kind) \(item.number) is held by \(item.holder): return it first")
        }
        guard let changed = try await guards.changeEquipment(id: item.id, action: holder == "store" ? "returned" : "issued", holder: holder, condition: nil, note: note, by: user.name) else {
            throw ProblemDetails.notFound("no such item")
        }
        context.auditNote.set("\(item.kind) \(item.number) to \(holder)")
        return try JSONResponse.make(EquipmentJSON(changed))
    }

    func returnEquipment(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let item = try await item(context)
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["condition", "note"])
        let condition = Self.condition(&body)
        let note = body.text("note", maxLength: 2000) ?? ""
        try body.check()
        guard item.holder != "store" else { throw ProblemDetails(status: .conflict, detail: "\(item.kind) \(item.number) is in the store already") }
        guard let changed = try await guards.changeEquipment(id: item.id, action: "returned", holder: "store", condition: condition, note: note, by: user.name) else {
            throw ProblemDetails.notFound("no such item")
        }
        context.auditNote.set("\(item.kind) \(item.number) from \(item.holder)")
        return try JSONResponse.make(EquipmentJSON(changed))
    }

    func noteEquipment(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let item = try await item(context)
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["condition", "note"])
        body.require("condition")
        let condition = Self.condition(&body)
        let note = body.text("note", maxLength: 2000) ?? ""
        try body.check()
        guard let changed = try await guards.changeEquipment(id: item.id, action: "condition", holder: nil, condition: condition, note: note, by: user.name) else {
            throw ProblemDetails.notFound("no such item")
        }
        context.auditNote.set("\(item.kind) \(item.number): \(changed.condition.rawValue)")
        return try JSONResponse.make(EquipmentJSON(changed))
    }

    // MARK: Incidents

    /// Whether `user` sees the incident: a guard only theirs; others only those of cameras they may see.
    func may(_ user: User, see incident: Incident, cameras: [Int64: Camera]) -> Bool {
        if user.role == .guard {
            return incident.guardName == user.name || incident.createdBy == user.name || incident.steps.contains { $0.guardName == user.name }
        }
        guard user.role != .administrator, let id = incident.cameraID, let camera = cameras[id] else { return true }
        return user.may(.metadata, camera)
    }

    func cameraIndex() async throws -> [Int64: Camera] {
        Dictionary(try await catalog.cameras().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func listIncidents(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var query = QueryFields(request)
        let state = query.string("state", maxLength: 20) ?? "all"
        if !["open", "all"].contains(state) { query.fail("state", "must be open or all") }
        try query.check()
        let (start, end) = try Self.window(request, defaultBack: 31 * 86_400_000_000, defaultAhead: 86_400_000_000)
        let cameras = try await cameraIndex()
        let incidents = try await guards.incidents(openOnly: state == "open", from: start, to: end, limit: 2000).filter { may(user, see: $0, cameras: cameras) }
        return try JSONResponse.make(["incidents": incidents.map { IncidentJSON($0) }])
    }

    func visibleIncident(_ context: AulaContext) async throws -> Incident {
        let user = try context.user()
        guard let id = PathID.parse(context.parameters.get("id")), let incident = try await guards.incident(id: id),
              may(user, see: incident, cameras: try await cameraIndex()) else { throw ProblemDetails.notFound("no such incident") }
        return incident
    }

    func showIncident(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let incident = try await visibleIncident(context)
        var route: [[Double]]?
        if let holder = incident.guardName, incident.state.holdsGuard, user.role != .guard || holder == user.name,
           let position = try await guards.duty(of: holder)?.position, let city = try await guards.routingCity() {
            let from = city.projection.project(GeoCoordinate(latitude: position.latitude, longitude: position.longitude))
            let to = city.projection.project(GeoCoordinate(latitude: incident.latitude, longitude: incident.longitude))
            route = city.graph.route(from: from, to: to)?.line.map {
                let g = city.projection.unproject($0)
                return [(g.latitude * 1e7).rounded() / 1e7, (g.longitude * 1e7).rounded() / 1e7]
            }
        }
        return try JSONResponse.make(IncidentJSON(incident, route: route))
    }

    /// The client's `Idempotency-Key`, scoped to the user: a request sent again (a phone back
    /// online) is taken once.
    static func idempotencyKey(_ request: Request, user: User) throws -> String? {
        guard let key = request.headers[values: .init("Idempotency-Key")!].first else { return nil }
        guard !key.isEmpty, key.utf8.count <= 200 else {
            throw ProblemDetails.validation([FieldError(field: "Idempotency-Key", message: "must be 1 to 200 bytes")])
        }
        return "\(user.name):\(key)"
    }

    func createIncident(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let key = try Self.idempotencyKey(request, user: user)
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["cameraId", "alertId", "latitude", "longitude", "summary"])
        let cameraID = body.id("cameraId")
        let alertID = body.id("alertId")
        let latitude = body.number("latitude", within: -90...90)
        let longitude = body.number("longitude", within: -180...180)
        let summary = body.text("summary", maxLength: 2000) ?? ""
        if !body.has("cameraId") && !(body.has("latitude") && body.has("longitude")) {
            body.fail("cameraId", "is required, or latitude and longitude")
        }
        try body.check()
        var place = (latitude: latitude ?? 0, longitude: longitude ?? 0, district: "")
        var camera: Camera?
        if let cameraID {
            guard let found = try await catalog.camera(id: cameraID), user.may(.metadata, found) else {
                throw ProblemDetails.validation([FieldError(field: "cameraId", message: "no camera \(cameraID)")])
            }
            camera = found
            if latitude == nil || longitude == nil { place = (found.latitude, found.longitude, found.district) } else { place.district = found.district }
        }
        if let alertID, try await catalog.alert(id: alertID) == nil {
            throw ProblemDetails.validation([FieldError(field: "alertId", message: "no alert \(alertID)")])
        }
        let post = try await guards.posts().first { post in cameraID.map { post.cameras.contains($0) } ?? false }?.id
        let text = summary.isEmpty ? (camera.map { "at \($0.name)" } ?? "on the map") : summary
        let incident = Incident(source: .operator, cameraID: cameraID, alertID: alertID, latitude: place.latitude, longitude: place.longitude,
                                district: place.district, post: post, summary: text, createdMicros: GuardService.nowMicros(), createdBy: user.name)
        let (stored, created) = try await guards.create(incident, key: key)
        return try JSONResponse.make(IncidentJSON(stored), status: created ? .created : .ok)
    }

    func step(_ action: IncidentAction, _ request: Request, _ context: AulaContext) async throws -> Response {
        let user = try context.user()
        let key = try Self.idempotencyKey(request, user: user)
        let incident = try await visibleIncident(context)
        var note: String?
        if request.headers[.contentLength].map({ $0 != "0" }) ?? (request.headers[.transferEncoding] != nil) {
            var body = try await JSONBody.read(request, limit: 64 << 10)
            body.rejectUnknown(["note"])
            note = body.text("note", maxLength: 4000)
            try body.check()
        }
        do {
            guard let changed = try await guards.act(id: incident.id, action, by: user.name, asGuard: user.role == .guard, key: key, note: note) else {
                throw ProblemDetails.notFound("no such incident")
            }
            context.auditNote.set("incident \(incident.id) \(changed.state.rawValue)\(note.map { ": \($0.prefix(200))" } ?? "")")
            return try JSONResponse.make(IncidentJSON(changed))
        } catch let refusal as IncidentRefusal {
            throw Self.problem(refusal)
        }
    }

    static func problem(_ refusal: IncidentRefusal) -> ProblemDetails {
        switch refusal.kind {
        case .notFound: ProblemDetails.notFound(refusal.description)
        case .conflict: ProblemDetails(status: .conflict, detail: refusal.description)
        case .invalid: ProblemDetails(status: .unprocessableContent, detail: refusal.description)
        }
    }

    func dispatch(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let incident = try await visibleIncident(context)
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["guardName"])
        body.require("guardName")
        let guardName = body.text("guardName", maxLength: 200)
        try body.check()
        guard let guardName else { throw ProblemDetails.validation([]) }
        do {
            guard let changed = try await guards.dispatch(id: incident.id, to: guardName, by: user.name) else { throw ProblemDetails.notFound("no such incident") }
            context.auditNote.set("incident \(incident.id) to \(guardName)")
            return try JSONResponse.make(IncidentJSON(changed))
        } catch let refusal as IncidentRefusal {
            if refusal.kind == .invalid { throw ProblemDetails.validation([FieldError(field: "guardName", message: refusal.description)]) }
            throw Self.problem(refusal)
        }
    }

    func registerOffence(_ request: Request, context: AulaContext) async throws -> Response {
        let incident = try await visibleIncident(context)
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["type", "status"])
        body.require("type")
        let type = body.text("type", maxLength: 100)?.lowercased()
        if let type, !OffenceTypeList.standard.contains(type) {
            body.fail("type", "must be one of: \(OffenceTypeList.standard.types.joined(separator: ", "))")
        }
        var status = OffenceStatus.registered
        if let text = body.text("status", maxLength: 20) {
            if let s = OffenceStatus(rawValue: text) { status = s } else { body.fail("status", "must be registered or solved") }
        }
        try body.check()
        guard let type else { throw ProblemDetails.validation([]) }
        do {
            let offence = try await guards.registerOffence(incidentID: incident.id, type: type, status: status)
            context.auditNote.set("incident \(incident.id) as \(offence.id) (\(type))")
            return try JSONResponse.make(["offenceId": offence.id, "type": type, "status": status.rawValue], status: .created)
        } catch let refusal as IncidentRefusal {
            throw Self.problem(refusal)
        }
    }

    func panic(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let key = try Self.idempotencyKey(request, user: user)
        var body = try await JSONBody.read(request, limit: 16 << 10)
        body.rejectUnknown(["latitude", "longitude"])
        var latitude = body.number("latitude", within: -90...90)
        var longitude = body.number("longitude", within: -180...180)
        try body.check()
        if latitude == nil || longitude == nil, let position = try await guards.duty(of: user.name)?.position {
            latitude = position.latitude
            longitude = position.longitude
        }
        guard let latitude, let longitude else {
            throw ProblemDetails.validation([FieldError(field: "latitude", message: "is required when the phone has not reported a position")])
        }
        let incident = try await guards.panic(guardName: user.name, latitude: latitude, longitude: longitude, key: key)
        return try JSONResponse.make(IncidentJSON(incident), status: .created)
    }

    // MARK: Figures

    func responseFigures(_ request: Request) async throws -> ResponseFigures {
        var query = QueryFields(request)
        let by = query.string("by", maxLength: 20) ?? "all"
        if !["all", "district", "post", "guard", "shift"].contains(by) { query.fail("by", "must be all, district, post, guard or shift") }
        try query.check()
        let (start, end) = try Self.window(request, defaultBack: 31 * 86_400_000_000, defaultAhead: 86_400_000_000)
        let incidents = try await guards.incidents(openOnly: false, from: start, to: end, limit: 100_000)
        let posts = Dictionary(try await guards.posts().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let shifts = by == "shift" ? try await guards.shifts(from: start, to: end) : []
        return ResponseFigures.make(incidents, by: by, postNames: posts) { incident in
            guard let guardName = incident.steps.last(where: { $0.action == "accepted" })?.by,
                  let shift = shifts.first(where: { $0.guardName == guardName && $0.startMicros <= incident.createdMicros && incident.createdMicros < $0.endMicros }) else { return nil }
            return "\(guardName) \(RFC3339.format(micros: shift.startMicros))"
        }
    }

    func figures(_ request: Request, context: AulaContext) async throws -> Response {
        try JSONResponse.make(try await responseFigures(request))
    }

    func figuresCSV(_ request: Request, context: AulaContext) async throws -> Response {
        let figures = try await responseFigures(request)
        func show(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "" }
        var csv = "\(figures.by),incidents,cleared,accept_median_s,accept_p90_s,arrive_median_s,arrive_p90_s,on_scene_median_s,on_scene_p90_s\r\n"
        for g in figures.groups {
            csv += [g.key, String(g.incidents), String(g.cleared), show(g.toAccept.median), show(g.toAccept.p90), show(g.toArrive.median),
                    show(g.toArrive.p90), show(g.onScene.median), show(g.onScene.p90)].map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"aula-response-figures.csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: csv)))
    }
}
