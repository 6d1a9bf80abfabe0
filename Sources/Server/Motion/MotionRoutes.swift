import Analytics
import Catalog
import Foundation
import Hummingbird
import Motion

/// `GET|PUT /api/cameras/{id}/motion`: a camera's motion settings, zones and schedules.
///
/// Body (PUT; every part optional, settings may be partial):
/// `{"enabled": true, "settings": {"sensitivity": 60}, "zones": [{"name": "entrance", "kind": "alert",
///   "polygon": {"points": [{"x": 0.1, "y": 0.5}, …]}, "schedule": "22:00-06:00"}],
///   "timeZone": "Asia/Almaty"}`.
/// Schedules are read in `timeZone` (an IANA name; absent or null: the server's `--time-zone`).
/// Invalid input is a 422 problem naming the field (`zones[1].polygon.points[1].x`, `timeZone`).
/// A change replaces the camera's analyzer at once.
struct MotionRoutes: Sendable {
    let catalog: AulaCatalog
    let sink: MotionSink
    /// The zone of schedules for cameras whose settings name none.
    let defaultTimeZone: TimeZone
    let privacy: PrivacyZones

    func register(on routes: Routes<AulaContext>) {
        routes.get("api/cameras/:id/motion", .roles(.operator, camera: .metadata), "A camera's motion settings, zones and schedules", use: show)
        routes.put("api/cameras/:id/motion", .roles(audit: "camera.motion"), APIDoc("Set a camera's motion settings, zones and schedules", body: .object(["enabled": .boolean, "timeZone": .string, "settings": .object(["sensitivity": .number, "minimumObjectArea": .number, "minimumDuration": .number, "endAfter": .number, "analysisFPS": .number, "analysisWidth": .integer, "backgroundAdaptation": .number, "decoding": .string]), "zones": .array(.object(["name": .string, "kind": .string, "schedule": .string, "polygon": .object(["points": .array(.object(["x": .number, "y": .number]))])]))])), use: update)
    }

    func show(_ request: Request, context: AulaContext) async throws -> Response {
        let camera = try await CameraID.existing(context.parameters.get("id"), in: catalog)
        let stored = try await catalog.cameraMotion(camera: camera.id)
        return try JSONResponse.make(MotionBody(cameraId: camera.id, stored: stored ?? CameraMotion(enabled: false, configuration: try MotionConfiguration()),
                                                defaultTimeZone: defaultTimeZone, analysis: sink.counters()[camera.id]))
    }

    func update(_ request: Request, context: AulaContext) async throws -> Response {
        let camera = try await CameraID.existing(context.parameters.get("id"), in: catalog)
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 1 << 20) } catch {
            throw ProblemDetails(status: .contentTooLarge, detail: "the request body is larger than 1 MiB")
        }
        let stored = try Self.parse(Data(buffer.readableBytesView))
        try await catalog.setCameraMotion(stored, camera: camera.id)
        let zone = stored.scheduleTimeZone(default: defaultTimeZone)
        sink.configure(camera: camera.id, stored.enabled ? stored.configuration : nil, timeZone: zone)
        // Privacy zones mask live view, playback and exports whether analysis is on or off.
        privacy.set(camera: camera.id, zones: stored.configuration.zones)
        let zones = stored.configuration.zones
        context.auditNote.set("camera \(camera.id): \(stored.enabled ? "enabled" : "disabled"), \(zones.count) zones (\(zones.map { "\($0.kind.rawValue) \($0.name)" }.joined(separator: ", "))), schedules in \(zone.identifier)")
        return try JSONResponse.make(MotionBody(cameraId: camera.id, stored: stored, defaultTimeZone: defaultTimeZone, analysis: sink.counters()[camera.id]))
    }

    static let settingNames: Set<String> = ["sensitivity", "minimumObjectArea", "minimumDuration", "endAfter", "analysisFPS", "analysisWidth", "backgroundAdaptation", "decoding"]

    /// Parses and validates a PUT body; a 400/422 problem naming the field otherwise.
    static func parse(_ data: Data) throws -> CameraMotion {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) else {
            throw ProblemDetails(status: .badRequest, type: "/docs/api.md#json", title: "Malformed JSON", detail: "the request body is not valid JSON", errors: [FieldError(field: "body", message: "is not valid JSON")])
        }
        guard let body = object as? [String: Any] else { throw ProblemDetails.validation([FieldError(field: "body", message: "must be a JSON object")]) }
        var errors: [FieldError] = []
        for key in body.keys.sorted() where !["enabled", "settings", "zones", "timeZone"].contains(key) { errors.append(FieldError(field: key, message: "is not a motion field")) }
        var enabled = true
        if let value = body["enabled"] {
            if let b = value as? Bool { enabled = b } else { errors.append(FieldError(field: "enabled", message: "must be true or false")) }
        }
        var timeZone: String?
        if let value = body["timeZone"], !(value is NSNull) {
            if let name = value as? String {
                if ScheduleTimeZone.named(name) != nil { timeZone = name } else { errors.append(FieldError(field: "timeZone", message: ScheduleTimeZone.problem(name))) }
            } else { errors.append(FieldError(field: "timeZone", message: "must be an IANA time zone name (a string) or null")) }
        }
        // Settings: the defaults, overlaid with what the client sent.
        var settings = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(MotionSettings()))) as? [String: Any] ?? [:]
        if let value = body["settings"] {
            if let given = value as? [String: Any] {
                for (key, v) in given {
                    if settingNames.contains(key) { settings[key] = v } else { errors.append(FieldError(field: "settings.\(key)", message: "is not a motion setting")) }
                }
            } else { errors.append(FieldError(field: "settings", message: "must be an object")) }
        }
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        let document: [String: Any] = ["settings": settings, "zones": body["zones"] ?? []]
        do {
            let configuration = try JSONDecoder().decode(MotionConfiguration.self, from: JSONSerialization.data(withJSONObject: document))
            return CameraMotion(enabled: enabled, configuration: configuration, timeZone: timeZone)
        } catch let error as MotionError {
            throw ProblemDetails.validation([FieldError(field: error.subject, message: error.reason)])
        } catch let error as DecodingError {
            throw ProblemDetails.validation([Self.fieldError(error)])
        }
    }

    static func fieldError(_ error: DecodingError) -> FieldError {
        func name(_ path: [any CodingKey]) -> String {
            var name = ""
            for key in path { if let i = key.intValue { name += "[\(i)]" } else { name += (name.isEmpty ? "" : ".") + key.stringValue } }
            return name.isEmpty ? "body" : name
        }
        switch error {
        case .keyNotFound(let key, let context): return FieldError(field: name(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context): return FieldError(field: name(context.codingPath), message: "must be \(Self.typeName(type))")
        case .valueNotFound(let type, let context): return FieldError(field: name(context.codingPath), message: "must be \(Self.typeName(type)), not null")
        case .dataCorrupted(let context): return FieldError(field: name(context.codingPath), message: context.debugDescription)
        @unknown default: return FieldError(field: "body", message: "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Int.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

/// The motion settings of a camera as the API shows them; schedules in their text form
/// (`"22:00-06:00"`) unless they name weekdays.
struct MotionBody: Encodable {
    var cameraId: Int64
    var enabled: Bool
    var settings: MotionSettings
    var zones: [ZoneBody]
    /// The zone named in the settings, null when they follow the server's default.
    var timeZone: String?
    /// The zone schedules are read in.
    var scheduleTimeZone: String
    var analysis: MotionSink.MotionCounters?

    enum CodingKeys: String, CodingKey { case cameraId, enabled, settings, zones, timeZone, scheduleTimeZone, analysis }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cameraId, forKey: .cameraId)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(settings, forKey: .settings)
        try c.encode(zones, forKey: .zones)
        try c.encode(timeZone, forKey: .timeZone)  // null, not absent: "the server's default"
        try c.encode(scheduleTimeZone, forKey: .scheduleTimeZone)
        try c.encodeIfPresent(analysis, forKey: .analysis)
    }

    struct ZoneBody: Encodable {
        var name: String
        var kind: Zone.Kind
        var polygon: ZonePolygon
        var schedule: Schedule
    }

    enum Schedule: Encodable {
        case text(String), windows(DailySchedule)
        func encode(to encoder: any Encoder) throws {
            switch self {
            case .text(let t): var c = encoder.singleValueContainer(); try c.encode(t)
            case .windows(let w): try w.encode(to: encoder)
            }
        }
    }

    init(cameraId: Int64, stored: CameraMotion, defaultTimeZone: TimeZone, analysis: MotionSink.MotionCounters?) {
        self.cameraId = cameraId
        enabled = stored.enabled
        timeZone = stored.timeZone
        scheduleTimeZone = stored.scheduleTimeZone(default: defaultTimeZone).identifier
        settings = stored.configuration.settings
        zones = stored.configuration.zones.map { ZoneBody(name: $0.name, kind: $0.kind, polygon: $0.polygon, schedule: $0.schedule.text.map(Schedule.text) ?? .windows($0.schedule)) }
        self.analysis = analysis
    }
}
