import APIInput
import Foundation
import Hummingbird
import Guards

/// An incident as the API shows it: times as RFC 3339, the offer's time left, the route.
struct IncidentJSON: Encodable, Sendable {
    struct StepJSON: Encodable, Sendable {
        var action: String
        var state: String
        var time: String
        var by: String
        var guardName: String?
        var note: String?
    }

    var id: Int64
    var source: String
    var cameraId: Int64?
    var alertId: Int64?
    var latitude: Double
    var longitude: Double
    var district: String
    var post: Int64?
    var summary: String
    var state: String
    /// The guard offered the incident (state `offered`) or holding it.
    var offeredTo: String?
    var guardName: String?
    var offerExpires: String?
    var distanceMetres: Double?
    var routed: Bool
    var passedBy: [String]
    var escalated: Bool
    var report: String?
    var created: String
    var createdBy: String
    var steps: [StepJSON]
    /// Seconds from creation to acceptance, acceptance to arrival, arrival to cleared.
    var toAccept: Double?
    var toArrive: Double?
    var onScene: Double?
    /// The way from the guard's last position to the place, when routed (latitude, longitude pairs).
    var route: [[Double]]?

    init(_ i: Incident, route: [[Double]]? = nil) {
        id = i.id
        source = i.source.rawValue
        cameraId = i.cameraID
        alertId = i.alertID
        latitude = i.latitude
        longitude = i.longitude
        district = i.district
        post = i.post
        summary = i.summary
        state = i.state.rawValue
        offeredTo = i.state == .offered ? i.guardName : nil
        guardName = i.guardName
        offerExpires = i.offerExpiresMicros.map(RFC3339.format(micros:))
        distanceMetres = i.distanceMetres.map { ($0 * 10).rounded() / 10 }
        routed = i.routed
        passedBy = i.passedBy
        escalated = i.escalated
        report = i.report
        created = RFC3339.format(micros: i.createdMicros)
        createdBy = i.createdBy
        steps = i.steps.map { StepJSON(action: $0.action, state: $0.state.rawValue, time: RFC3339.format(micros: $0.atMicros), by: $0.by, guardName: $0.guardName, note: $0.note) }
        func seconds(_ from: Int64?, _ to: Int64?) -> Double? {
            guard let from, let to, to >= from else { return nil }
            return Double(to - from) / 1e6
        }
        toAccept = seconds(i.createdMicros, i.time(of: .accepted))
        toArrive = seconds(i.time(of: .accepted), i.time(of: .onScene))
        onScene = seconds(i.time(of: .onScene), i.time(of: .cleared))
        self.route = route
    }
}

struct DutyJSON: Encodable, Sendable {
    var guardName: String
    var onDuty: Bool
    var since: String
    var post: Int64?
    var latitude: Double?
    var longitude: Double?
    var accuracy: Double?
    var positionTime: String?

    init(_ d: Duty) {
        guardName = d.guardName
        onDuty = d.onDuty
        since = RFC3339.format(micros: d.sinceMicros)
        post = d.post
        latitude = d.position?.latitude
        longitude = d.position?.longitude
        accuracy = d.position?.accuracy
        positionTime = d.position.map { RFC3339.format(micros: $0.atMicros) }
    }
}

extension DutyJSON {
    /// The answer to a phone's report: the object `JSONEncoder` makes of it (sorted keys, absent
    /// values left out), written directly, since at 500 phones it is made 100 times a second and
    /// the encoder cost more than the rest of the handler.
    var response: Response {
        var out = "{"
        func field(_ key: String, _ value: String) {
            if out.utf8.count > 1 { out += "," }
            out += "\"" + key + "\":" + value
        }
        if let accuracy { field("accuracy", "\(accuracy)") }
        field("guardName", Self.quoted(guardName))
        if let latitude { field("latitude", "\(latitude)") }
        if let longitude { field("longitude", "\(longitude)") }
        field("onDuty", onDuty ? "true" : "false")
        if let positionTime { field("positionTime", Self.quoted(positionTime)) }
        if let post { field("post", String(post)) }
        field("since", Self.quoted(since))
        out += "}"
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: out)))
    }

    /// A JSON string (RFC 8259: quote, backslash and control characters escaped).
    static func quoted(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }) else { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

struct ShiftJSON: Encodable, Sendable {
    var id: Int64
    var post: Int64
    var guardName: String
    var start: String
    var end: String

    init(_ s: Shift) {
        id = s.id
        post = s.post
        guardName = s.guardName
        start = RFC3339.format(micros: s.startMicros)
        end = RFC3339.format(micros: s.endMicros)
    }
}

struct EquipmentJSON: Encodable, Sendable {
    struct EventJSON: Encodable, Sendable {
        var action: String
        var time: String
        var by: String
        var holder: String
        var condition: String
        var note: String
    }

    var id: Int64
    var kind: String
    var number: String
    var serial: String
    var condition: String
    var holder: String
    var history: [EventJSON]

    init(_ item: EquipmentItem) {
        id = item.id
        kind = item.kind
        number = item.number
        serial = item.serial
        condition = item.condition.rawValue
        holder = item.holder
        history = item.history.map {
            EventJSON(action: $0.action, time: RFC3339.format(micros: $0.atMicros), by: $0.by, holder: $0.holder, condition: $0.condition.rawValue, note: $0.note)
        }
    }
}
