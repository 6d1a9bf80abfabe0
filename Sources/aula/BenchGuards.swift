import ArgumentParser
import AulaSecurity
import Catalog
import City
import CityServices
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Guards
import HTTPTypes
import HummingbirdWSClient
import Logging
import Randomness
import Synchronization

/// The guards' figures (docs/performance.md, "Guards"): how long choosing the nearest of N guards
/// by walking route takes on a real city's streets, against routing each guard on its own and
/// against the straight line; and what N phones reporting their position every few seconds cost
/// the real server, against the same server idle, in the same run.
struct BenchGuards: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "guards", abstract: "Dispatch by route on a real city; CPU of phones reporting positions.")

    @Option(help: "The city: an OSM extract (.osm, .osm.gz, .pbf) or GeoJSON.")
    var city: String = "../shared/data/osm/monaco.osm.gz"

    @Option(help: "Guards on duty to choose from.")
    var guards: Int = 200

    @Option(help: "Incidents to place (each one choice among all guards).")
    var incidents: Int = 200

    @Option(help: "Phones reporting positions (0: skip that part).")
    var phones: Int = 500

    @Option(help: "Seconds between two reports of one phone.")
    var every: Double = 5

    @Option(help: "Seconds to measure the server with the phones, after a warm-up of one period (and as long idle before).")
    var seconds: Int = 60

    @Option(help: "Scratch folder (emptied first).")
    var data: String = "./aula-data/bench-guards"

    func validate() throws {
        guard (1...100_000).contains(guards), (1...100_000).contains(incidents), (0...20_000).contains(phones) else {
            throw ValidationError("--guards and --incidents must be 1 to 100000, --phones 0 to 20000")
        }
        guard every >= 0.5, every <= 600, (5...3600).contains(seconds) else { throw ValidationError("--every must be 0.5 to 600 s, --seconds 5 to 3600") }
    }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: data)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let catalog = try await openCatalog(data: data)
        let clock = ContinuousClock()
        let importStart = clock.now
        let stored = try await CityImport.importCity(file: city, name: "bench", into: CityStore(catalog))
        say(String(format: "city: %@: %d streets and paths, imported in %.0f ms", city, stored.model.streets.count, Self.ms(clock.now - importStart)))
        let graphStart = clock.now
        let routing = RoutingCity(model: stored.model)
        say(String(format: "walking graph: %d vertices, %d edges, built in %.1f ms", routing.graph.vertexCount, routing.graph.edgeCount, Self.ms(clock.now - graphStart)))
        try chooseGuards(routing, model: stored.model)
        if phones > 0 { try await reportPositions(catalog: catalog, model: stored.model) }

    }

    /// Random places near the streets (up to 20 m off them), as lat/lon.
    func places(_ count: Int, model: CityModel, random: inout SeededRandom) -> [GeoCoordinate] {
        let lines = model.streets.map(\.line).filter { $0.count >= 2 }
        return (0..<count).map { _ in
            let line = lines[Int(random.next() % UInt64(lines.count))]
            let i = Int(random.next() % UInt64(line.count - 1))
            let t = Double(random.next() % 1000) / 1000
            let a = line[i], b = line[i + 1]
            let dx = Double(Int(random.next() % 41) - 20), dy = Double(Int(random.next() % 41) - 20)
            return model.projection.unproject(Point(x: a.x + (b.x - a.x) * t + dx, y: a.y + (b.y - a.y) * t + dy))
        }
    }

    func chooseGuards(_ routing: RoutingCity, model: CityModel) throws {
        var random = SeededRandom(seed: 17)
        guard model.streets.contains(where: { $0.line.count >= 2 }) else { throw ValidationError("the city has no streets") }
        let guardPlaces = places(guards, model: model, random: &random)
        let incidentPlaces = places(incidents, model: model, random: &random)
        let candidates = guardPlaces.enumerated().map { Dispatcher.Candidate(guardName: "g\($0.offset)", latitude: $0.element.latitude, longitude: $0.element.longitude) }
        let clock = ContinuousClock()
        var byRoute: [Double] = [], oneByOne: [Double] = [], straight: [Double] = []
        var disagreements = 0, unrouted = 0
        for place in incidentPlaces {
            var start = clock.now
            let ranked = Dispatcher.rank(latitude: place.latitude, longitude: place.longitude, candidates: candidates, city: routing)
            byRoute.append(Self.ms(clock.now - start))
            if !(ranked.first?.routed ?? false) { unrouted += 1 }
            // The reference: every guard routed on their own (one search per guard).
            start = clock.now
            let origin = routing.projection.project(place)
            var best = Double.infinity
            for c in candidates {
                let from = routing.projection.project(GeoCoordinate(latitude: c.latitude, longitude: c.longitude))
                if let route = routing.graph.route(from: origin, to: from) { best = min(best, route.length) }
            }
            oneByOne.append(Self.ms(clock.now - start))
            if let first = ranked.first, first.routed, abs(first.distance - best) > 1e-6 { disagreements += 1 }
            start = clock.now
            _ = Dispatcher.rank(latitude: place.latitude, longitude: place.longitude, candidates: candidates, city: nil)
            straight.append(Self.ms(clock.now - start))
        }
        say("choosing among \(guards) guards, \(incidents) incidents (median / 99th percentile / max, ms):")
        say("  by route, one search:      \(Self.summary(byRoute))")
        say("  by route, guard by guard:  \(Self.summary(oneByOne))")
        say("  straight line:             \(Self.summary(straight))")
        say("  nearest by one search differs from guard by guard: \(disagreements) of \(incidents); places off the network: \(unrouted)")
    }

    func reportPositions(catalog: AulaCatalog, model: CityModel) async throws {
        // Phones: guard users with API tokens, made before the server starts.
        let hash = PasswordHasher(cost: 4).hash(SecretToken.generate(prefix: "x"))
        var tokens: [String] = []
        for i in 0..<phones {
            let user = try await catalog.insert(User(name: "phone-\(i)", role: .guard, passwordHash: hash))
            let token = SecretToken.generate(prefix: "aula_")
            try await catalog.addAPIToken(digest: SecretToken.digest(token), userID: user.id, label: "bench")
            tokens.append(token)
        }
        var random = SeededRandom(seed: 29)
        let starts = places(phones, model: model, random: &random)
        let port = Int.random(in: 20_000...29_999)
        let server = try spawnQuietly(CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0],
                                      ["serve", "--data", data, "--listen", "127.0.0.1:\(port)", "--log-level", "error"])
        defer {
            kill(server, SIGTERM)
            var status: Int32 = 0
            waitpid(server, &status, 0)
        }
        for _ in 0..<600 where !BenchRecord.accepts(port: port) { try await Task.sleep(for: .milliseconds(100)) }
        let window = Double(seconds)
        try await Task.sleep(for: .seconds(2))
        let cpu0 = cpuSeconds(pid: server)
        try await Task.sleep(for: .seconds(window))
        let idle = (cpuSeconds(pid: server) - cpu0) / window

        let websocket = try await measurePhones(server: server, port: port, tokens: tokens, starts: starts, window: window, overWebSocket: true)
        say(String(format: "%d phones every %.1f s over the duty stream (WebSocket): %.1f reports/s (%d failed); server CPU %.2f %% of a core (idle: %.2f %%), %.2f %% of a core per 100 phones above idle",
                   phones, every, websocket.reportsPerSecond, websocket.failed, websocket.cpu * 100, idle * 100, (websocket.cpu - idle) * 100 / (Double(phones) / 100)))
        let http = try await measurePhones(server: server, port: port, tokens: tokens, starts: starts, window: window, overWebSocket: false)
        say(String(format: "%d phones every %.1f s by PUT /api/duty (HTTP): %.1f reports/s (%d failed); server CPU %.2f %% of a core (idle: %.2f %%), %.2f %% of a core per 100 phones above idle; report latency %@",
                   phones, every, http.reportsPerSecond, http.failed, http.cpu * 100, idle * 100, (http.cpu - idle) * 100 / (Double(phones) / 100), Self.summary(http.latencies)))
    }

    /// N phones reporting every `every` seconds, over the duty stream or by HTTP; the server's CPU
    /// (share of one core) over `window` seconds after one period of warm-up.
    func measurePhones(server: pid_t, port: Int, tokens: [String], starts: [GeoCoordinate], window: Double, overWebSocket: Bool) async throws
        -> (cpu: Double, reportsPerSecond: Double, failed: Int, latencies: [Double]) {
        let session = URLSession(configuration: .ephemeral)
        let counts = Counts()
        let stop = StopFlag()
        let period = Duration.milliseconds(Int(every * 1000))
        let logger = Logger(label: "phone")
        let phonesTask = Task {
            await withTaskGroup(of: Void.self) { group in
                for (i, token) in tokens.enumerated() {
                    let start = starts[i]
                    group.addTask {
                        try? await Task.sleep(for: .milliseconds(Int.random(in: 0..<Int(every * 1000))))
                        @Sendable func report(_ n: Int) -> String {
                            #"{"onDuty": true, "latitude": \#(start.latitude + Double(n % 10) * 1e-5), "longitude": \#(start.longitude), "accuracy": 8}"#
                        }
                        if overWebSocket {
                            do {
                                _ = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/duty/stream",
                                                                      configuration: .init(additionalHeaders: [.authorization: "Bearer \(token)"]), logger: logger) { inbound, outbound, _ in
                                    // As a browser does: read what comes (the server's pings are answered while reading).
                                    try await withThrowingTaskGroup(of: Void.self) { group in
                                        group.addTask { for try await _ in inbound {} }
                                        group.addTask {
                                            var n = 0
                                            while !Task.isCancelled {
                                                let began = ContinuousClock.now
                                                n += 1
                                                try await outbound.write(.text(report(n)))
                                                await counts.add(ok: true, ms: 0)
                                                try await Task.sleep(until: began + period)
                                            }
                                        }
                                        try await group.next()
                                        group.cancelAll()
                                    }
                                }
                            } catch {
                                if !Task.isCancelled { await counts.failed(error) }
                            }
                            return
                        }
                        var n = 0
                        // Stopped by the flag, not by cancellation: cancelling URLSession's async
                        // requests while they complete deadlocked FoundationNetworking (seen once,
                        // in URLSessionTask.cancel against the task's status lock).
                        while !stop.value {
                            let began = ContinuousClock.now
                            n += 1
                            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/duty")!)
                            request.httpMethod = "PUT"
                            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                            request.httpBody = Data(report(n).utf8)
                            let ok = ((try? await session.data(for: request))?.1 as? HTTPURLResponse)?.statusCode == 200
                            await counts.add(ok: ok, ms: Self.ms(ContinuousClock.now - began))
                            try? await Task.sleep(until: began + period)
                        }
                    }
                }
            }
        }
        try await Task.sleep(for: period + .seconds(2))
        await counts.reset()
        let cpu0 = cpuSeconds(pid: server)
        let measured = ContinuousClock.now
        try await Task.sleep(for: .seconds(window))
        let elapsed = (ContinuousClock.now - measured) / .seconds(1)
        let cpu = (cpuSeconds(pid: server) - cpu0) / elapsed
        let (ok, failed, latencies) = await counts.snapshot()
        for error in await counts.errors { say("  a phone failed: \(error)") }
        stop.set()
        // The stream's clients end by cancellation; the HTTP phones by the flag, after their request.
        if overWebSocket { phonesTask.cancel() }
        await phonesTask.value
        return (cpu, Double(ok) / elapsed, failed, latencies)
    }

    final class StopFlag: Sendable {
        private let stopped = Mutex(false)
        var value: Bool { stopped.withLock { $0 } }
        func set() { stopped.withLock { $0 = true } }
    }

    actor Counts {
        var ok = 0, failed = 0, latencies: [Double] = []
        func add(ok: Bool, ms: Double) {
            if ok { self.ok += 1 } else { failed += 1 }
            latencies.append(ms)
        }
        func reset() { ok = 0; failed = 0; latencies = []; errors = [] }
        var errors: [String] = []
        func failed(_ error: any Error) {
            failed += 1
            if errors.count < 3 { errors.append(String(describing: error)) }
        }
        func snapshot() -> (Int, Int, [Double]) { (ok, failed, latencies) }
    }

    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

    static func summary(_ values: [Double]) -> String {
        guard !values.isEmpty else { return "—" }
        let s = values.sorted()
        func q(_ p: Double) -> Double { s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))] }
        return String(format: "%.2f / %.2f / %.2f", q(0.5), q(0.99), s.last!)
    }
}
