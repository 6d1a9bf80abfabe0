import ArgumentParser
import Catalog
import Analytics
import Foundation
import Guards
import Motion
import Logging
import App
import CityServices
import Server
import Simulator

struct Demo: AsyncParsableCommand {
    /// Documented in README.md; only ever served on a loopback address.
    static let login = (name: "demo", password: "aula-demo-login")
    /// The demo's guards (docs/guards.md): sign in on /guard.html, in a phone or a narrow window.
    static let guards = ["guard-1", "guard-2"]
    static let guardPassword = "aula-demo-guard"

    static let configuration = CommandConfiguration(abstract: "Start 8 simulated cameras and the server, with data under ./aula-data.")

    @OptionGroup var dataOptions: DataOptions
    var data: String { dataOptions.data }

    @Option(help: "Address for the web UI and API, HOST:PORT.")
    var listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(help: "Port of the simulated cameras.")
    var rtspPort: Int = 8554

    @Option(help: "Number of simulated cameras.")
    var cameras: Int = 8

    @OptionGroup var scene: SceneOptions

    @Flag(inversion: .prefixedNo, help: "Give each simulated camera an H.264 sub stream (half the size), as real cameras have.")
    var subStreams = true

    @Option(help: "OpenStreetMap extract the demo's cameras stand in (imported when no city is imported yet), or \"none\" for a made-up block in Zhezkazgan without a map.")
    var city: String = "../shared/data/osm/monaco.osm.gz"

    func run() async throws {
        guard (1...64).contains(cameras) else { throw ValidationError("--cameras must be between 1 and 64") }
        // The demo has a published password: it refuses to listen beyond this machine.
        guard ["127.0.0.1", "localhost", "::1"].contains(listen.host) else {
            throw ValidationError("the demo has a published password, so it only listens on 127.0.0.1, localhost or ::1")
        }
        let logger = makeLogger("info")
        say("Preparing \(cameras) simulated cameras (the first run encodes the scenes; later runs reuse them)…")
        // Someone crosses a courtyard every ten seconds or so: each crossing is a motion event of its
        // own (with people every three seconds, as in the benchmarks, one event would never end).
        var base = try scene.spec()
        base.meanGap = 10
        let simulator = try await CameraSimulator.make(cameras: cameras, base: base, cacheDirectory: data + "/sim-cache",
                                                       subStreams: subStreams, logger: logger)
        let rtspPort = try await simulator.start(host: "127.0.0.1", port: rtspPort)
        let server = try AulaApp(configuration: ServerConfiguration(dataDirectory: data, host: listen.host, port: listen.port), catalog: try await dataOptions.openCatalog(), logger: logger)
        let prepared = city == "none" ? nil : try await DemoCity.prepare(file: city, store: CityStore(server.catalog), cameras: cameras)
        if city != "none" && prepared == nil {
            say("No city is imported and \(city) is not there: the cameras stand in a made-up block without a map (see `aula import`).")
        }
        if let prepared, prepared.imported {
            say("Imported \(city) as \"\(DemoCity.district)\" with labelled synthetic offences and a pilot area.")
        }
        let site = try await DemoDistrict.register(cameras: cameras, rtspPort: rtspPort, subStreams: subStreams, city: prepared, in: server.catalog)
        // The demo's documented login (README). Real installations get a one-time password from
        // `aula serve` instead.
        try await server.accounts.setUser(name: Self.login.name, role: .administrator, password: Self.login.password)
        let patrols = try await DemoDistrict.prepareGuards(server, site: site, names: Self.guards, password: Self.guardPassword)
        let patrolTask = Task {
            await DemoPatrols(guards: server.guards, patrols: patrols, people: Set(Self.guards), logger: logger).run()
        }
        defer { patrolTask.cancel() }
        try await server.run { port in
            say("""

                Aula demo is running: http://\(listen.host):\(port)/
                  sign in:  \(Self.login.name) / \(Self.login.password)
                  API:      TOKEN=$(aula token create --user \(Self.login.name) --data \(data))
                            curl -H "Authorization: Bearer $TOKEN" http://\(listen.host):\(port)/api/cameras
                  city:     \(prepared == nil ? "none (the cameras stand in a made-up block)" : "\(site.district): coverage, hot spots, a plan and the pilot on /map.html")
                  guards:   \(Self.guards.joined(separator: ", ")) / \(Self.guardPassword) on /guard.html (a phone, or a narrow window);
                            motion alerts of the courtyard cameras become incidents offered to the nearest guard on duty
                            (/dispatch.html); \(patrols.map(\.name).joined(separator: " and ")) answer them while no person is on duty
                  \(cameras) simulated cameras at rtsp://127.0.0.1:\(rtspPort)/sim/1 … /sim/\(cameras)
                Press Ctrl-C to stop.
                """)
        }
        await simulator.stop()
    }
}

/// Where the demo's cameras stand: in the imported city (``DemoCity``) or, without one, around a
/// made-up block near the centre of Zhezkazgan, named so that nobody mistakes it for a real one.
enum DemoDistrict {
    static let name = "Demo district (synthetic)"
    // Near the centre of Zhezkazgan, the city behind the programme.
    static let origin = (lat: 47.7836, lon: 67.7136)

    /// The cameras as registered, and the district's centre (the post stands there).
    struct Site {
        var district: String
        var latitude: Double
        var longitude: Double
        var cameras: [Camera]
    }

    /// Registers the simulated cameras, or moves the demo's cameras of an older data folder to the
    /// city (matched by their simulator address `/sim/N`); what an administrator changed in a
    /// camera's place later stays.
    static func register(cameras count: Int, rtspPort: Int, subStreams withSubStreams: Bool = true, city: DemoCity.Prepared?, in store: any CameraStore) async throws -> Site {
        let district = city == nil ? name : DemoCity.district
        let centre = city.map { $0.city.projection.unproject($0.pilotCentre) }
        let (lat0, lon0) = centre.map { ($0.latitude, $0.longitude) } ?? origin
        let existing = try await store.cameras()
        var registered: [Camera] = []
        for i in 1...count {
            let url = "rtsp://127.0.0.1:\(rtspPort)/sim/\(i)"
            // Each simulated camera has a sub stream, as real ones do: the wall and motion use it.
            let sub = withSubStreams ? CameraStream(rtspURL: url + "/sub") : nil
            var camera: Camera
            if let placement = city.flatMap({ i <= $0.placements.count ? $0.placements[i - 1] : nil }), let city {
                let at = city.city.projection.unproject(placement.position)
                camera = Camera(name: "Demo camera \(i): \(placement.name)", rtspURL: url, latitude: at.latitude, longitude: at.longitude,
                                heading: placement.heading, fieldOfView: 90, range: placement.range, mountingHeight: 6,
                                address: placement.address, site: placement.site, district: district)
            } else {
                // A ring around the centre, looking outwards from the middle of the block.
                let angle = Double(i - 1) / Double(count) * 2 * Double.pi
                camera = Camera(name: "Demo courtyard camera \(i)", rtspURL: url,
                                latitude: lat0 + 0.0008 * cos(angle), longitude: lon0 + 0.0012 * sin(angle),
                                heading: (Double(i - 1) / Double(count) * 360 + 180).truncatingRemainder(dividingBy: 360),
                                fieldOfView: 90, range: 35, mountingHeight: 6,
                                address: "Demo block \(1 + (i - 1) / 4), entrance \(1 + (i - 1) % 4)",
                                site: i % 4 == 0 ? .street : .courtyard, district: district)
            }
            camera.subStream = sub
            if var old = existing.first(where: { $0.rtspURL.hasPrefix("rtsp://127.0.0.1:") && $0.rtspURL.hasSuffix("/sim/\(i)") }) {
                let moved = old.district != district
                // Whether a user records the sub stream, and for how long, stays as they set it.
                var keptSub = sub
                if let set = old.subStream { keptSub?.record = set.record; keptSub?.maxAgeDays = set.maxAgeDays }
                if old.rtspURL != url || old.subStream != keptSub || moved {
                    old.rtspURL = url
                    old.subStream = keptSub
                    if moved {
                        (old.name, old.latitude, old.longitude, old.heading, old.fieldOfView, old.range, old.address, old.site, old.district) =
                            (camera.name, camera.latitude, camera.longitude, camera.heading, camera.fieldOfView, camera.range, camera.address, camera.site, camera.district)
                    }
                    _ = try await store.update(old)
                }
                registered.append(old)
                continue
            }
            registered.append(try await store.insert(camera))
        }
        return Site(district: district, latitude: lat0, longitude: lon0, cameras: registered)
    }

    /// The demo's guards (people, on /guard.html) and patrols (played by the demo), who see the
    /// district's cameras; a post that answers for them and dispatches their alerts by itself;
    /// motion analysis with zones on the courtyard cameras; a ledger of the programme's equipment
    /// and today's shifts. Each is set up once: what an administrator changed later stays.
    static func prepareGuards(_ server: AulaApp, site: Site, names: [String], password: String) async throws -> [DemoPatrols.Patrol] {
        let streetCamera = site.cameras.last { $0.site == .street } ?? site.cameras.last
        let patrols = [
            DemoPatrols.Patrol(name: "patrol-1", latitude: site.latitude, longitude: site.longitude),
            DemoPatrols.Patrol(name: "patrol-2", latitude: streetCamera?.latitude ?? site.latitude, longitude: streetCamera?.longitude ?? site.longitude),
        ]
        let grant = AccessGrant(effect: .allow, scope: .district, target: site.district)
        for name in names + patrols.map(\.name) {
            // Patrols never sign in: their password is random and printed nowhere.
            try await server.accounts.setUser(name: name, role: .guard, password: names.contains(name) ? password : UUID().uuidString + UUID().uuidString)
            // The grant moves with the demo's cameras (an older data folder had another district).
            if var user = try await server.catalog.user(named: name), user.grants != [grant],
               user.grants.allSatisfy({ $0.scope == .district && [Self.name, DemoCity.district].contains($0.target) }) {
                user.grants = [grant]
                _ = try await server.catalog.update(user)
            }
        }
        let ids = site.cameras.map(\.id).sorted()
        let everyone = names + patrols.map(\.name)
        var post: Post
        if var old = try await server.guards.posts().first(where: { $0.name == "Demo post" }) {
            if old.district != site.district {
                (old.latitude, old.longitude, old.district, old.cameras, old.guards) = (site.latitude, site.longitude, site.district, ids, everyone)
                old = try await server.guards.updatePost(old) ?? old
            }
            post = old
        } else if try await server.guards.posts().isEmpty {
            post = try await server.guards.addPost(Post(name: "Demo post", latitude: site.latitude, longitude: site.longitude, district: site.district,
                                                        cameras: ids, guards: everyone, autoDispatch: true))
        } else {
            return patrols
        }
        // Motion with zones on up to four courtyard cameras (the façade's windows ignored; the
        // courtyard's ground raises alerts).
        for camera in site.cameras.filter({ $0.site == .courtyard }).prefix(4) where try await server.catalog.cameraMotion(camera: camera.id) == nil {
            let zones = [Zone(name: "courtyard", kind: .alert, polygon: try .rectangle(x0: 0, y0: 0.36, x1: 1, y1: 1)),
                         Zone(name: "windows", kind: .ignore, polygon: try .rectangle(x0: 0, y0: 0, x1: 1, y1: 0.34))]
            try await server.catalog.setCameraMotion(CameraMotion(enabled: true, configuration: try MotionConfiguration(zones: zones)), camera: camera.id)
        }
        try await prepareLedger(server, post: post, guards: everyone)
        return patrols
    }

    /// What the programme equips guards with (radios, uniforms, a vehicle, office equipment), some
    /// issued; and a shift for each guard from two hours ago to ten hours from now.
    static func prepareLedger(_ server: AulaApp, post: Post, guards: [String]) async throws {
        if try await server.guards.equipment().isEmpty {
            let items: [(String, String, String, String?)] = [
                ("radio", "R-01", "KZ-RD-0001", "guard:patrol-1"), ("radio", "R-02", "KZ-RD-0002", "guard:patrol-2"),
                ("radio", "R-03", "KZ-RD-0003", nil), ("radio", "R-04", "KZ-RD-0004", nil),
                ("uniform", "U-01", "size 50", "guard:patrol-1"), ("uniform", "U-02", "size 52", "guard:patrol-2"),
                ("vehicle", "V-01", "patrol car 123 ABC 05", "post:\(post.id)"),
                ("office", "O-01", "laptop for the post", "post:\(post.id)"),
            ]
            for (kind, number, serial, holder) in items {
                guard let item = try await server.guards.addEquipment(EquipmentItem(kind: kind, number: number, serial: serial, condition: .new), by: "demo"),
                      let holder else { continue }
                _ = try await server.guards.changeEquipment(id: item.id, action: "issued", holder: holder, condition: nil, note: "demo", by: "demo")
            }
        }
        let now = GuardService.nowMicros()
        let hour: Int64 = 3_600_000_000
        if try await server.guards.shifts(from: now, to: now + 1).isEmpty {
            for name in guards {
                _ = try await server.guards.addShift(Shift(post: post.id, guardName: name, startMicros: now - 2 * hour, endMicros: now + 10 * hour))
            }
        }
    }
}
