import Alerts
import AulaSecurity
import Catalog
import CityServices
import Foundation
import Guards
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import Synchronization
import Testing
@testable import App
@testable import Server

/// Races: what two requests (or a request and the monitor) do to one incident at the same moment.
extension GuardAPITests {
    /// The offered guard declines just as the offer runs out, while two nodes' monitors look at the
    /// expired offer: the incident passes to the next guard once, with one step that ended the
    /// first offer (a decline or a lapse, never both), one offer to the next guard, and an audit
    /// trail that says exactly that. Several rounds, since which one wins varies.
    @Test(.timeLimit(.minutes(3))) func aDeclineRacingTheTimeOutPassesTheOfferOnOnce() async throws {
        let server = try await RiverTown.server(offerTimeout: 1_000_000)
        let op = try addUser(server, "olga", .operator)
        let first = try addUser(server, "first", .guard), second = try addUser(server, "second", .guard)
        let router = server.http.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        try await app.test(.live) { client in
            // Along the north bank: "first" 150 m from the place, "second" 450 m.
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.northBank + 0.00005, 67.712), token: first).status == .ok)
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.northBank + 0.00005, 67.716), token: second).status == .ok)
            var winners: [String] = []
            for round in 0..<8 {
                let created = try await client.json(.post, "/api/incidents", #"{"latitude": \#(RiverTown.northBank + 0.00005), "longitude": 67.710, "summary": "round \#(round)"}"#, token: op)
                let id = try #require(created.json["id"] as? Int)
                #expect(created.json["offeredTo"] as? String == "first", "\(created.json)")
                // Wait for the moment the offer has run out (the server's own expiry time).
                let expires = try #require(try await server.guards.incident(id: Int64(id))?.offerExpiresMicros)
                let wait = expires - GuardService.nowMicros() + 20_000
                if wait > 0 { try await Task.sleep(for: .microseconds(wait)) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let declined = try await client.json(.post, "/api/incidents/\(id)/decline", "{}", token: first)
                        // Refused (no longer theirs) only when the time-out came first.
                        #expect([.ok, .notFound].contains(declined.status), "\(declined.json)")
                    }
                    // The monitors start a little later each round, so that either may come first.
                    for monitor in 0..<2 {
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(round * 2 + monitor))
                            try await server.guards.lapseExpiredOffers()
                        }
                    }
                    try await group.waitForAll()
                }
                let incident = try #require(try await server.guards.incident(id: Int64(id)))
                #expect(incident.state == .offered && incident.guardName == "second", "round \(round): \(incident.steps.map(\.action))")
                let ended = incident.steps.filter { ["declined", "lapsed"].contains($0.action) }
                #expect(ended.count == 1, "round \(round): \(incident.steps.map(\.action))")
                #expect(incident.steps.map(\.action).filter { $0 == "offered" }.count == 2, "round \(round): \(incident.steps.map(\.action))")
                #expect(incident.passedBy == ["first"])
                let audit = try await server.catalog.auditEntries().filter { $0.target.hasPrefix("/api/incidents/\(id)") }
                let offers = audit.filter { $0.action == "incident.offer" }.map(\.detail)
                #expect(offers.count == 2 && offers.filter { $0.hasPrefix("offered to second") }.count == 1, "round \(round): \(offers)")
                let endings = audit.filter { ["incident.decline", "incident.lapse"].contains($0.action) }.map(\.action)
                #expect(endings == [ended.first?.action == "declined" ? "incident.decline" : "incident.lapse"], "round \(round): \(endings), steps \(incident.steps.map(\.action))")
                winners.append(ended.first?.action ?? "none")
                // Both guards free for the next round.
                #expect(try await client.json(.post, "/api/incidents/\(id)/cancel", "{}", token: op).status == .ok)
            }
            print("GuardAPITests: the first offer ended by \(winners)")
        }
    }

    /// Many photos sent at once to one incident (a phone emptying its offline queue, the nodes of a
    /// cluster each taking some): at most 12 are stored, the rest refused with 409. The uploads
    /// race in the photo service, on the real catalogue, as the routes of several nodes would
    /// call it once each picture is checked (one node's picture checks run a few at a time, which
    /// hides the race in a test over HTTP); a photo sent twice at once takes one place.
    @Test(.timeLimit(.minutes(3))) func concurrentPhotosCannotExceedTheLimit() async throws {
        let server = try await RiverTown.server()
        let op = try addUser(server, "olga", .operator)
        let taker = try addUser(server, "taker", .guard)
        let file = temporaryDirectory() + "/scene.jpg"
        let (status, output) = try await RecordingTests.EvidenceTests.run("/usr/bin/ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240",
                                                                                               "-frames:v", "1", "-y", file])
        try #require(status == 0, "ffmpeg: \(output)")
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: file))
        let router = server.http.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        try await app.test(.live) { client in
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.northBank + 0.00005, 67.714), token: taker).status == .ok)
            let created = try await client.json(.post, "/api/incidents", #"{"latitude": \#(RiverTown.northBank + 0.00005), "longitude": 67.712}"#, token: op)
            let id = try #require(created.json["id"] as? Int)
            #expect(try await client.json(.post, "/api/incidents/\(id)/accept", "{}", token: taker).status == .ok)
            // One over HTTP first, then 30 at once (keys 0–9 each sent twice at the same moment).
            func upload(_ key: String) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/api/incidents/\(id)/photos", method: .post,
                                         headers: [.contentType: "image/jpeg", .authorization: "Bearer \(taker)", HTTPField.Name("Idempotency-Key")!: key],
                                         body: ByteBuffer(bytes: jpeg)) { $0.status }
            }
            #expect(try await upload("first") == .created)
            let sha = EvidencePackage.sha256Hex([UInt8](jpeg))
            let outcomes = try await withThrowingTaskGroup(of: (String, Bool?).self) { group in
                for n in 0..<40 {
                    let key = "phone-\(n < 20 ? n / 2 : n - 10)"
                    group.addTask {
                        let photo = IncidentPhoto(incident: Int64(id), by: "taker", atMicros: GuardService.nowMicros(), bytes: jpeg.count, width: 320, height: 240, sha256: sha)
                        do {
                            return (key, try await server.guards.addPhoto(photo, jpeg: jpeg, key: "taker:\(key)").created)
                        } catch let refusal as IncidentRefusal where refusal.kind == .conflict {
                            return (key, nil)
                        }
                    }
                }
                return try await group.reduce(into: [(String, Bool?)]()) { $0.append($1) }
            }
            let stored = Set(outcomes.filter { $0.1 == true }.map(\.0))
            #expect(stored.count == outcomes.filter { $0.1 == true }.count, "a key stored twice: \(outcomes)")
            #expect(stored.count == GuardService.photosPerIncident - 1, "\(outcomes)")
            let listed = try await client.json(.get, "/api/incidents/\(id)/photos", token: op)
            #expect((listed.json["photos"] as? [[String: Any]])?.count == GuardService.photosPerIncident)
            // Full: a new photo is refused, one stored already is answered as stored.
            #expect(try await upload("late") == .conflict)
            #expect(try await upload(try #require(stored.first)) == .ok)
            #expect(try await upload("first") == .ok)
        }
    }
}
