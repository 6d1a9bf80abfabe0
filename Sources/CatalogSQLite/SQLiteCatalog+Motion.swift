import Catalog
import Foundation
import GRDB

extension SQLiteCatalog: MotionSettingsStore, MotionEventStore, AlertStore {
    /// "v5-motion-events": per-camera motion configuration (JSON, validated by the server before it
    /// is stored), motion events with their thumbnails, and alerts.
    static func registerMotionMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-motion-events") { db in
            // Its own table, like retention: the camera row stays what the administrator registers.
            try db.create(table: "camera_motion") { t in
                t.primaryKey("camera_id", .integer)
                t.column("configuration", .text).notNull()
                t.column("updated_at", .integer).notNull()
            }
            // No foreign key to camera: events, like footage, outlive a deleted camera.
            try db.create(table: "motion_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("camera_id", .integer).notNull()
                t.column("zone", .text).notNull()
                t.column("start_90k", .integer).notNull()
                t.column("confirmed_90k", .integer).notNull()
                t.column("end_90k", .integer)
                t.column("peak_score", .double).notNull()
                t.column("box", .text).notNull()
                t.column("thumbnail", .blob)
            }
            try db.create(index: "motion_event_start", on: "motion_event", columns: ["start_90k"])
            try db.create(index: "motion_event_camera_start", on: "motion_event", columns: ["camera_id", "start_90k"])
            try db.create(table: "alert") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("camera_id", .integer)
                t.column("zone", .text)
                t.column("event_id", .integer)
                t.column("message", .text).notNull()
                t.column("raised_at", .integer).notNull()
                t.column("escalated_at", .integer)
                t.column("acknowledged_by", .text)
                t.column("acknowledged_at", .integer)
            }
            try db.create(index: "alert_open", on: "alert", columns: ["acknowledged_at", "id"])
        }
    }

    // MARK: Configuration

    /// Every camera's motion configuration (JSON text).
    public func motionConfigurations() async throws -> [Int64: String] {
        try await pool.read { db in
            var result: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT camera_id, configuration FROM camera_motion") { result[row["camera_id"]] = row["configuration"] }
            return result
        }
    }

    public func motionConfiguration(camera: Int64) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT configuration FROM camera_motion WHERE camera_id = ?", arguments: [camera]) }
    }

    /// Stores (or, with nil, removes) a camera's configuration.
    public func setMotionConfiguration(_ json: String?, camera: Int64) async throws {
        try await pool.write { db in
            if let json {
                try db.execute(sql: """
                    INSERT INTO camera_motion (camera_id, configuration, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(camera_id) DO UPDATE SET configuration = excluded.configuration, updated_at = excluded.updated_at
                    """, arguments: [camera, json, nowMicros()])
            } else {
                try db.execute(sql: "DELETE FROM camera_motion WHERE camera_id = ?", arguments: [camera])
            }
        }
    }

    // MARK: Events

    /// Inserts an event (open when `end90k` is nil) and returns its id.
    public func insertMotionEvent(_ event: StoredMotionEvent, thumbnail: [UInt8]?) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO motion_event (camera_id, zone, start_90k, confirmed_90k, end_90k, peak_score, box, thumbnail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [event.cameraID, event.zone, event.start90k, event.confirmed90k, event.end90k, event.peakScore,
                                 Self.boxText(event.box), thumbnail.map { Data($0) }])
            return db.lastInsertedRowID
        }
    }

    /// Closes an event with its final end, peak and box.
    public func finishMotionEvent(id: Int64, end90k: Int64, peakScore: Double, box: [Double]) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE motion_event SET end_90k = ?, peak_score = ?, box = ? WHERE id = ?",
                           arguments: [end90k, peakScore, Self.boxText(box), id])
        }
    }

    /// Events overlapping [start, end) (90 kHz since the epoch), newest first; `cameras` limits them
    /// to those cameras when given.
    public func motionEvents(cameras: [Int64]?, zone: String?, start90k: Int64, end90k: Int64, limit: Int) async throws -> [StoredMotionEvent] {
        try await pool.read { db in
            var sql = "SELECT id, camera_id, zone, start_90k, confirmed_90k, end_90k, peak_score, box FROM motion_event WHERE start_90k < ? AND COALESCE(end_90k, start_90k) >= ?"
            var arguments: [any DatabaseValueConvertible] = [end90k, start90k]
            if let zone { sql += " AND zone = ?"; arguments.append(zone) }
            if let cameras {
                guard !cameras.isEmpty else { return [] }
                sql += " AND camera_id IN (\(cameras.map { _ in "?" }.joined(separator: ",")))"
                arguments += cameras.map { $0 as any DatabaseValueConvertible }
            }
            sql += " ORDER BY start_90k DESC, id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.event(row:))
        }
    }

    /// Deletes a camera's finished events that end before `end90k` (open events stay: their end is
    /// not known yet). Alerts keep their record but no longer point at the deleted events.
    /// Runs inside the caller's transaction (retention, camera deletion).
    static func deleteMotionEvents(_ db: Database, camera: Int64, endingBefore end90k: Int64) throws -> Int {
        let doomed = "SELECT id FROM motion_event WHERE camera_id = ? AND end_90k IS NOT NULL AND end_90k < ?"
        try db.execute(sql: "UPDATE alert SET event_id = NULL WHERE event_id IN (\(doomed))", arguments: [camera, end90k])
        try db.execute(sql: "DELETE FROM motion_event WHERE id IN (\(doomed))", arguments: [camera, end90k])
        return db.changesCount
    }

    public func motionEvent(id: Int64) async throws -> (event: StoredMotionEvent, thumbnail: [UInt8]?)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM motion_event WHERE id = ?", arguments: [id]) else { return nil }
            let data: Data? = row["thumbnail"]
            return (Self.event(row: row), data.map { [UInt8]($0) })
        }
    }

    static func event(row: Row) -> StoredMotionEvent {
        let text: String = row["box"]
        return StoredMotionEvent(id: row["id"], cameraID: row["camera_id"], zone: row["zone"], start90k: row["start_90k"], confirmed90k: row["confirmed_90k"],
                                 end90k: row["end_90k"], peakScore: row["peak_score"], box: text.split(separator: ",").compactMap { Double($0) })
    }

    static func boxText(_ box: [Double]) -> String { box.map { String($0) }.joined(separator: ",") }

    // MARK: Alerts

    public func insertAlert(_ alert: StoredAlert) async throws -> StoredAlert {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO alert (kind, camera_id, zone, event_id, message, raised_at, escalated_at, acknowledged_by, acknowledged_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [alert.kind.rawValue, alert.cameraID, alert.zone, alert.eventID, alert.message, alert.raisedMicros,
                                 alert.escalatedMicros, alert.acknowledgedBy, alert.acknowledgedMicros])
            var saved = alert
            saved.id = db.lastInsertedRowID
            return saved
        }
    }

    /// Alerts, newest first; only unacknowledged ones when `openOnly`.
    public func alerts(openOnly: Bool, limit: Int) async throws -> [StoredAlert] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert \(openOnly ? "WHERE acknowledged_at IS NULL" : "") ORDER BY id DESC LIMIT ?",
                             arguments: [limit]).map(Self.alert(row:))
        }
    }

    public func alert(id: Int64) async throws -> StoredAlert? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id]).map(Self.alert(row:)) }
    }

    /// Acknowledges an open alert; returns it as stored afterwards (unchanged when it was already
    /// acknowledged), nil when there is no such alert.
    public func acknowledgeAlert(id: Int64, by user: String, atMicros: Int64) async throws -> StoredAlert? {
        try await pool.write { db in
            try db.execute(sql: "UPDATE alert SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
                           arguments: [user, atMicros, id])
            return try Row.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id]).map(Self.alert(row:))
        }
    }

    /// Marks open, unescalated alerts raised before `beforeMicros` of escalating kinds as
    /// escalated at `atMicros`, and returns them.
    public func escalateAlerts(raisedBefore beforeMicros: Int64, atMicros: Int64) async throws -> [StoredAlert] {
        let kinds = StoredAlert.Kind.allCases.filter(\.escalates).map { "'\($0.rawValue)'" }.joined(separator: ",")
        return try await pool.write { db in
            let due = try Row.fetchAll(db, sql: """
                SELECT * FROM alert WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND raised_at <= ? AND kind IN (\(kinds)) ORDER BY id
                """, arguments: [beforeMicros]).map(Self.alert(row:))
            for alert in due { try db.execute(sql: "UPDATE alert SET escalated_at = ? WHERE id = ?", arguments: [atMicros, alert.id]) }
            return due.map { var a = $0; a.escalatedMicros = atMicros; return a }
        }
    }

    static func alert(row: Row) -> StoredAlert {
        StoredAlert(id: row["id"], kind: StoredAlert.Kind(rawValue: row["kind"]) ?? .motion, cameraID: row["camera_id"], zone: row["zone"], eventID: row["event_id"],
                    message: row["message"], raisedMicros: row["raised_at"], escalatedMicros: row["escalated_at"],
                    acknowledgedBy: row["acknowledged_by"], acknowledgedMicros: row["acknowledged_at"])
    }
}
