import AulaSecurity
import Catalog
import CatalogSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App
@testable import Server

/// Runs the sqlite3 shell on a catalogue: the tamperer's tool, and an independent reader.
@discardableResult
func sqlite(_ database: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [database, sql]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else { throw SQLiteShellError(output: output) }
    return output
}

struct SQLiteShellError: Error {
    let output: String
}

@Suite struct AuditTrailTests {
    /// A server with a few audited actions: a failed and a good sign-in, a camera change, a view.
    static func serverWithHistory() async throws -> AulaApp {
        let server = try await makeServer()
        _ = try addUser(server, "ann", .operator, password: "correct horse battery")
        try await Application(router: server.makeRouter()).test(.router) { client in
            _ = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "wrong"}"#, token: nil)
            _ = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "correct horse battery"}"#, token: nil)
            _ = try await client.json(.post, "/api/cameras", CameraAPITests.valid)
            _ = try await client.json(.patch, "/api/cameras/1", #"{"name": "=HYPERLINK(\"x\")"}"#)
        }
        return server
    }

    @Test func actionsAreRecordedAndChained() async throws {
        let server = try await Self.serverWithHistory()
        let entries = try await server.catalog.auditEntries()
        #expect(entries.map(\.action) == ["signin.failed", "signin", "camera.create", "camera.update"])
        #expect(entries[0].actor == "(anonymous)" && entries[0].target == "ann")
        #expect(entries[2].actor == "test-admin" && entries[2].target == "/api/cameras/1")
        #expect(entries.allSatisfy { $0.timeMicros > 1_700_000_000_000_000 && !$0.client.isEmpty })
        #expect(!entries.contains { $0.detail.contains("p@ss") || $0.target.contains("p@ss") }, "no secrets in the trail")
        #expect(AuditChain.verify(entries, head: try await server.catalog.auditHead().map { ($0.id, $0.hash) }).isEmpty)
        // Append-only inside SQLite too.
        #expect(throws: SQLiteShellError.self) { try sqlite(server.configuration.dataDirectory + "/catalog.sqlite", "UPDATE audit SET actor = 'x' WHERE id = 1") }
        #expect(throws: SQLiteShellError.self) { try sqlite(server.configuration.dataDirectory + "/catalog.sqlite", "DELETE FROM audit WHERE id = 1") }
    }

    @Test func auditorsReadExportAndVerify() async throws {
        let server = try await Self.serverWithHistory()
        let auditor = try addUser(server, "aud", .auditor)
        try await Application(router: server.makeRouter()).test(.router) { client in
            let list = try await client.json(.get, "/api/audit?limit=2", token: auditor)
            #expect(list.status == .ok)
            #expect(list.array.map { $0["id"] as? Int } == [1, 2])
            let next = try await client.json(.get, "/api/audit?after=2&limit=2", token: auditor)
            #expect(next.array.map { $0["action"] as? String } == ["camera.create", "camera.update"])
            let bad = try await client.json(.get, "/api/audit?limit=0&from=yesterday", token: auditor)
            #expect(Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }) == ["limit", "from"])

            let csv = try await client.execute(uri: "/api/audit.csv", method: .get, headers: [.authorization: "Bearer \(auditor)"]) { $0 }
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = String(buffer: csv.body).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == "id,time,actor,client,action,target,detail,previous_hash,hash")
            // 4 actions, the two reads above, and the export itself: the rows are streamed a page at
            // a time, after the request was recorded.
            #expect(lines.count == 1 + 7, "\(lines)")
            #expect(lines.last?.contains("audit.export") == true)
            #expect(lines.contains { $0.contains("camera.update") })

            let verify = try await client.json(.get, "/api/audit/verify", token: auditor)
            #expect(verify.json["intact"] as? Bool == true)
        }
    }

    @Test func csvCellsCannotRunAsFormulas() {
        #expect(AuditRoutes.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(AuditRoutes.cell("plain") == "plain")
        #expect(AuditRoutes.cell("a,b") == "\"a,b\"")
    }

    /// Someone with the database file drops the triggers and edits, deletes or truncates rows.
    @Test(arguments: ["edit", "delete", "truncate"])
    func tamperingIsDetected(how: String) async throws {
        let server = try await Self.serverWithHistory()
        let db = server.configuration.dataDirectory + "/catalog.sqlite"
        try sqlite(db, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        switch how {
        case "edit": try sqlite(db, "UPDATE audit SET actor = 'nobody' WHERE id = 3")
        case "delete": try sqlite(db, "DELETE FROM audit WHERE id = 2")
        default: try sqlite(db, "DELETE FROM audit WHERE id = 4")
        }
        let (_, problems) = try await server.catalog.verifyAudit()
        #expect(!problems.isEmpty)
        let expected: Int64 = how == "edit" ? 3 : how == "delete" ? 3 : 4
        #expect(problems.first?.id == expected, "\(problems)")
        try await Application(router: server.makeRouter()).test(.router) { client in
            let verify = try await client.json(.get, "/api/audit/verify")
            #expect(verify.json["intact"] as? Bool == false)
            #expect((verify.json["problems"] as? [String])?.isEmpty == false)
        }
    }

    /// The head moves from `audit.head` into the database: a readable file keeps the gap after it
    /// visible; an unreadable one must not stop every later entry from being written.
    @Test func theHeadFileMovesIntoTheDatabase() async throws {
        let readable = temporaryDirectory()
        try "5 \(String(repeating: "a", count: 64))\n".write(toFile: readable + "/audit.head", atomically: true, encoding: .utf8)
        let catalog = try AulaCatalog.openSQLite(directory: readable)
        #expect(!FileManager.default.fileExists(atPath: readable + "/audit.head"))
        #expect(try await catalog.appendAudit(actor: "aula", client: "local", action: "test", target: "x").id == 6)
        #expect(try await catalog.verifyAudit().problems.isEmpty == false, "entries 1-5 are missing")

        let unreadable = temporaryDirectory()
        try "not a head".write(toFile: unreadable + "/audit.head", atomically: true, encoding: .utf8)
        let other = try AulaCatalog.openSQLite(directory: unreadable)
        for n in 1...3 { #expect(try await other.appendAudit(actor: "aula", client: "local", action: "test", target: "\(n)").id == Int64(n)) }
        let (count, problems) = try await other.verifyAudit()
        #expect(count == 3 && problems.isEmpty, "\(problems)")
    }

    /// Over real sockets the client's address is recorded.
    @Test func liveRequestsRecordTheClientAddress() async throws {
        let server = try await makeServer()
        try await Application(router: server.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            _ = try await client.json(.post, "/api/session", #"{"name": "nobody", "password": "wrong"}"#, token: nil)
        }
        let entries = try await server.catalog.auditEntries()
        #expect(entries.first?.client == "127.0.0.1")
    }
}
