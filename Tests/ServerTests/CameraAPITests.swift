import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App
@testable import Server

@Suite struct CameraAPITests {
    static let valid = """
        {"name": "Gate 1", "rtspUrl": "rtsp://admin:p%40ss@127.0.0.1:1/cam", "location": {"lat": 47.78, "lon": 67.71},
         "heading": 350, "fieldOfView": 90, "range": 40, "mountingHeight": 5, "address": "Abay 12", "site": "courtyard",
         "district": "Centre"}
        """

    @Test func createReadUpdateDelete() async throws {
        let server = try await makeServer()
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let created = try await client.json(.post, "/api/cameras", Self.valid)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? Int)
            #expect(created.headers[.location] == "/api/cameras/\(id)")
            // Credentials in the URL are split off and never returned.
            #expect(created.json["rtspUrl"] as? String == "rtsp://127.0.0.1:1/cam")
            #expect(created.json["username"] as? String == "admin")
            #expect(created.json["hasPassword"] as? Bool == true)
            #expect(created.json["password"] == nil)
            let camera = try #require(await server.catalog.camera(id: Int64(id)))
            #expect(camera.password == "p@ss")

            let listed = try await client.json(.get, "/api/cameras")
            #expect(listed.array.count == 1)
            #expect(listed.array.first?["name"] as? String == "Gate 1")
            #expect(listed.array.allSatisfy { $0["password"] == nil })

            let patched = try await client.json(.patch, "/api/cameras/\(id)", #"{"heading": 10.5, "name": "Gate A"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["heading"] as? Double == 10.5)
            #expect(patched.json["name"] as? String == "Gate A")
            #expect(patched.json["district"] as? String == "Centre")

            let shown = try await client.json(.get, "/api/cameras/\(id)")
            #expect(shown.status == .ok)
            let status = try #require(shown.json["status"] as? [String: Any])
            #expect(["connecting", "retrying", "failed"].contains(status["state"] as? String ?? ""))

            #expect(try await client.json(.delete, "/api/cameras/\(id)").status == .noContent)
            let gone = try await client.json(.get, "/api/cameras/\(id)")
            #expect(gone.status == .notFound)
            #expect(gone.headers[.contentType] == "application/problem+json")
            #expect(gone.json["detail"] as? String == "camera \(id) does not exist")
        }
        await server.recorder.stopAll()
    }

    @Test func everyInvalidFieldIsNamed() async throws {
        let server = try await makeServer()
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let bad = """
                {"name": "", "rtspUrl": "http://x", "location": {"lat": 91, "lon": "east"}, "heading": 360,
                 "fieldOfView": 0, "range": -1, "mountingHeight": 500, "site": "roof", "colour": "red"}
                """
            let r = try await client.json(.post, "/api/cameras", bad)
            #expect(r.status == .unprocessableContent)
            #expect(r.headers[.contentType] == "application/problem+json")
            #expect(r.json["status"] as? Int == 422)
            #expect(r.json["title"] as? String == "Invalid request")
            let fields = Set((r.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["location.lon", "site", "colour"])  // type errors first; values are checked once types are right

            let typedButWrong = """
                {"name": "", "rtspUrl": "http://x", "location": {"lat": 91, "lon": 181}, "heading": 360,
                 "fieldOfView": 0, "range": -1, "mountingHeight": 500}
                """
            let r2 = try await client.json(.post, "/api/cameras", typedButWrong)
            let fields2 = Set((r2.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields2 == ["name", "rtspUrl", "location.lat", "location.lon", "heading", "fieldOfView", "range", "mountingHeight"])
            let messages = (r2.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(messages.contains("must start with rtsp://"))

            let missing = try await client.json(.post, "/api/cameras", "{}")
            let fields3 = Set((missing.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields3 == ["name", "rtspUrl", "location"])

            let malformed = try await client.json(.post, "/api/cameras", "{\"name\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["title"] as? String == "Malformed JSON")

            let notObject = try await client.json(.post, "/api/cameras", "[1,2]")
            #expect(notObject.status == .unprocessableContent)

            #expect(try await client.json(.get, "/api/cameras/abc").status == .notFound)
            #expect(try await client.json(.patch, "/api/cameras/999", "{}").status == .notFound)
            #expect(try await client.json(.delete, "/api/cameras/999").status == .notFound)
            // Nothing was stored by any of the failed requests.
            #expect(try await client.json(.get, "/api/cameras").array.isEmpty)
        }
        await server.recorder.stopAll()
    }

    @Test func unknownRoutesAreProblemDetails() async throws {
        let server = try await makeServer()
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let r = try await client.json(.get, "/api/nothing-here")
            #expect(r.status == .notFound)
            #expect(r.headers[.contentType] == "application/problem+json")
            #expect(try await client.json(.get, "/api/health").json["status"] as? String == "ok")
        }
    }
}
