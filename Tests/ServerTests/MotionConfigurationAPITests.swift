import Analytics
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Media
import Motion
import Simulator
import Testing

@testable import App
@testable import Server

/// `GET|PUT /api/cameras/{id}/motion` and the analysis queue of ``MotionSink``.
@Suite struct MotionConfigurationAPITests {
    static let zone = #"{"name": "door", "kind": "alert", "polygon": {"points": [{"x": 0.1, "y": 0.5}, {"x": 0.6, "y": 0.5}, {"x": 0.6, "y": 0.9}]}, "schedule": "22:00-06:00"}"#

    @Test func badConfigurationIsRejectedNamingTheField() async throws {
        let server = try await makeServer()
        let camera = try await server.catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://127.0.0.1:1/x", latitude: 1, longitude: 2))
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let cases: [(body: String, field: String)] = [
                (#"{"zones": [{"name": "door", "kind": "alert", "polygon": {"points": [{"x": 0.1, "y": 0.5}, {"x": 1.6, "y": 0.5}, {"x": 0.6, "y": 0.9}]}}]}"#, "zones[0].polygon[1].x"),
                (#"{"zones": [\#(Self.zone), {"name": "tree", "kind": "ignore", "polygon": {"points": [{"x": 0, "y": 0}, {"x": 1, "y": 1}, {"x": 1, "y": 0}, {"x": 0, "y": 1}]}}]}"#, "zones[1].polygon"),
                (#"{"zones": [{"name": "door", "kind": "alert", "schedule": "25:00-06:00", "polygon": {"points": [{"x": 0.1, "y": 0.5}, {"x": 0.6, "y": 0.5}, {"x": 0.6, "y": 0.9}]}}]}"#, "zones[0].schedule[0]"),
                (#"{"zones": [{"name": "door", "kind": "window", "polygon": {"points": [{"x": 0.1, "y": 0.5}, {"x": 0.6, "y": 0.5}, {"x": 0.6, "y": 0.9}]}}]}"#, "zones[0].kind"),
                (#"{"zones": [\#(Self.zone), \#(Self.zone)]}"#, "zones[1].name"),
                (#"{"settings": {"sensitivity": 0}}"#, "settings.sensitivity"),
                (#"{"settings": {"loudness": 3}}"#, "settings.loudness"),
                (#"{"settings": {"decoding": "sometimes"}}"#, "settings.decoding"),
                (#"{"settings": {"decoding": 1}}"#, "settings.decoding"),
                (#"{"zones": [{"kind": "alert", "polygon": {"points": []}}]}"#, "zones[0].name"),
                (#"{"enabled": "yes"}"#, "enabled"),
                (#"{"timeZone": "Mars/Olympus"}"#, "timeZone"),
                (#"{"timeZone": "UTC+5"}"#, "timeZone"),
                (#"{"timeZone": 5}"#, "timeZone"),
            ]
            for (body, field) in cases {
                let r = try await client.json(.put, "/api/cameras/\(camera.id)/motion", body)
                let fields = (r.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(r.status == .unprocessableContent && fields == [field], "\(body) → \(r.status) \(r.json)")
                #expect(r.headers[.contentType] == "application/problem+json")
            }
            #expect(try await client.json(.put, "/api/cameras/\(camera.id)/motion", "{").status == .badRequest)
            #expect(server.motion.configuration(camera: camera.id) == nil, "a rejected configuration was applied")
            #expect(try await server.catalog.motionConfiguration(camera: camera.id) == nil)
        }
    }

    @Test func administratorsWriteOperatorsReadAndChangesRestartTheAnalyzer() async throws {
        let server = try await makeServer()
        let camera = try await server.catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://127.0.0.1:1/x", latitude: 1, longitude: 2))
        let operatorToken = try addUser(server, "olga", .operator)
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let initial = try await client.json(.get, "/api/cameras/\(camera.id)/motion", token: operatorToken)
            #expect(initial.status == .ok && initial.json["enabled"] as? Bool == false && (initial.json["zones"] as? [Any])?.isEmpty == true, "\(initial.json)")
            #expect(try await client.json(.put, "/api/cameras/\(camera.id)/motion", #"{"zones": [\#(Self.zone)]}"#, token: operatorToken).status == .forbidden)
            #expect(try await client.json(.put, "/api/cameras/\(camera.id)/motion", "{}", token: nil).status == .unauthorized)

            let saved = try await client.json(.put, "/api/cameras/\(camera.id)/motion", #"{"settings": {"sensitivity": 80}, "zones": [\#(Self.zone)]}"#)
            #expect(saved.status == .ok, "\(saved.json)")
            let shown = try await client.json(.get, "/api/cameras/\(camera.id)/motion", token: operatorToken)
            #expect(shown.json["enabled"] as? Bool == true)
            #expect((shown.json["settings"] as? [String: Any])?["sensitivity"] as? Int == 80)
            #expect((shown.json["settings"] as? [String: Any])?["analysisFPS"] as? Double == 5)
            #expect((shown.json["settings"] as? [String: Any])?["decoding"] as? String == "keyFramesWhenQuiet")
            let zones = try #require(shown.json["zones"] as? [[String: Any]])
            #expect(zones.first?["schedule"] as? String == "22:00-06:00" && zones.first?["name"] as? String == "door")
            let first = try #require(server.motion.configuration(camera: camera.id))
            #expect(first.settings.sensitivity == 80 && first.zones.first?.schedule.windows.first?.start == 22 * 60)

            _ = try await client.json(.put, "/api/cameras/\(camera.id)/motion", #"{"settings": {"sensitivity": 30, "decoding": "everyFrame"}}"#)
            #expect(server.motion.configuration(camera: camera.id)?.settings.sensitivity == 30)
            #expect(server.motion.configuration(camera: camera.id)?.settings.decoding == .everyFrame)
            _ = try await client.json(.put, "/api/cameras/\(camera.id)/motion", #"{"enabled": false}"#)
            #expect(server.motion.configuration(camera: camera.id) == nil)
            #expect(try await client.json(.get, "/api/cameras/999/motion").status == .notFound)
        }
        let audit = try await server.catalog.auditEntries().filter { $0.action == "camera.motion" }
        #expect(audit.count == 3 && audit.allSatisfy { $0.actor == "test-admin" }, "\(audit)")
        #expect(audit.first?.detail.contains("alert door") == true, "\(audit.first?.detail ?? "")")
        // At start-up, what is stored and enabled is analysed again.
        try await server.startMotion()
        #expect(server.motion.configuration(camera: camera.id) == nil, "a disabled configuration was started")
        try await server.catalog.setMotionConfiguration(#"{"enabled": true, "configuration": {"settings": \#(String(decoding: try JSONEncoder().encode(MotionSettings()), as: UTF8.self)), "zones": []}}"#, camera: camera.id)
        try await server.startMotion()
        #expect(server.motion.configuration(camera: camera.id) != nil)
        await server.motion.stopAll()
    }

    /// Fed far faster than it can decode, the sink drops whole GOP tails (resuming only at key
    /// frames, so the decoder never sees a unit whose reference is missing) and never queues more
    /// than its bound; ingest never waits.
    @Test func aSlowAnalyzerDropsWholeGOPsAndNeverBlocksIngest() async throws {
        var spec = SceneSpec()
        spec.width = 640
        spec.height = 360
        spec.gopFrames = 25
        spec.loopSeconds = 8
        let stream = try SimulatedStream(spec: spec, cacheDirectory: NSTemporaryDirectory() + "aula-motion-server-tests")
        let server = try await makeServer()
        let sink = MotionSink(events: MotionEventRecorder(catalog: server.catalog, alerts: server.alerts, logger: server.logger), maxQueuedUnits: 30, logger: server.logger)
        sink.configure(camera: 1, try MotionConfiguration())
        let parameters = try VideoParameters(codec: .h264, parameterSets: stream.parameterSets)
        let units = stream.accessUnits
        let clock = ContinuousClock()
        var slowest = Duration.zero
        for (i, unit) in (units + units.map { var u = $0; u.timestamp += Int64(units.count) * 3600; return u }).enumerated() {
            let started = clock.now
            sink.accessUnit(camera: 1, unit: unit, parameters: parameters, wallTime: Int64(i) * 40_000)
            sink.accessUnit(camera: 2, unit: unit, parameters: parameters, wallTime: Int64(i) * 40_000)
            slowest = max(slowest, clock.now - started)
        }
        #expect(slowest < .milliseconds(50), "ingest waited \(slowest)")
        #expect(sink.counters()[2] == nil, "a camera without motion settings was queued")
        let handled = { () -> Int in let c = sink.counters()[1]!; return c.analysed + c.dropped + c.decoderErrors }
        #expect(await eventually(stall: .seconds(30), progress: handled) { handled() == 2 * units.count }, "\(handled()) of \(2 * units.count) units handled")
        let c = try #require(sink.counters()[1])
        #expect(c.overflows >= 1 && c.dropped > 0, "\(c)")
        #expect(c.decoderErrors == 0, "a unit reached the decoder without its reference: \(c)")
        await sink.stopAll()
    }
}
