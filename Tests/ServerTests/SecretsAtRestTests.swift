import Catalog
import CatalogSQLite
import Foundation
import Testing

@testable import App
@testable import Server

@Suite struct SecretsAtRestTests {
    @Test func cameraPasswordsAreSealedInTheDatabase() async throws {
        let server = try await makeServer()
        let camera = try await server.catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://127.0.0.1:1/x", username: "admin", password: "hunter2-secret", latitude: 1, longitude: 2))
        let folder = server.configuration.dataDirectory
        let stored = try sqlite(folder + "/catalog.sqlite", "SELECT password FROM camera WHERE id = \(camera.id)")
        #expect(stored.hasPrefix("aesgcm:"))
        #expect(!stored.contains("hunter2"))
        let raw = try Data(contentsOf: URL(fileURLWithPath: folder + "/catalog.sqlite"))
        #expect(raw.range(of: Data("hunter2-secret".utf8)) == nil)
        #expect(try await server.catalog.camera(id: camera.id)?.password == "hunter2-secret")
        for key in ["secrets.key", "evidence-signing.key"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: folder + "/" + key)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(key)")
        }
        // Without the right key file the password cannot be read back.
        try FileManager.default.removeItem(atPath: folder + "/secrets.key")
        let other = try AulaCatalog.openSQLite(directory: folder)
        await #expect(throws: (any Error).self) { try await other.camera(id: camera.id) }
    }

    /// Plain passwords left by the version before are sealed by the migration.
    @Test func migrationSealsExistingPlainPasswords() async throws {
        let folder = temporaryDirectory()
        let db = folder + "/catalog.sqlite"
        try sqlite(db, """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1-cameras');
            CREATE TABLE camera (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, rtsp_url TEXT NOT NULL, username TEXT, password TEXT,
              latitude DOUBLE NOT NULL, longitude DOUBLE NOT NULL, heading DOUBLE NOT NULL, field_of_view DOUBLE NOT NULL, range DOUBLE NOT NULL,
              mounting_height DOUBLE NOT NULL, address TEXT NOT NULL, site TEXT NOT NULL, district TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            INSERT INTO camera (name, rtsp_url, username, password, latitude, longitude, heading, field_of_view, range, mounting_height, address, site, district, created_at, updated_at)
              VALUES ('Old', 'rtsp://127.0.0.1:1/old', 'admin', 'plain-old-secret', 1, 2, 0, 90, 30, 4, '', 'courtyard', '', 0, 0);
            """)
        let catalog = try AulaCatalog.openSQLite(directory: folder)
        #expect(try await catalog.camera(id: 1)?.password == "plain-old-secret")
        #expect(try sqlite(db, "SELECT password FROM camera").hasPrefix("aesgcm:"))
    }
}
