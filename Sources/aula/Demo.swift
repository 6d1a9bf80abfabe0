import ArgumentParser
import Catalog
import Analytics
import Foundation
import Guards
import Motion
import Logging
import App
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

    func run() async throws {
        let logger = makeLogger("info")
        say("Preparing \(cameras) simulated cameras (the first run encodes the scenes; later runs reuse them)…")
        let simulator = try await CameraSimulator.make(cameras: cameras, base: try scene.spec(), cacheDirectory: data + "/sim-cache", logger: logger)
        let rtspPort = try await simulator.start(host: "127.0.0.1", port: rtspPort)
        let server = try AulaApp(configuration: ServerConfiguration(dataDirectory: data, host: listen.host, port: listen.port), catalog: try await dataOptions.openCatalog(), logger: logger)
        try await DemoDistrict.register(cameras: cameras, rtspPort: rtspPort, in: server.catalog)
        // The demo's documented login (README). Real installations get a one-time password from
        // `aula serve` instead; the demo refuses to publish this one beyond this machine.
        guard ["127.0.0.1", "localhost", "::1"].contains(listen.host) else {
            throw ValidationError("the demo has a published password, so it only listens on 127.0.0.1, localhost or ::1")
        }
        try await server.accounts.setUser(name: Self.login.name, role: .administrator, password: Self.login.password)
        try await DemoDistrict.prepareGuards(server, names: Self.guards, password: Self.guardPassword)
        try await server.run { port in
            say("""

                Aula demo is running: http://\(listen.host):\(port)/
                  sign in:  \(Self.login.name) / \(Self.login.password)
                  API:      TOKEN=$(aula token create --user \(Self.login.name) --data \(data))
                            curl -H "Authorization: Bearer $TOKEN" http://\(listen.host):\(port)/api/cameras
                  guards:   \(Self.guards.joined(separator: ", ")) / \(Self.guardPassword) on /guard.html (a phone, or a narrow window);
                            motion alerts of camera 1 become incidents offered to the nearest guard on duty (/dispatch.html)
                  \(cameras) simulated cameras at rtsp://127.0.0.1:\(rtspPort)/sim/1 … /sim/\(cameras)
                Press Ctrl-C to stop.
                """)
        }
        await simulator.stop()
    }
}

/// The demo's cameras, placed around one block of a made-up district so that nobody mistakes them
/// for real installations.
enum DemoDistrict {
    static let name = "Demo district (synthetic)"
    // Near the centre of Zhezkazgan, the city behind the programme.
    static let origin = (lat: 47.7836, lon: 67.7136)

    /// Guards who see the district's cameras, a post that answers for them and dispatches their
    /// alerts by itself, and motion analysis on the first camera so that alerts come (once: what
    /// an administrator changed later stays).
    static func prepareGuards(_ server: AulaApp, names: [String], password: String) async throws {
        for name in names {
            try await server.accounts.setUser(name: name, role: .guard, password: password)
            if var user = try await server.catalog.user(named: name), user.grants.isEmpty {
                user.grants = [AccessGrant(effect: .allow, scope: .district, target: Self.name)]
                _ = try await server.catalog.update(user)
            }
        }
        let cameras = try await server.catalog.cameras().filter { $0.district == Self.name }.map(\.id).sorted()
        if try await server.guards.posts().isEmpty {
            _ = try await server.guards.addPost(Post(name: "Demo post", latitude: origin.lat, longitude: origin.lon, district: Self.name,
                                                     cameras: cameras, guards: names, autoDispatch: true))
        }
        if let first = cameras.first, try await server.catalog.cameraMotion(camera: first) == nil {
            try await server.catalog.setCameraMotion(CameraMotion(enabled: true, configuration: try MotionConfiguration()), camera: first)
        }
    }

    static func register(cameras: Int, rtspPort: Int, in store: any CameraStore) async throws {
        let existing = try await store.cameras()
        for i in 1...cameras {
            let url = "rtsp://127.0.0.1:\(rtspPort)/sim/\(i)"
            if let old = existing.first(where: { $0.district == name && $0.name == "Demo courtyard camera \(i)" }) {
                if old.rtspURL != url {
                    var updated = old
                    updated.rtspURL = url
                    _ = try await store.update(updated)
                }
                continue
            }
            let angle = Double(i - 1) / Double(cameras) * 2 * Double.pi
            let camera = Camera(
                name: "Demo courtyard camera \(i)", rtspURL: url,
                latitude: origin.lat + 0.0008 * cos(angle), longitude: origin.lon + 0.0012 * sin(angle),
                heading: (Double(i - 1) / Double(cameras) * 360 + 180).truncatingRemainder(dividingBy: 360),
                fieldOfView: 90, range: 35, mountingHeight: 6,
                address: "Demo block \(1 + (i - 1) / 4), entrance \(1 + (i - 1) % 4)",
                site: i % 4 == 0 ? .street : .courtyard, district: name)
            _ = try await store.insert(camera)
        }
    }
}
