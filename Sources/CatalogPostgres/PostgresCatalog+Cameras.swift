import Catalog
import PostgresNIO

extension PostgresCatalog: CameraStore {
    public func cameras() async throws -> [Camera] {
        try await rows("SELECT * FROM camera ORDER BY id").map(Camera.init(row:))
    }

    public func camera(id: Int64) async throws -> Camera? {
        try await row("SELECT * FROM camera WHERE id = \(id)").map(Camera.init(row:))
    }

    public func insert(_ camera: Camera) async throws -> Camera {
        let now = nowMicros()
        let c = camera
        let inserted = try await row("""
            INSERT INTO camera (name, rtsp_url, username, password, latitude, longitude, heading, field_of_view, range,
              mounting_height, address, site, district, sub_rtsp_url, sub_username, sub_password, sub_record, sub_max_age_days,
              created_at, updated_at)
            VALUES (\(c.name), \(c.rtspURL), \(c.username), \(c.password), \(c.latitude), \(c.longitude), \(c.heading), \(c.fieldOfView),
              \(c.range), \(c.mountingHeight), \(c.address), \(c.site.rawValue), \(c.district),
              \(c.subStream?.rtspURL), \(c.subStream?.username), \(c.subStream?.password), \(c.subStream?.record ?? false),
              \(c.subStream?.maxAgeDays), \(now), \(now))
            RETURNING *
            """)
        guard let inserted else { throw PostgresCatalogError(message: "the camera was not inserted") }
        return try Camera(row: inserted)
    }

    public func update(_ camera: Camera) async throws -> Camera? {
        let c = camera
        return try await row("""
            UPDATE camera SET name = \(c.name), rtsp_url = \(c.rtspURL), username = \(c.username), password = \(c.password),
              latitude = \(c.latitude), longitude = \(c.longitude), heading = \(c.heading), field_of_view = \(c.fieldOfView),
              range = \(c.range), mounting_height = \(c.mountingHeight), address = \(c.address), site = \(c.site.rawValue),
              district = \(c.district), sub_rtsp_url = \(c.subStream?.rtspURL), sub_username = \(c.subStream?.username),
              sub_password = \(c.subStream?.password), sub_record = \(c.subStream?.record ?? false),
              sub_max_age_days = \(c.subStream?.maxAgeDays), updated_at = \(nowMicros())
            WHERE id = \(c.id)
            RETURNING *
            """).map(Camera.init(row:))
    }

    /// Deletes a camera with its motion settings and events (one transaction). Its footage stays
    /// until retention deletes it, like its retention setting and its alerts (the audit record).
    public func delete(id: Int64) async throws -> Bool {
        try await transaction { connection in
            guard try await execute("DELETE FROM camera WHERE id = \(id)", on: connection) > 0 else { return false }
            try await run("DELETE FROM camera_motion WHERE camera_id = \(id)", on: connection)
            try await run("UPDATE alert SET event_id = NULL WHERE event_id IN (SELECT id FROM motion_event WHERE camera_id = \(id))", on: connection)
            try await run("DELETE FROM motion_event WHERE camera_id = \(id)", on: connection)
            return true
        }
    }
}

extension Camera {
    /// The password column holds what ``Catalog/AulaCatalog`` sealed.
    init(row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.get("id"), name: try row.get("name"), rtspURL: try row.get("rtsp_url"), username: try row.get("username"),
            password: try row.get("password"), latitude: try row.get("latitude"), longitude: try row.get("longitude"),
            heading: try row.get("heading"), fieldOfView: try row.get("field_of_view"), range: try row.get("range"),
            mountingHeight: try row.get("mounting_height"), address: try row.get("address"),
            site: SiteKind(rawValue: try row.get("site")) ?? .courtyard, district: try row.get("district"),
            subStream: try (row.get("sub_rtsp_url") as String?).map {
                CameraStream(rtspURL: $0, username: try row.get("sub_username"), password: try row.get("sub_password"),
                             record: try row.get("sub_record"), maxAgeDays: try row.get("sub_max_age_days", as: Int?.self))
            },
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
