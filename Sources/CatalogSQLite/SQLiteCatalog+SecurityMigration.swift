import GRDB
import AulaSecurity

extension SQLiteCatalog {
    /// "v4-security": users, grants, sessions, API tokens, the audit trail and evidence locks; and
    /// camera passwords, stored in plain text until now, sealed with AES-GCM.
    static func registerSecurityMigration(_ migrator: inout DatabaseMigrator, secrets: SecretBox) {
        migrator.registerMigration("v4-security") { db in
            try db.create(table: "user") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique(onConflict: .abort).collate(.nocase)
                t.column("role", .text).notNull()
                t.column("password_hash", .text).notNull()
                t.column("must_change_password", .boolean).notNull()
                t.column("created_at", .integer).notNull()
            }
            try db.create(table: "user_grant") { t in
                t.column("user_id", .integer).notNull().references("user", onDelete: .cascade)
                t.column("effect", .text).notNull()
                t.column("scope", .text).notNull()
                t.column("target", .text).notNull()
                t.primaryKey(["user_id", "effect", "scope", "target"])
            }
            // Only digests of session ids and tokens are stored (see SecretToken).
            try db.create(table: "session") { t in
                t.primaryKey("digest", .text)
                t.column("user_id", .integer).notNull().references("user", onDelete: .cascade)
                t.column("csrf", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.column("expires_at", .integer).notNull()
            }
            try db.create(table: "api_token") { t in
                t.primaryKey("digest", .text)
                t.column("user_id", .integer).notNull().references("user", onDelete: .cascade)
                t.column("label", .text).notNull()
                t.column("created_at", .integer).notNull()
            }
            try db.create(table: "audit") { t in
                t.primaryKey("id", .integer)
                t.column("time_micros", .integer).notNull()
                t.column("actor", .text).notNull()
                t.column("client", .text).notNull()
                t.column("action", .text).notNull()
                t.column("target", .text).notNull()
                t.column("detail", .text).notNull()
                t.column("previous_hash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            // Append-only inside SQLite. Someone with the file can drop these triggers; the hash
            // chain is what detects that (docs/security.md).
            try db.execute(sql: """
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                """)
            try db.create(table: "evidence_lock") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("camera_id", .integer).notNull()
                t.column("start_90k", .integer).notNull()
                t.column("end_90k", .integer).notNull()
                t.column("reason", .text).notNull()
                t.column("created_by", .text).notNull()
                t.column("created_at", .integer).notNull()
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, password FROM camera WHERE password IS NOT NULL") {
                let plain: String = row["password"]
                guard !SecretBox.isSealed(plain) else { continue }
                try db.execute(sql: "UPDATE camera SET password = ? WHERE id = ?", arguments: [try secrets.seal(plain), row["id"] as Int64])
            }
        }
    }
}
