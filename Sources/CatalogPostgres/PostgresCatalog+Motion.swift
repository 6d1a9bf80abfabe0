import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog: MotionSettingsStore, MotionEventStore, AlertStore {
    // MARK: Configuration

    public func motionConfigurations() async throws -> [Int64: String] {
        var result: [Int64: String] = [:]
        for row in try await rows("SELECT camera_id, configuration FROM camera_motion") { result[try row.get("camera_id")] = try row.get("configuration") }
        return result
    }

    public func motionConfiguration(camera: Int64) async throws -> String? {
        try await row("SELECT configuration FROM camera_motion WHERE camera_id = \(camera)").map { try $0.get("configuration") }
    }

    public func setMotionConfiguration(_ json: String?, camera: Int64) async throws {
        if let json {
            try await run("""
                INSERT INTO camera_motion (camera_id, configuration, updated_at) VALUES (\(camera), \(json), \(nowMicros()))
                ON CONFLICT (camera_id) DO UPDATE SET configuration = excluded.configuration, updated_at = excluded.updated_at
                """)
        } else {
            try await run("DELETE FROM camera_motion WHERE camera_id = \(camera)")
        }
    }

    // MARK: Events

    public func insertMotionEvent(_ event: StoredMotionEvent, thumbnail: [UInt8]?) async throws -> Int64 {
        let row = try await row("""
            INSERT INTO motion_event (camera_id, zone, start_90k, confirmed_90k, end_90k, peak_score, box, thumbnail)
            VALUES (\(event.cameraID), \(event.zone), \(event.start90k), \(event.confirmed90k), \(event.end90k)::bigint, \(event.peakScore),
              \(Self.boxText(event.box)), \(thumbnail.map { Data($0) })::bytea)
            RETURNING id
            """)
        return try row?.get("id") ?? 0
    }

    public func finishMotionEvent(id: Int64, end90k: Int64, peakScore: Double, box: [Double]) async throws {
        try await run("UPDATE motion_event SET end_90k = \(end90k), peak_score = \(peakScore), box = \(Self.boxText(box)) WHERE id = \(id)")
    }

    public func motionEvents(cameras: [Int64]?, zone: String?, start90k: Int64, end90k: Int64, limit: Int) async throws -> [StoredMotionEvent] {
        if let cameras, cameras.isEmpty { return [] }
        return try await rows("""
            SELECT id, camera_id, zone, start_90k, confirmed_90k, end_90k, peak_score, box FROM motion_event
            WHERE start_90k < \(end90k) AND COALESCE(end_90k, start_90k) >= \(start90k)
              AND (\(zone)::text IS NULL OR zone = \(zone)::text)
              AND (\(cameras)::bigint[] IS NULL OR camera_id = ANY(\(cameras)::bigint[]))
            ORDER BY start_90k DESC, id DESC LIMIT \(Int64(limit))
            """).map(Self.event(row:))
    }

    /// Deletes a camera's finished events that end before `end90k` (open events stay), inside the
    /// caller's transaction. Alerts keep their record but no longer point at them.
    func deleteMotionEvents(camera: Int64, endingBefore end90k: Int64, on connection: PostgresConnection) async throws -> Int {
        try await run("""
            UPDATE alert SET event_id = NULL WHERE event_id IN
              (SELECT id FROM motion_event WHERE camera_id = \(camera) AND end_90k IS NOT NULL AND end_90k < \(end90k))
            """, on: connection)
        return try await execute("DELETE FROM motion_event WHERE camera_id = \(camera) AND end_90k IS NOT NULL AND end_90k < \(end90k)", on: connection)
    }

    public func motionEvent(id: Int64) async throws -> (event: StoredMotionEvent, thumbnail: [UInt8]?)? {
        guard let row = try await row("SELECT * FROM motion_event WHERE id = \(id)") else { return nil }
        return (try Self.event(row: row), try row.get("thumbnail", as: Data?.self).map { [UInt8]($0) })
    }

    static func event(row: PostgresRandomAccessRow) throws -> StoredMotionEvent {
        let text: String = try row.get("box")
        return StoredMotionEvent(id: try row.get("id"), cameraID: try row.get("camera_id"), zone: try row.get("zone"), start90k: try row.get("start_90k"),
                                 confirmed90k: try row.get("confirmed_90k"), end90k: try row.get("end_90k"), peakScore: try row.get("peak_score"),
                                 box: text.split(separator: ",").compactMap { Double($0) })
    }

    static func boxText(_ box: [Double]) -> String { box.map { String($0) }.joined(separator: ",") }

    // MARK: Alerts

    public func insertAlert(_ alert: StoredAlert) async throws -> StoredAlert {
        let row = try await row("""
            INSERT INTO alert (kind, camera_id, zone, event_id, message, raised_at, escalated_at, acknowledged_by, acknowledged_at)
            VALUES (\(alert.kind.rawValue), \(alert.cameraID)::bigint, \(alert.zone)::text, \(alert.eventID)::bigint, \(alert.message), \(alert.raisedMicros),
              \(alert.escalatedMicros)::bigint, \(alert.acknowledgedBy)::text, \(alert.acknowledgedMicros)::bigint)
            RETURNING id
            """)
        var saved = alert
        saved.id = try row?.get("id") ?? 0
        return saved
    }

    public func alerts(openOnly: Bool, limit: Int) async throws -> [StoredAlert] {
        try await rows("""
            SELECT * FROM alert WHERE (NOT \(openOnly) OR acknowledged_at IS NULL) ORDER BY id DESC LIMIT \(Int64(limit))
            """).map(Self.alert(row:))
    }

    public func alert(id: Int64) async throws -> StoredAlert? {
        try await row("SELECT * FROM alert WHERE id = \(id)").map(Self.alert(row:))
    }

    public func acknowledgeAlert(id: Int64, by user: String, atMicros: Int64) async throws -> StoredAlert? {
        try await transaction { connection in
            try await run("UPDATE alert SET acknowledged_by = \(user), acknowledged_at = \(atMicros) WHERE id = \(id) AND acknowledged_at IS NULL",
                          on: connection)
            return try await row("SELECT * FROM alert WHERE id = \(id)", on: connection).map(Self.alert(row:))
        }
    }

    /// One statement: among several nodes, each due alert escalates once, on the node whose
    /// update reached it first.
    public func escalateAlerts(raisedBefore beforeMicros: Int64, atMicros: Int64) async throws -> [StoredAlert] {
        let kinds = StoredAlert.Kind.allCases.filter(\.escalates).map(\.rawValue)
        return try await rows("""
            UPDATE alert SET escalated_at = \(atMicros)
            WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND raised_at <= \(beforeMicros) AND kind = ANY(\(kinds))
            RETURNING *
            """).map(Self.alert(row:)).sorted { $0.id < $1.id }
    }

    static func alert(row: PostgresRandomAccessRow) throws -> StoredAlert {
        StoredAlert(id: try row.get("id"), kind: StoredAlert.Kind(rawValue: try row.get("kind")) ?? .motion, cameraID: try row.get("camera_id"),
                    zone: try row.get("zone"), eventID: try row.get("event_id"), message: try row.get("message"), raisedMicros: try row.get("raised_at"),
                    escalatedMicros: try row.get("escalated_at"), acknowledgedBy: try row.get("acknowledged_by"),
                    acknowledgedMicros: try row.get("acknowledged_at"))
    }
}
