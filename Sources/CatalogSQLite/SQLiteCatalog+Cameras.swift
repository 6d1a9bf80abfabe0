import Catalog
import GRDB
import AulaSecurity

extension SQLiteCatalog: CameraStore {
    public func cameras() async throws -> [Camera] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM camera ORDER BY id").map(Camera.init(row:))
        }
    }

    public func camera(id: Int64) async throws -> Camera? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM camera WHERE id = ?", arguments: [id]).map(Camera.init(row:))
        }
    }

    public func insert(_ camera: Camera) async throws -> Camera {
        try await pool.write { db in
            var c = camera
            c.createdAt = nowMicros()
            c.updatedAt = c.createdAt
            try db.execute(
                sql: """
                    INSERT INTO camera (name, rtsp_url, username, password, latitude, longitude, heading,
                      field_of_view, range, mounting_height, address, site, district, sub_rtsp_url, sub_username, sub_password,
                      sub_record, sub_max_age_days, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: c.columnValues + [c.createdAt, c.updatedAt])
            c.id = db.lastInsertedRowID
            return c
        }
    }

    public func update(_ camera: Camera) async throws -> Camera? {
        try await pool.write { db in
            var c = camera
            c.updatedAt = nowMicros()
            try db.execute(
                sql: """
                    UPDATE camera SET name = ?, rtsp_url = ?, username = ?, password = ?, latitude = ?, longitude = ?,
                      heading = ?, field_of_view = ?, range = ?, mounting_height = ?, address = ?, site = ?, district = ?,
                      sub_rtsp_url = ?, sub_username = ?, sub_password = ?, sub_record = ?, sub_max_age_days = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: c.columnValues + [c.updatedAt, c.id])
            guard db.changesCount > 0 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM camera WHERE id = ?", arguments: [c.id]).map(Camera.init(row:))
        }
    }

    /// Deletes a camera with its motion settings and events (one transaction). Its footage stays
    /// until retention deletes it, like its retention setting and its alerts (the audit record).
    public func delete(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM camera WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM camera_motion WHERE camera_id = ?", arguments: [id])
            // Open events too: nothing analyses this camera any more. Alerts keep their record.
            try db.execute(sql: "UPDATE alert SET event_id = NULL WHERE event_id IN (SELECT id FROM motion_event WHERE camera_id = ?)", arguments: [id])
            try db.execute(sql: "DELETE FROM motion_event WHERE camera_id = ?", arguments: [id])
            return true
        }
    }
}

extension Camera {
    /// The password column holds what ``Catalog/AulaCatalog`` sealed; this backend never sees a
    /// camera password in the clear.
    init(row: Row) {
        self.init(
            id: row["id"], name: row["name"], rtspURL: row["rtsp_url"], username: row["username"],
            password: row["password"], latitude: row["latitude"], longitude: row["longitude"],
            heading: row["heading"], fieldOfView: row["field_of_view"], range: row["range"],
            mountingHeight: row["mounting_height"], address: row["address"],
            site: SiteKind(rawValue: row["site"]) ?? .courtyard, district: row["district"],
            subStream: (row["sub_rtsp_url"] as String?).map {
                CameraStream(rtspURL: $0, username: row["sub_username"], password: row["sub_password"],
                             record: row["sub_record"], maxAgeDays: row["sub_max_age_days"])
            },
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    var columnValues: StatementArguments {
        [name, rtspURL, username, password, latitude, longitude, heading, fieldOfView, range, mountingHeight,
         address, site.rawValue, district, subStream?.rtspURL, subStream?.username, subStream?.password,
         subStream?.record ?? false, subStream?.maxAgeDays]
    }
}
