import APIInput
import Alerts
import Catalog

/// An alert as the API and the alert stream show it.
struct AlertJSON: Encodable, Sendable {
    var id: Int64
    var kind: String
    var cameraId: Int64?
    var cameraName: String?
    var zone: String?
    var eventId: Int64?
    var thumbnail: String?
    var message: String
    var time: String
    /// `open` or `acknowledged`.
    var state: String
    var escalated: Bool
    var escalatedAt: String?
    var acknowledgedBy: String?
    var acknowledgedAt: String?

    init(_ notice: AlertNotice) { self.init(notice.alert, cameraName: notice.cameraName) }

    init(_ alert: StoredAlert, cameraName: String?) {
        id = alert.id
        kind = alert.kind.rawValue
        cameraId = alert.cameraID
        self.cameraName = cameraName
        zone = alert.zone
        eventId = alert.eventID
        thumbnail = alert.eventID.map { "/api/events/\($0)/thumbnail.jpg" }
        message = alert.message
        time = RFC3339.format(micros: alert.raisedMicros)
        state = alert.isOpen ? "open" : "acknowledged"
        escalated = alert.escalatedMicros != nil
        escalatedAt = alert.escalatedMicros.map(RFC3339.format(micros:))
        acknowledgedBy = alert.acknowledgedBy
        acknowledgedAt = alert.acknowledgedMicros.map(RFC3339.format(micros:))
    }
}
