import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App
@testable import Server

/// The roster: administrators add, change and remove shifts; bad input is refused by field.
@Suite struct GuardShiftTests {
    @Test func administratorsChangeAShiftAndBadChangesAreRefusedByField() async throws {
        let server = try await makeServer()
        let op = try addUser(server, "olga", .operator)
        let along = try addUser(server, "along", .guard)
        _ = try addUser(server, "across", .guard)
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            let post = try await client.json(.post, "/api/posts", #"{"name": "Bridge post", "latitude": 47.79, "longitude": 67.71, "guards": ["along", "across"]}"#)
            let other = try await client.json(.post, "/api/posts", #"{"name": "Square post", "latitude": 47.78, "longitude": 67.70, "guards": ["across"]}"#)
            let postID = try #require(post.json["id"] as? Int), otherID = try #require(other.json["id"] as? Int)
            let created = try await client.json(.post, "/api/shifts", #"{"post": \#(postID), "guardName": "along", "start": "2026-12-05T08:00:00Z", "end": "2026-12-05T16:00:00Z"}"#)
            #expect(created.status == .created, "\(created.json)")
            let id = try #require(created.json["id"] as? Int)

            let changed = try await client.json(.put, "/api/shifts/\(id)", #"{"post": \#(otherID), "guardName": "across", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T20:00:00Z"}"#)
            #expect(changed.status == .ok, "\(changed.json)")
            let listed = try await client.json(.get, "/api/shifts?start=2026-12-05T00:00:00Z&end=2026-12-06T00:00:00Z", token: op)
            let shifts = try #require(listed.json["shifts"] as? [[String: Any]])
            #expect(shifts.count == 1)
            #expect(shifts.first?["id"] as? Int == id && shifts.first?["post"] as? Int == otherID && shifts.first?["guardName"] as? String == "across")
            #expect((shifts.first?["start"] as? String)?.hasPrefix("2026-12-05T10:00:00") == true && (shifts.first?["end"] as? String)?.hasPrefix("2026-12-05T20:00:00") == true, "\(shifts)")

            // Bad changes: each refused with a problem naming the field, the shift unchanged.
            let good = #""post": \#(otherID), "guardName": "across", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T20:00:00Z""#
            let bad: [(String, String)] = [
                (#"{"post": \#(otherID), "guardName": "across", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T09:00:00Z"}"#, "end"),
                (#"{"post": \#(otherID), "guardName": "across", "start": "2026-12-05T10:00:00Z", "end": "2026-12-06T11:00:00Z"}"#, "end"),
                (#"{"post": 999999, "guardName": "across", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T20:00:00Z"}"#, "post"),
                (#"{"post": \#(otherID), "guardName": "olga", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T20:00:00Z"}"#, "guardName"),
                (#"{"post": "x", "guardName": "across", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T20:00:00Z"}"#, "post"),
                (#"{"post": \#(otherID), "guardName": "across", "start": "yesterday", "end": "2026-12-05T20:00:00Z"}"#, "start"),
                (#"{\#(good), "colour": "red"}"#, "colour"),
                (#"{"guardName": "across", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T20:00:00Z"}"#, "post"),
                ("[1, 2]", "body"),
            ]
            for (body, field) in bad {
                let answer = try await client.json(.put, "/api/shifts/\(id)", body)
                let fields = (answer.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect([.badRequest, .unprocessableContent].contains(answer.status) && fields.contains(field), "\(body): \(answer.status) \(answer.json)")
            }
            #expect(try await client.json(.put, "/api/shifts/999999", "{\(good)}").status == .notFound)
            #expect(try await client.json(.put, "/api/shifts/abc", "{\(good)}").status == .notFound)
            #expect(try await client.json(.put, "/api/shifts/\(id)", "{\(good)}", token: along).status == .forbidden, "a guard changes no shift")
            #expect(try await client.json(.put, "/api/shifts/\(id)", "{\(good)}", token: op).status == .forbidden, "nor does an operator")
            let again = try await client.json(.get, "/api/shifts?start=2026-12-05T00:00:00Z&end=2026-12-06T00:00:00Z", token: op)
            #expect((again.json["shifts"] as? [[String: Any]])?.first?["guardName"] as? String == "across")

            #expect(try await client.json(.delete, "/api/shifts/\(id)").status == .noContent)
            let gone = try await client.json(.get, "/api/shifts?start=2026-12-05T00:00:00Z&end=2026-12-06T00:00:00Z", token: op)
            #expect((gone.json["shifts"] as? [[String: Any]])?.isEmpty == true)
            let audit = try await server.catalog.auditPage(fromMicros: nil, toMicros: nil, afterID: 0, limit: 1000).map(\.action)
            #expect(audit.contains("shift.update") && audit.contains("shift.delete"))
        }
    }
}
