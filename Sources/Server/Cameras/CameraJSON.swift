import APIInput
import Catalog
import Foundation
import Media
import Recorder

/// A camera as the API returns it: never the password, and with live status.
struct CameraResponse: Encodable {
    struct Location: Encodable { var lat: Double; var lon: Double }
    var id: Int64
    var name: String
    /// Only for administrators and operators, and then without credentials in its query string;
    /// guards and analysts get neither the address nor the account of a camera.
    var rtspUrl: String?
    var username: String?
    var hasPassword: Bool
    var location: Location
    var heading: Double
    var fieldOfView: Double
    var range: Double
    var mountingHeight: Double
    var address: String
    var site: SiteKind
    var district: String
    var createdAt: String
    var updatedAt: String
    var status: StatusResponse?
    /// The camera's second stream, with its own live status; nil when it has none.
    var subStream: SubStreamResponse?
    var recording: RecordingStatusResponse?
    /// In a cluster, the node that holds the camera's lease (records it); nil while no node does,
    /// and on one node alone (docs/cluster.md).
    var node: String?

    init(_ c: Camera, status: CameraStatus?, subStatus: CameraStatus? = nil, recording: RecordingStatusResponse? = nil, viewer: Role?, node: String? = nil) {
        self.recording = recording
        self.node = node
        id = c.id
        name = c.name
        (rtspUrl, username) = Self.address(c.rtspURL, username: c.username, viewer: viewer)
        hasPassword = !(c.password ?? "").isEmpty
        location = Location(lat: c.latitude, lon: c.longitude)
        heading = c.heading
        fieldOfView = c.fieldOfView
        range = c.range
        mountingHeight = c.mountingHeight
        address = c.address
        site = c.site
        district = c.district
        createdAt = RFC3339.format(micros: c.createdAt)
        updatedAt = RFC3339.format(micros: c.updatedAt)
        self.status = status.map(StatusResponse.init)
        subStream = c.subStream.map { SubStreamResponse($0, status: subStatus, viewer: viewer) }
    }
}

/// A camera's sub stream as the API returns it: the same rules for its address and account as the
/// main stream's, never its password.
struct SubStreamResponse: Encodable {
    var rtspUrl: String?
    var username: String?
    /// Whether it logs in with an account of its own (otherwise with the camera's).
    var hasPassword: Bool
    /// Recorded beside the main stream, kept `maxAgeDays` (nil: as long as the main stream).
    var record: Bool
    var maxAgeDays: Int?
    var status: StatusResponse?

    init(_ sub: CameraStream, status: CameraStatus?, viewer: Role?) {
        (rtspUrl, username) = CameraResponse.address(sub.rtspURL, username: sub.username, viewer: viewer)
        hasPassword = !(sub.password ?? "").isEmpty
        record = sub.record
        maxAgeDays = sub.maxAgeDays
        self.status = status.map(StatusResponse.init)
    }
}

extension CameraResponse {
    /// A stream's address and account as `viewer` may see them: all of it for administrators,
    /// without credentials in the query string for operators, nothing for anyone else.
    static func address(_ url: String, username: String?, viewer: Role?) -> (String?, String?) {
        switch viewer {
        case .administrator?: (url, username)
        case .operator?: (RTSPURL.redactingQueryCredentials(url), username)
        default: (nil, nil)
        }
    }
}

/// ``CameraStatus`` with times as RFC 3339 strings.
struct StatusResponse: Encodable {
    var state: IngestState
    var codec: String?
    var width: Int?
    var height: Int?
    var profile: String?
    var fps: Double?
    var bitrate: Int?
    var framesReceived: Int
    var keyFrames: Int
    var gaps: Int
    var lostPackets: Int
    var droppedFrames: Int
    var lastFrameTime: String?
    var lastError: String?
    var lastErrorTime: String?
    var connections: Int
    var nextRetryTime: String?

    init(_ s: CameraStatus) {
        state = s.state
        codec = s.codec
        width = s.width
        height = s.height
        profile = s.profile
        fps = s.fps
        bitrate = s.bitrate
        framesReceived = s.framesReceived
        keyFrames = s.keyFrames
        gaps = s.gaps
        lostPackets = s.lostPackets
        droppedFrames = s.droppedFrames
        lastFrameTime = s.lastFrameTime.map(RFC3339.format(micros:))
        lastError = s.lastError
        lastErrorTime = s.lastErrorTime.map(RFC3339.format(micros:))
        connections = s.connections
        nextRetryTime = s.nextRetryTime.map(RFC3339.format(micros:))
    }
}

extension Camera {
    /// Applies the fields present in `body` (all of them for POST, any subset for PATCH),
    /// collecting type errors in `body.errors`.
    mutating func apply(_ body: inout JSONBody) {
        if case .some(.some(let v)) = body.string("name") { name = v }
        if case .some(.some(let v)) = body.string("rtspUrl") {
            (rtspURL, username, password) = Self.splittingCredentials(v, username: username, password: password)
        }
        if case .some(let v) = body.string("username", allowNull: true) { username = v.flatMap { $0.isEmpty ? nil : $0 } }
        if case .some(let v) = body.string("password", allowNull: true) { password = v.flatMap { $0.isEmpty ? nil : $0 } }
        _ = body.nested("location") { location in
            location.require("lat", "lon")
            if let lat = location.number("lat") { latitude = lat }
            if let lon = location.number("lon") { longitude = lon }
        }
        if let v = body.number("heading") { heading = v }
        if let v = body.number("fieldOfView") { fieldOfView = v }
        if let v = body.number("range") { range = v }
        if let v = body.number("mountingHeight") { mountingHeight = v }
        if case .some(.some(let v)) = body.string("address") { address = v }
        if case .some(.some(let v)) = body.string("district") { district = v }
        if case .some(.some(let v)) = body.string("site") {
            if let kind = SiteKind(rawValue: v) { site = kind } else {
                body.errors.append(FieldError(field: "site", message: "must be one of: \(SiteKind.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        applySubStream(&body)
        let known: Set<String> = ["name", "rtspUrl", "username", "password", "subStream", "location", "heading", "fieldOfView", "range", "mountingHeight", "address", "district", "site"]
        for key in body.object.keys.sorted() where !known.contains(key) && !["id", "status", "hasPassword", "createdAt", "updatedAt"].contains(key) {
            body.errors.append(FieldError(field: key, message: "is not a camera field"))
        }
    }
}

extension Camera {
    /// An address as given, with credentials written into it moved to their own fields, so that
    /// they are never echoed back; without credentials in it, the account stays as it was.
    static func splittingCredentials(_ url: String, username: String?, password: String?) -> (String, String?, String?) {
        if let parsed = RTSPURL(url), parsed.username != nil { return (parsed.withoutCredentials, parsed.username, parsed.password) }
        return (url, username, password)
    }

    /// `subStream`: an object (`rtspUrl`, optional `username` and `password`, `record` and its
    /// `maxAgeDays`) adds or changes the
    /// sub stream (PATCH changes only the members given), null removes it. Credentials written
    /// into its URL move to their own fields, as for the main stream's.
    mutating func applySubStream(_ body: inout JSONBody) {
        guard body.has("subStream") else { return }
        if case .null? = body.object["subStream"] {
            subStream = nil
            return
        }
        let existing = subStream
        let sub = body.nested("subStream") { fields -> CameraStream? in
            var sub = existing ?? CameraStream(rtspURL: "")
            if case .some(.some(let v)) = fields.string("rtspUrl") {
                (sub.rtspURL, sub.username, sub.password) = Camera.splittingCredentials(v, username: sub.username, password: sub.password)
            } else if existing == nil {
                fields.require("rtspUrl")
            }
            if case .some(let v) = fields.string("username", allowNull: true) { sub.username = v.flatMap { $0.isEmpty ? nil : $0 } }
            if case .some(let v) = fields.string("password", allowNull: true) { sub.password = v.flatMap { $0.isEmpty ? nil : $0 } }
            if let record = fields.bool("record") { sub.record = record }
            if case .null? = fields.object["maxAgeDays"] {
                sub.maxAgeDays = nil
            } else if fields.has("maxAgeDays") {
                sub.maxAgeDays = fields.integer("maxAgeDays", in: 1...36_500)
            }
            for key in fields.object.keys.sorted() where !["rtspUrl", "username", "password", "record", "maxAgeDays", "status", "hasPassword"].contains(key) {
                fields.fail(String(key.prefix(100)), "is not a field of a sub stream")
            }
            return sub
        }
        if let sub { subStream = sub }
    }
}
