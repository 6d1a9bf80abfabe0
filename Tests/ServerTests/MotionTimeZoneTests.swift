import Analytics
import Foundation
import Motion
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing

@testable import App
@testable import Server

/// Schedules are read in the site's time zone, not the server's (docs/motion.md, "Time zones").
///
/// The test picks two real IANA zones from the system's database at run time: the *site* zone,
/// where it is now close to midnight, and the *server* zone, where it is now close to noon (so the
/// two are about 12 hours apart, whatever the machine's own zone and the time of day). The server
/// runs with `timeZone` = the server zone (`aula serve --time-zone`). Both cameras get the same two
/// alert zones over the same ground: "site", scheduled around now in site time, a window that
/// crosses midnight; and "server", scheduled around now in server time. Camera A's settings name
/// the site zone; camera B's name none. A must raise events only in "site", B only in "server".
@Suite(.serialized) struct MotionTimeZoneTests {
    /// The known zone whose local time now is nearest to `target` minutes after midnight.
    static func zone(nearest target: Int, at now: Date) -> (TimeZone, minute: Int) {
        var best: (TimeZone, Int, Int)?
        for identifier in TimeZone.knownTimeZoneIdentifiers.sorted() where identifier.contains("/") && !identifier.hasPrefix("Etc/") {
            guard let zone = ScheduleTimeZone.named(identifier) else { continue }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let c = calendar.dateComponents([.hour, .minute], from: now)
            let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
            let d = abs(minute - target), distance = min(d, 1440 - d)
            if best == nil || distance < best!.2 { best = (zone, minute, distance) }
        }
        return (best!.0, best!.1)
    }

    static func hm(_ m: Int) -> String { String(format: "%02d:%02d", ((m % 1440) + 1440) % 1440 / 60, ((m % 60) + 60) % 60) }

    @Test(.timeLimit(.minutes(3))) func schedulesFollowTheSiteTimeZoneAcrossMidnight() async throws {
        let now = Date()
        let (site, siteMinute) = Self.zone(nearest: 0, at: now)
        let (server, serverMinute) = Self.zone(nearest: 12 * 60, at: now)
        let siteWindow = "\(Self.hm(siteMinute - 90))-\(Self.hm(siteMinute + 90))"
        let serverWindow = "\(Self.hm(serverMinute - 90))-\(Self.hm(serverMinute + 90))"
        // The site's window must really cross midnight, and neither zone may be inside the other's.
        try #require(siteMinute >= 22 * 60 + 30 || siteMinute <= 90, "no zone near midnight: \(site.identifier) at \(Self.hm(siteMinute))")
        let apart = abs(site.secondsFromGMT(for: now) - server.secondsFromGMT(for: now)) / 60
        try #require(min(apart, 1440 - apart) >= 4 * 60, "\(site.identifier) and \(server.identifier) are only \(apart) min apart")
        print("site \(site.identifier) \(Self.hm(siteMinute)) window \(siteWindow); server \(server.identifier) \(Self.hm(serverMinute)) window \(serverWindow); system \(TimeZone.current.identifier)")

        let simulator = try await CameraSimulator.make(cameras: 2, base: MotionAlertTests.spec(), cacheDirectory: NSTemporaryDirectory() + "aula-motion-server-tests")
        let rtspPort = try await simulator.start(port: 0)
        let aula = try await makeServer { $0.timeZone = server }
        try await aula.startRecorder()
        let siteCamera = try await aula.catalog.insert(.init(name: "Site clock", rtspURL: "rtsp://127.0.0.1:\(rtspPort)/sim/1", latitude: 1, longitude: 2))
        let serverCamera = try await aula.catalog.insert(.init(name: "Server clock", rtspURL: "rtsp://127.0.0.1:\(rtspPort)/sim/2", latitude: 1, longitude: 2))
        let ground = #"{"points": [{"x": 0, "y": 0.36}, {"x": 1, "y": 0.36}, {"x": 1, "y": 1}, {"x": 0, "y": 1}]}"#
        let zones = #"[{"name": "site", "kind": "alert", "polygon": \#(ground), "schedule": "\#(siteWindow)"}, {"name": "server", "kind": "alert", "polygon": \#(ground), "schedule": "\#(serverWindow)"}]"#
        let app = Application(router: aula.makeRouter())
        try await app.test(.router) { client in
            let a = try await client.json(.put, "/api/cameras/\(siteCamera.id)/motion", #"{"timeZone": "\#(site.identifier)", "zones": \#(zones)}"#)
            #expect(a.status == .ok && a.json["timeZone"] as? String == site.identifier && a.json["scheduleTimeZone"] as? String == site.identifier, "\(a.json)")
            let b = try await client.json(.put, "/api/cameras/\(serverCamera.id)/motion", #"{"zones": \#(zones)}"#)
            #expect(b.status == .ok && b.json["timeZone"] is NSNull && b.json["scheduleTimeZone"] as? String == server.identifier, "\(b.json)")
            #expect(aula.motion.timeZone(camera: siteCamera.id) == site && aula.motion.timeZone(camera: serverCamera.id) == server)
            await aula.recorder.update(siteCamera)
            await aula.recorder.update(serverCamera)

            func events(_ camera: Int64, _ zone: String) async throws -> Int {
                (try await client.json(.get, "/api/events?camera=\(camera)&zone=\(zone)").json["events"] as? [Any])?.count ?? 0
            }
            let both = try await eventually(timeout: .seconds(40)) {
                let a = try await events(siteCamera.id, "site"), b = try await events(serverCamera.id, "server")
                return a > 0 && b > 0
            }
            let inSite = try await events(siteCamera.id, "site"), inServer = try await events(serverCamera.id, "server")
            #expect(both, "site camera: \(inSite) events in its site-time window; server camera: \(inServer) in its server-time window")
            try await Task.sleep(for: .seconds(2))
            #expect(try await events(siteCamera.id, "server") == 0, "the site camera raised events in the server-time window")
            #expect(try await events(serverCamera.id, "site") == 0, "the server camera raised events in the site-time window")

            // The zone is stored with the settings: start-up re-creates the analysis in it.
            let shown = try await client.json(.get, "/api/cameras/\(siteCamera.id)/motion")
            #expect(shown.json["timeZone"] as? String == site.identifier)
            await aula.motion.stopAll()
            try await aula.startMotion()
            #expect(aula.motion.timeZone(camera: siteCamera.id) == site && aula.motion.timeZone(camera: serverCamera.id) == server)
            // Back to the server's zone with null.
            let cleared = try await client.json(.put, "/api/cameras/\(siteCamera.id)/motion", #"{"timeZone": null, "zones": \#(zones)}"#)
            #expect(cleared.json["timeZone"] is NSNull && cleared.json["scheduleTimeZone"] as? String == server.identifier, "\(cleared.json)")
            #expect(aula.motion.timeZone(camera: siteCamera.id) == server)
        }
        await aula.recorder.stopAll()
        await aula.motion.stopAll()
        await simulator.stop()
    }
}
