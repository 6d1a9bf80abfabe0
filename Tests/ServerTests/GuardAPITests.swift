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

/// A town on a river near Zhezkazgan (47.79° N, 67.71° E; 1e-3° of longitude ≈ 75 m, of latitude
/// 111 m): a street on each bank and one bridge at 67.718° E.
enum RiverTown {
    static let northBank = 47.7902, southBank = 47.7898
    static var geojson: String {
        let lons = stride(from: 67.700, through: 67.7201, by: 0.001).map { String(format: "%.3f", $0) }
        func line(_ lat: Double) -> String { lons.map { "[\($0), \(lat)]" }.joined(separator: ", ") }
        return """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"highway": "residential", "name": "North bank"}, "geometry": {"type": "LineString", "coordinates": [\(line(northBank))]}},
              {"type": "Feature", "properties": {"highway": "residential", "name": "South bank"}, "geometry": {"type": "LineString", "coordinates": [\(line(southBank))]}},
              {"type": "Feature", "properties": {"highway": "footway", "name": "Bridge"}, "geometry": {"type": "LineString", "coordinates": [[67.718, \(northBank)], [67.718, \(southBank)]]}}
            ]}
            """
    }

    static func server(offerTimeout: Int64 = 60_000_000) async throws -> AulaApp {
        let server = try await makeServer { $0.guards.offerTimeoutMicros = offerTimeout }
        _ = try await CityImport.importCity(file: try CityFixture.write(geojson, name: "river.geojson"), name: "River town", into: CityStore(server.catalog))
        return server
    }
}

@Suite struct GuardAPITests {
    static func duty(_ lat: Double, _ lon: Double) -> String { #"{"onDuty": true, "latitude": \#(lat), "longitude": \#(lon), "accuracy": 8}"# }

    @Test func theNearestByRouteIsOfferedAndDeclinesAndTimeOutsPassItOnToCleared() async throws {
        let server = try await RiverTown.server(offerTimeout: 1_500_000)
        let op = try addUser(server, "olga", .operator)
        let across = try addUser(server, "across", .guard), along = try addUser(server, "along", .guard), far = try addUser(server, "far", .guard)
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            let post = try await client.json(.post, "/api/posts", #"{"name": "Bridge post", "latitude": 47.79, "longitude": 67.71, "guards": ["across", "along", "far"]}"#)
            #expect(post.status == .created, "\(post.json)")
            // The place is on the north bank; "across" is 45 m away in a straight line but on the
            // other bank, "along" is 300 m along the north bank, "far" 525 m.
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.southBank - 0.00005, 67.710), token: across).status == .ok)
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.northBank + 0.00005, 67.714), token: along).status == .ok)
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.northBank + 0.00005, 67.703), token: far).status == .ok)
            let onDuty = try await client.json(.get, "/api/duty", token: op)
            #expect((onDuty.json["duty"] as? [[String: Any]])?.filter { $0["onDuty"] as? Bool == true }.count == 3)

            let created = try await client.json(.post, "/api/incidents", #"{"latitude": \#(RiverTown.northBank + 0.00005), "longitude": 67.710, "summary": "glass broken"}"#, token: op)
            #expect(created.status == .created, "\(created.json)")
            let id = try #require(created.json["id"] as? Int)
            #expect(created.json["offeredTo"] as? String == "along")
            #expect(created.json["routed"] as? Bool == true)
            let metres = try #require(created.json["distanceMetres"] as? Double)
            #expect(metres > 290 && metres < 320, "\(metres) m")
            // Other guards do not see it; the operator does.
            #expect(try await client.json(.get, "/api/incidents/\(id)", token: across).status == .notFound)
            #expect(try await client.json(.post, "/api/incidents/\(id)/accept", token: across).status == .notFound)
            let guardList = try await client.json(.get, "/api/incidents", token: along)
            #expect((guardList.json["incidents"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            // The route for the offered guard follows the bank.
            let shown = try await client.json(.get, "/api/incidents/\(id)", token: along)
            #expect(((shown.json["route"] as? [[Double]])?.count ?? 0) >= 3)

            // Decline: the next by route ("far"), not the nearest in a straight line ("across").
            let declined = try await client.json(.post, "/api/incidents/\(id)/decline", token: along)
            #expect(declined.json["offeredTo"] as? String == "far", "\(declined.json)")
            // "far" does not answer: after the time-out it passes to "across".
            let lapsed = await eventually(timeout: .seconds(30)) {
                try? await server.guards.lapseExpiredOffers()
                return (try? await server.guards.incident(id: Int64(id)))?.guardName == "across"
            }
            #expect(lapsed)
            let incident = try #require(try await server.guards.incident(id: Int64(id)))
            #expect(incident.passedBy == ["along", "far"])
            #expect(incident.steps.map(\.action) == ["created", "offered", "declined", "offered", "lapsed", "offered"])

            // Accept → depart → arrive → clear, each once even when a phone sends it twice.
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "step-accept-1"]
            #expect(try await client.json(.post, "/api/incidents/\(id)/accept", token: across, headers: key).status == .ok)
            #expect(try await client.json(.post, "/api/incidents/\(id)/accept", token: across, headers: key).status == .ok)
            #expect(try await client.json(.post, "/api/incidents/\(id)/accept", token: across).status == .conflict)
            #expect(try await client.json(.post, "/api/incidents/\(id)/depart", token: across).status == .ok)
            #expect(try await client.json(.post, "/api/incidents/\(id)/clear", #"{"note": "too early"}"#, token: across).status == .conflict)
            #expect(try await client.json(.post, "/api/incidents/\(id)/offence", #"{"type": "vandalism"}"#, token: op).status == .conflict)
            #expect(try await client.json(.post, "/api/incidents/\(id)/arrive", token: across).status == .ok)
            let cleared = try await client.json(.post, "/api/incidents/\(id)/clear", #"{"note": "window boarded up"}"#, token: across)
            #expect(cleared.status == .ok)
            #expect(cleared.json["state"] as? String == "cleared" && cleared.json["report"] as? String == "window boarded up")
            let steps = try #require(cleared.json["steps"] as? [[String: Any]])
            #expect(steps.filter { $0["action"] as? String == "accepted" }.count == 1)

            // One step enters what the guard found into the offence register, once.
            let offence = try await client.json(.post, "/api/incidents/\(id)/offence", #"{"type": "vandalism", "status": "solved"}"#, token: op)
            #expect(offence.status == .created && offence.json["offenceId"] as? String == "incident-\(id)", "\(offence.json)")
            #expect(try await client.json(.post, "/api/incidents/\(id)/offence", #"{"type": "vandalism"}"#, token: op).status == .conflict)
            #expect(try await client.json(.post, "/api/incidents/\(id)/offence", #"{"type": "jaywalking"}"#, token: op).status == .unprocessableContent)
            let register = try await CityStore(server.catalog).loadOffences().offences
            #expect(register.filter { $0.id == "incident-\(id)" }.map(\.type) == ["vandalism"])

            // The figures are what the step times imply.
            let final = try #require(try await server.guards.incident(id: Int64(id)))
            let accepted = try #require(final.time(of: .accepted)), arrived = try #require(final.time(of: .onScene)), done = try #require(final.time(of: .cleared))
            let figures = try await client.json(.get, "/api/response-figures?by=guard", token: op)
            let group = try #require((figures.json["groups"] as? [[String: Any]])?.first)
            #expect(group["key"] as? String == "across")
            let toAccept = try #require((group["toAccept"] as? [String: Any])?["median"] as? Double)
            #expect(abs(toAccept - Double(accepted - final.createdMicros) / 1e6) < 1e-6)
            let toArrive = try #require((group["toArrive"] as? [String: Any])?["median"] as? Double)
            #expect(abs(toArrive - Double(arrived - accepted) / 1e6) < 1e-6)
            let onScene = try #require((group["onScene"] as? [String: Any])?["median"] as? Double)
            #expect(abs(onScene - Double(done - arrived) / 1e6) < 1e-6)
            // Each step is in the audit trail.
            let actions = Set(try await server.catalog.auditEntries().map(\.action))
            for action in ["incident.create", "incident.offer", "incident.decline", "incident.lapse", "incident.accept", "incident.depart", "incident.arrive", "incident.clear", "duty.start"] {
                #expect(actions.contains(action), "\(action) missing from the audit trail")
            }
        }
    }

    /// Photos with the report: the JPEG as ffmpeg wrote it comes back byte for byte with the
    /// SHA-256 that `sha256sum` computes; sent again with the same key it is stored once; what is
    /// not a whole JPEG (text, a JPEG cut short, nothing) is refused naming the body; only the guard
    /// who accepted the incident sends photos, and every view is audited.
    @Test func photosOfAnIncidentAreKeptAsSentAndEveryViewIsAudited() async throws {
        let server = try await RiverTown.server()
        let op = try addUser(server, "olga", .operator)
        let taker = try addUser(server, "taker", .guard), other = try addUser(server, "other", .guard)
        let directory = temporaryDirectory()
        let file = directory + "/scene.jpg"
        let (status, output) = try await RecordingTests.EvidenceTests.run("/usr/bin/ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x480",
                                                                                               "-frames:v", "1", "-y", file])
        try #require(status == 0, "ffmpeg: \(output)")
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: file))
        let (_, sum) = try await RecordingTests.EvidenceTests.run("/usr/bin/sha256sum", [file])
        let expected = String(sum.prefix(64))
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            func upload(_ bytes: Data, _ token: String, key: String? = nil, incident: Int) async throws -> (HTTPResponse.Status, [String: Any]) {
                var headers: HTTPFields = [.contentType: "image/jpeg", .authorization: "Bearer \(token)"]
                if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
                return try await client.execute(uri: "/api/incidents/\(incident)/photos", method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) {
                    ($0.status, (try? JSONSerialization.jsonObject(with: Data($0.body.readableBytesView))) as? [String: Any] ?? [:])
                }
            }
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.northBank + 0.00005, 67.714), token: taker).status == .ok)
            let created = try await client.json(.post, "/api/incidents", #"{"latitude": \#(RiverTown.northBank + 0.00005), "longitude": 67.712, "summary": "door forced"}"#, token: op)
            let id = try #require(created.json["id"] as? Int)
            #expect(created.json["offeredTo"] as? String == "taker")
            // Offered is not yet taken: no photos until accepted.
            #expect(try await upload(jpeg, taker, incident: id).0 == .conflict)
            #expect(try await client.json(.post, "/api/incidents/\(id)/accept", token: taker).status == .ok)
            // Another guard does not see the incident at all.
            #expect(try await upload(jpeg, other, incident: id).0 == .notFound)
            for bad in [Data("not a picture".utf8), jpeg.prefix(jpeg.count / 2), Data()] {
                let (refused, problem) = try await upload(bad, taker, incident: id)
                #expect(refused == .unprocessableContent, "\(problem)")
                #expect(((problem["errors"] as? [[String: Any]])?.first?["field"] as? String) == "body", "\(problem)")
            }
            let (first, photo) = try await upload(jpeg, taker, key: "photo-1", incident: id)
            #expect(first == .created, "\(photo)")
            #expect(photo["sha256"] as? String == expected)
            #expect(photo["width"] as? Int == 640 && photo["height"] as? Int == 480)
            // The phone sends it again after a lost answer: the same photo, not a second.
            let (again, same) = try await upload(jpeg, taker, key: "photo-1", incident: id)
            #expect(again == .ok && same["id"] as? Int == photo["id"] as? Int)
            let listed = try await client.json(.get, "/api/incidents/\(id)/photos", token: op)
            #expect((listed.json["photos"] as? [[String: Any]])?.count == 1)
            let url = try #require(photo["url"] as? String)
            let served = try await client.execute(uri: url, method: .get, headers: [.authorization: "Bearer \(op)"]) { ($0.status, Data($0.body.readableBytesView), $0.headers[.contentType]) }
            #expect(served.0 == .ok && served.1 == jpeg && served.2 == "image/jpeg")
            #expect(try await client.json(.get, url, token: other).status == .notFound)
            #expect(try await client.json(.get, "/api/incidents/\(id)/photos/999999", token: op).status == .notFound)
            let views = try await server.catalog.auditEntries().filter { $0.action == "incident.photo.view" }
            #expect(views.count == 1 && views.first?.actor == "olga" && views.first?.detail.contains(expected) == true, "\(views)")
            #expect(try await server.catalog.auditEntries().filter { $0.action == "incident.photo" }.count >= 2)
        }
    }

    /// Checkpoint tours: an administrator adds a checkpoint (fields checked and named); the code
    /// and its printed address are for administrators only; a guard of the post scans it once per
    /// idempotency key, with the distance from where the phone was; a guard of another post or a
    /// wrong code finds nothing; the list says which checkpoints are overdue.
    @Test func checkpointsAreScannedOnceByTheirPostsGuardsAndOverdueOnesShow() async throws {
        let server = try await RiverTown.server()
        let op = try addUser(server, "olga", .operator)
        let walker = try addUser(server, "walker", .guard), stranger = try addUser(server, "stranger", .guard)
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            let post = try await client.json(.post, "/api/posts", #"{"name": "River post", "latitude": 47.79, "longitude": 67.71, "guards": ["walker"]}"#)
            let postID = try #require(post.json["id"] as? Int)
            let bad = try await client.json(.post, "/api/checkpoints", #"{"post": 99999, "name": " ", "latitude": 91, "longitude": 67.71, "everyMinutes": 0}"#)
            #expect(bad.status == .unprocessableContent)
            let fields = Set(((bad.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["name", "latitude", "everyMinutes"], "\(bad.json)")
            #expect(try await client.json(.post, "/api/checkpoints", #"{"post": 99999, "name": "Gate", "latitude": 47.79, "longitude": 67.71}"#).status == .unprocessableContent)
            #expect(try await client.json(.post, "/api/checkpoints", #"{"post": \#(postID), "name": "Gate", "latitude": 47.79, "longitude": 67.71}"#, token: op).status == .forbidden)
            var ids: [Int] = []
            var codes: [String] = []
            for (name, lon) in [("Bridge gate", 67.718), ("Boat shed", 67.705)] {
                let made = try await client.json(.post, "/api/checkpoints", #"{"post": \#(postID), "name": "\#(name)", "latitude": \#(RiverTown.northBank), "longitude": \#(lon), "everyMinutes": 30}"#)
                #expect(made.status == .created, "\(made.json)")
                ids.append(try #require(made.json["id"] as? Int))
                let url = try #require(made.json["url"] as? String)
                codes.append(try #require(url.components(separatedBy: "checkpoint=").last))
            }
            #expect(codes[0] != codes[1] && codes.allSatisfy { $0.count == 22 })
            // The printed code: an SVG for administrators, nothing for operators.
            let svg = try await client.execute(uri: "/api/checkpoints/\(ids[0])/code.svg", method: .get, headers: [.authorization: "Bearer \(testAdminToken)"]) {
                ($0.status, String(buffer: $0.body), $0.headers[.contentType])
            }
            #expect(svg.0 == .ok && svg.1.hasPrefix("<svg") && svg.2 == "image/svg+xml")
            #expect(try await client.json(.get, "/api/checkpoints/\(ids[0])/code.svg", token: op).status == .forbidden)
            // Operators and guards see the checkpoints but not their codes.
            let seenByGuard = try await client.json(.get, "/api/checkpoints", token: walker)
            #expect((seenByGuard.json["checkpoints"] as? [[String: Any]])?.count == 2)
            #expect((seenByGuard.json["checkpoints"] as? [[String: Any]])?.allSatisfy { $0["url"] == nil } == true)
            #expect((try await client.json(.get, "/api/checkpoints", token: stranger).json["checkpoints"] as? [[String: Any]])?.isEmpty == true)

            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "scan-1"]
            let scanBody = #"{"code": "\#(codes[0])", "latitude": \#(RiverTown.northBank + 0.0001), "longitude": 67.718}"#
            let scanned = try await client.json(.post, "/api/checkpoints/scan", scanBody, token: walker, headers: key)
            #expect(scanned.status == .created, "\(scanned.json)")
            let scan = try #require(scanned.json["scan"] as? [String: Any])
            #expect(scan["checkpointName"] as? String == "Bridge gate")
            let metres = try #require(scan["distanceMetres"] as? Double)
            #expect(abs(metres - 11.1) < 0.5, "\(metres) m")
            #expect(try await client.json(.post, "/api/checkpoints/scan", scanBody, token: walker, headers: key).status == .created)
            #expect(try await client.json(.post, "/api/checkpoints/scan", scanBody, token: stranger).status == .notFound)
            #expect(try await client.json(.post, "/api/checkpoints/scan", #"{"code": "\#(codes[0])x"}"#, token: walker).status == .notFound)
            #expect(try await client.json(.post, "/api/checkpoints/scan", #"{"code": "\#(codes[0])", "latitude": 47.79}"#, token: walker).status == .unprocessableContent)
            let scans = try await client.json(.get, "/api/checkpoint-scans", token: op)
            #expect((scans.json["scans"] as? [[String: Any]])?.count == 1, "\(scans.json)")
            let listed = try #require(try await client.json(.get, "/api/checkpoints?post=\(postID)", token: op).json["checkpoints"] as? [[String: Any]])
            #expect(listed.map { $0["overdue"] as? Bool } == [false, true])
            #expect((listed[0]["lastScan"] as? [String: Any])?["guardName"] as? String == "walker")
            #expect(try await server.catalog.auditEntries().filter { $0.action == "checkpoint.scan" }.count >= 2)
        }
    }

    /// A motion alert of a camera whose post dispatches by itself becomes one incident (a second
    /// alert of the same camera while it is open does not make another); clearing it acknowledges
    /// the alert in the guard's name, so the camera's next motion makes a new alert and incident.
    @Test func anAlertBecomesOneIncidentAndClearingItAcknowledgesTheAlert() async throws {
        let server = try await RiverTown.server()
        let runner = try addUser(server, "runner", .guard)
        let camera = try await server.catalog.insert(Camera(name: "Yard", rtspURL: "rtsp://127.0.0.1:9/none", latitude: RiverTown.northBank + 0.00005,
                                                            longitude: 67.712, district: "River"))
        _ = try await server.guards.addPost(Post(name: "Yard post", latitude: 47.79, longitude: 67.71, district: "River", cameras: [camera.id],
                                                 guards: ["runner"], autoDispatch: true))
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            #expect(try await client.json(.put, "/api/duty", Self.duty(RiverTown.northBank + 0.00005, 67.714), token: runner).status == .ok)
            let alert = try await server.alerts.raise(.motion, camera: camera.id, zone: "yard", message: "motion in zone yard")
            let incident = try #require(try await server.guards.incidentFromAlert(alert))
            #expect(incident.guardName == "runner" && incident.state == .offered && incident.alertID == alert.id)
            let again = try await server.alerts.raise(.motion, camera: camera.id, zone: "yard", message: "motion in zone yard")
            #expect(try await server.guards.incidentFromAlert(again) == nil)
            for step in ["accept", "arrive"] {
                #expect(try await client.json(.post, "/api/incidents/\(incident.id)/\(step)", token: runner).status == .ok)
            }
            #expect(try await server.catalog.alert(id: alert.id)?.acknowledgedMicros == nil)
            #expect(try await client.json(.post, "/api/incidents/\(incident.id)/clear", #"{"note": "cat in the bins"}"#, token: runner).status == .ok)
            let acknowledged = try #require(try await server.catalog.alert(id: alert.id))
            #expect(acknowledged.acknowledgedMicros != nil && acknowledged.acknowledgedBy == "runner")
            let next = try await server.alerts.raise(.motion, camera: camera.id, zone: "yard", message: "motion in zone yard")
            #expect(try await server.guards.incidentFromAlert(next)?.alertID == next.id)
        }
    }

    @Test func nobodyFreeEscalatesToTheOperatorsAndAPanicReachesThemAtOnce() async throws {
        let server = try await RiverTown.server()
        let op = try addUser(server, "olga", .operator)
        let guardToken = try addUser(server, "asel", .guard)
        let operatorUser = try #require(try await server.catalog.user(named: "olga"))
        let (alerts, cancel) = server.alerts.subscribe(user: operatorUser)
        defer { cancel() }
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            // Nobody on duty: the incident waits and the operators are told.
            let created = try await client.json(.post, "/api/incidents", #"{"latitude": 47.7902, "longitude": 67.71}"#, token: op)
            #expect(created.json["state"] as? String == "new" && created.json["escalated"] as? Bool == true, "\(created.json)")
            var iterator = alerts.makeAsyncIterator()
            #expect(await iterator.next()?.alert.kind == .incidentUnanswered)
            // A guard comes on duty: the waiting incident is offered to them.
            #expect(try await client.json(.put, "/api/duty", Self.duty(47.7902, 67.712), token: guardToken).status == .ok)
            try await server.guards.lapseExpiredOffers()
            #expect(try await server.guards.incident(id: Int64(try #require(created.json["id"] as? Int)))?.guardName == "asel")
            // Panic: stored, audited, and on the operators' alert stream by the time the press is
            // answered (timed from the answer, as ConnectionRightsTests does: on a busy machine the
            // request itself may wait; its own time is printed beside it).
            let clock = ContinuousClock()
            let pressed = clock.now
            let panic = try await client.json(.post, "/api/panic", #"{"latitude": 47.7899, "longitude": 67.705}"#, token: guardToken,
                                              headers: [HTTPField.Name("Idempotency-Key")!: "panic-1"])
            let answered = clock.now
            #expect(panic.status == .created)
            let notice = await iterator.next()
            let afterAnswer = clock.now - answered
            #expect(notice?.alert.kind == .panic && notice?.alert.message.contains("asel") == true)
            #expect(afterAnswer < .seconds(1), "the panic reached the operator \(afterAnswer) after the answer; the request took \(answered - pressed)")
            // The same press sent again (the phone was offline) is the same incident.
            let again = try await client.json(.post, "/api/panic", #"{"latitude": 47.7899, "longitude": 67.705}"#, token: guardToken,
                                              headers: [HTTPField.Name("Idempotency-Key")!: "panic-1"])
            #expect(again.json["id"] as? Int == panic.json["id"] as? Int)
            #expect(try await server.guards.incidents(openOnly: true).filter { $0.source == .panic }.count == 1)
        }
    }

    @Test func equipmentLedgerKnowsWhoHoldsWhatWithItsHistory() async throws {
        let server = try await RiverTown.server()
        let auditor = try addUser(server, "aigul", .auditor)
        let guardToken = try addUser(server, "bolat", .guard)
        _ = try addUser(server, "other", .guard)
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            let post = try await client.json(.post, "/api/posts", #"{"name": "Gate 3", "latitude": 47.79, "longitude": 67.71}"#)
            let postID = try #require(post.json["id"] as? Int)
            let radio = try await client.json(.post, "/api/equipment", #"{"kind": "radio", "number": "17", "serial": "MOT-8812", "condition": "new"}"#)
            #expect(radio.status == .created)
            let radioID = try #require(radio.json["id"] as? Int)
            #expect(try await client.json(.post, "/api/equipment", #"{"kind": "radio", "number": "17"}"#).status == .conflict)
            let van = try await client.json(.post, "/api/equipment", #"{"kind": "vehicle", "number": "V-2", "serial": "=HYPERLINK(1)"}"#)
            let vanID = try #require(van.json["id"] as? Int)
            #expect(try await client.json(.post, "/api/equipment/\(radioID)/issue", #"{"to": "guard:bolat"}"#).status == .ok)
            #expect(try await client.json(.post, "/api/equipment/\(radioID)/issue", #"{"to": "guard:other"}"#).status == .conflict)
            #expect(try await client.json(.post, "/api/equipment/\(vanID)/issue", #"{"to": "guard:nobody"}"#).status == .unprocessableContent)
            #expect(try await client.json(.post, "/api/equipment/\(vanID)/issue", #"{"to": "post:\#(postID)"}"#).status == .ok)
            // Who holds radio 17; what does the post hold.
            let who = try await client.json(.get, "/api/equipment?number=17", token: auditor)
            #expect((who.json["equipment"] as? [[String: Any]])?.first?["holder"] as? String == "guard:bolat")
            let held = try await client.json(.get, "/api/equipment?holder=post:\(postID)", token: auditor)
            #expect((held.json["equipment"] as? [[String: Any]])?.map { $0["number"] as? String } == ["V-2"])
            // A guard sees what they hold, nothing else.
            let mine = try await client.json(.get, "/api/equipment", token: guardToken)
            #expect((mine.json["equipment"] as? [[String: Any]])?.map { $0["number"] as? String } == ["17"])
            #expect(try await client.json(.get, "/api/equipment/\(vanID)", token: guardToken).status == .notFound)
            #expect(try await client.json(.post, "/api/equipment/\(radioID)/return", #"{"condition": "damaged", "note": "antenna bent"}"#).status == .ok)
            let history = try await client.json(.get, "/api/equipment/\(radioID)", token: auditor)
            let events = try #require(history.json["history"] as? [[String: Any]])
            #expect(events.map { $0["action"] as? String } == ["added", "issued", "returned"])
            #expect(events.last?["condition"] as? String == "damaged" && events.last?["note"] as? String == "antenna bent")
            // CSV for the ledger; a serial that looks like a formula stays text.
            let csv = try await client.execute(uri: "/api/equipment.csv", method: .get, headers: [.authorization: "Bearer \(auditor)"]) {
                String(buffer: $0.body)
            }
            #expect(csv.contains("'=HYPERLINK(1)") && csv.contains("radio,17,MOT-8812,damaged,store"))
            let actions = try await server.catalog.auditEntries().map(\.action)
            #expect(actions.filter { $0.hasPrefix("equipment.") }.count >= 6)
        }
    }

    @Test func positionReportsAreSeenAtOnceAndStoredInOneBatch() async throws {
        let server = try await RiverTown.server()
        let op = try addUser(server, "olga", .operator)
        let guardToken = try addUser(server, "asel", .guard)
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            #expect(try await client.json(.put, "/api/duty", Self.duty(47.7902, 67.700), token: guardToken).status == .ok)
            let started = try #require(try await server.catalog.record(kind: "guards.duty", key: "asel"))
            for n in 1...10 {
                #expect(try await client.json(.put, "/api/duty", Self.duty(47.7902, 67.700 + Double(n) * 0.001), token: guardToken).status == .ok)
            }
            // Operators (and dispatch) see the newest position at once …
            let duty = try await client.json(.get, "/api/duty", token: op)
            let row = try #require((duty.json["duty"] as? [[String: Any]])?.first)
            #expect(abs((row["longitude"] as? Double ?? 0) - 67.710) < 1e-9)
            // … while the catalogue was not written for each report,
            #expect(try await server.catalog.record(kind: "guards.duty", key: "asel")?.revision == started.revision)
            // but once, with the newest, when the batch is stored.
            try await server.guards.flushPositions()
            let stored = try #require(try await server.catalog.record(kind: "guards.duty", key: "asel"))
            let body = try JSONDecoder().decode(Duty.self, from: stored.body)
            #expect(abs((body.position?.longitude ?? 0) - 67.710) < 1e-9 && body.onDuty)
            #expect(stored.revision > started.revision)
            // Ending duty is stored at once and audited.
            let ended = try await client.json(.put, "/api/duty", #"{"onDuty": false}"#, token: guardToken)
            #expect(ended.json["onDuty"] as? Bool == false)
            #expect(try await server.catalog.record(kind: "guards.duty", key: "asel")?.tag == "off")
            #expect(try await server.catalog.auditEntries().filter { $0.action == "duty.end" }.count == 1)
        }
    }

    /// The phone's duty stream: positions go up it (stored as `PUT /api/duty` would), a bad report
    /// is answered and changes nothing, and an offer comes down it the moment it is made.
    @Test func theDutyStreamTakesPositionsAndBringsOffersAtOnce() async throws {
        let server = try await RiverTown.server()
        let op = try addUser(server, "olga", .operator)
        let guardToken = try addUser(server, "along", .guard)
        let router = server.http.makeRouter()
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
        let heard = Heard()
        try await app.test(.live) { client in
            try await client.ws("/api/duty/stream", configuration: .init(additionalHeaders: [.authorization: "Bearer \(guardToken)"])) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"onDuty": true, "latitude": \#(RiverTown.northBank + 0.00005), "longitude": 67.714, "accuracy": 5}"#))
                try await outbound.write(.text(#"{"latitude": 91, "longitude": 67.714}"#))
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                var offered = false
                while let message = try await iterator.next() {
                    guard case .text(let text) = message, let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                    heard.append(json)
                    let type = json["type"] as? String
                    if type == "duty" {
                        // On duty with the position: an operator's incident is offered to this phone.
                        let created = try await client.execute(uri: "/api/incidents", method: .post,
                                                               headers: [.authorization: "Bearer \(op)", .contentType: "application/json"],
                                                               body: ByteBuffer(string: #"{"latitude": \#(RiverTown.northBank + 0.00005), "longitude": 67.710}"#)) { $0.status }
                        #expect(created == .created)
                    }
                    if type == "incident", (json["incident"] as? [String: Any])?["offeredTo"] as? String == "along" {
                        offered = true
                        break
                    }
                }
                #expect(offered)
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
        let messages = heard.all
        #expect(messages.contains { $0["type"] as? String == "error" && ($0["detail"] as? String ?? "").contains("latitude") })
        let duty = try #require(try await server.guards.duty(of: "along"))
        #expect(duty.onDuty && abs((duty.position?.longitude ?? 0) - 67.714) < 1e-9)
        #expect(try await server.catalog.auditEntries().contains { $0.action == "duty.start" && $0.actor == "along" })
    }
}

/// Messages a test's WebSocket heard (JSON objects are not Sendable).
final class Heard: @unchecked Sendable {
    private let lock = Mutex(())
    private var messages: [[String: Any]] = []
    func append(_ message: [String: Any]) { lock.withLock { _ in messages.append(message) } }
    var all: [[String: Any]] { lock.withLock { _ in messages } }
}
