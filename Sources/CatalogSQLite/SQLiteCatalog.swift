import Catalog
import Foundation
import GRDB
import AulaSecurity

/// The embedded catalogue backend: one SQLite file in WAL mode in the data folder, opened once per
/// process (GRDB's first rule of concurrency: connect to any database file only once).
///
/// Use it through ``Catalog/AulaCatalog`` (``openSQLite(directory:)``), which seals camera
/// passwords and chains the audit trail above it.
public final class SQLiteCatalog: Sendable {
    let pool: DatabasePool
    let directory: String

    /// Opens (creating if needed) `catalog.sqlite` in `directory` and migrates it. `secrets` is the
    /// key that seals camera passwords: migration v4 sealed the passwords stored in plain text before.
    public init(directory: String, secrets: SecretBox) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        pool = try DatabasePool(path: directory + "/catalog.sqlite", configuration: config)
        let migrator = Self.migrator(secrets: secrets, directory: directory)
        let applied = try pool.read { try migrator.appliedIdentifiers($0) }
        try migrator.migrate(pool)
        if !applied.contains("v10-documents") { try removeMovedDocumentFiles() }
    }

    static func migrator(secrets: SecretBox, directory: String) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-cameras") { db in
            try db.create(table: "camera") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("rtsp_url", .text).notNull()
                t.column("username", .text)
                t.column("password", .text)
                t.column("latitude", .double).notNull()
                t.column("longitude", .double).notNull()
                t.column("heading", .double).notNull()
                t.column("field_of_view", .double).notNull()
                t.column("range", .double).notNull()
                t.column("mounting_height", .double).notNull()
                t.column("address", .text).notNull()
                t.column("site", .text).notNull()
                t.column("district", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
            }
        }
        migrator.registerMigration("v2-recordings") { db in
            try db.create(table: "sample_entry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("codec", .text).notNull()
                t.column("vps", .blob)
                t.column("sps", .blob)
                t.column("pps", .blob)
            }
            // No foreign key to camera: footage outlives a deleted camera until retention removes it.
            try db.create(table: "recording") { t in
                t.primaryKey("id", .integer)
                t.column("camera_id", .integer).notNull()
                t.column("run_id", .integer).notNull()
                t.column("start_90k", .integer).notNull()
                t.column("duration_90k", .integer).notNull()
                t.column("frames", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.column("sample_entry_id", .integer).notNull().references("sample_entry")
                t.column("sample_index", .blob).notNull()
                t.column("has_composition_offsets", .boolean).notNull()
                t.column("ends_run", .boolean).notNull()
            }
            try db.create(index: "recording_camera_start", on: "recording", columns: ["camera_id", "start_90k"])
            try db.create(table: "garbage") { t in
                t.primaryKey("recording_id", .integer)
                t.column("camera_id", .integer).notNull()
            }
        }
        migrator.registerMigration("v3-retention") { db in
            // Per-camera retention settings, in their own table: the camera row stays what the
            // administrator registers, and footage settings outlive a camera as its footage does.
            try db.create(table: "camera_retention") { t in
                t.primaryKey("camera_id", .integer)
                t.column("max_age_days", .integer)
            }
        }
        registerSecurityMigration(&migrator, secrets: secrets)
        registerMotionMigration(&migrator)
        migrator.registerMigration("v6-see-behind-masks") { db in
            // The right to see behind privacy masks (docs/api.md, "Users"): off for every
            // existing account; administrators hold it by their role, not by this column.
            try db.alter(table: "user") { t in t.add(column: "see_behind_masks", .boolean).notNull().defaults(to: false) }
        }
        migrator.registerMigration("v7-token-expiry") { db in
            // API tokens may expire (issue 15); tokens made before never do, as they were issued.
            try db.alter(table: "api_token") { t in t.add(column: "expires_at", .integer) }
        }
        registerAuditHeadMigration(&migrator, directory: directory)
        migrator.registerMigration("v9-recording-ids") { db in
            // Recording ids come from the database (issue 16): the next free one, past every id
            // in the index and on the garbage list; it only moves forward (RecordingStore).
            try db.execute(sql: """
                CREATE TABLE recording_id_sequence (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    next INTEGER NOT NULL);
                INSERT INTO recording_id_sequence (singleton, next) VALUES (1,
                    MAX(COALESCE((SELECT MAX(id) FROM recording), 0), COALESCE((SELECT MAX(recording_id) FROM garbage), 0)) + 1);
                CREATE TRIGGER recording_id_sequence_forward BEFORE UPDATE ON recording_id_sequence
                WHEN NEW.next < OLD.next BEGIN SELECT RAISE(ABORT, 'recording ids only move forward'); END;
                """)
        }
        registerDocumentMigration(&migrator, directory: directory)
        registerRecordMigration(&migrator)
        migrator.registerMigration("v12-sub-streams") { db in
            // A camera's second stream (issue 19): its own address, and an account when it differs.
            try db.alter(table: "camera") { t in
                t.add(column: "sub_rtsp_url", .text)
                t.add(column: "sub_username", .text)
                t.add(column: "sub_password", .text)
            }
        }
        migrator.registerMigration("v13-sub-stream-recordings") { db in
            // The sub stream may be recorded too, with its own retention (issue 19). Every
            // recording so far is of the main stream (0).
            try db.alter(table: "camera") { t in
                t.add(column: "sub_record", .boolean).notNull().defaults(to: false)
                t.add(column: "sub_max_age_days", .integer)
            }
            try db.alter(table: "recording") { t in t.add(column: "stream", .integer).notNull().defaults(to: 0) }
            try db.execute(sql: "DROP INDEX recording_camera_start")
            try db.create(index: "recording_camera_stream_start", on: "recording", columns: ["camera_id", "stream", "start_90k"])
        }
        return migrator
    }
}

extension SQLiteCatalog: CatalogBackend {}

/// Microseconds since the Unix epoch, the catalogue's unit of wall time.
func nowMicros() -> Int64 { CatalogClock.nowMicros() }
