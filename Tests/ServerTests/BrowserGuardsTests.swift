import AulaSecurity
import Catalog
import CatalogSQLite
import Foundation
import Guards
import Testing
@testable import App
@testable import Server

/// Two guards' phones and the operators' dispatch board in headless Chromium, against the real
/// `aula serve` on the river town (`scripts/browser_guards.py`): the guard nearer by the streets
/// is offered the incident though the other is nearer in a straight line; decline and time-out
/// pass it on; an offline accept is sent once; the figures match the steps; a panic reaches the
/// board in under a second.
@Suite struct BrowserGuardsTests {
    @Test(.timeLimit(.minutes(5))) func phonesAndTheBoardFollowAnIncidentFromOfferToCleared() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary), "build the aula product first")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "/usr/bin/chromium is a test peer (scripts/setup.sh installs it)")
        let data = temporaryDirectory()
        let password = "guard-test-password-1"
        do {
            let catalog = try AulaCatalog.openSQLite(directory: data)
            let hash = PasswordHasher(cost: 4).hash(password)
            for (name, role) in [("olga", Role.operator), ("along", .guard), ("across", .guard), ("ada", .administrator)] {
                _ = try catalog.sqlite.insertSynchronously(User(name: name, role: role, passwordHash: hash), apiTokenDigest: SecretToken.digest(SecretToken.generate(prefix: "aula_")))
            }
        }
        let city = try CityFixture.write(RiverTown.geojson, name: "river.geojson")
        let imported = try await RecordingTests.EvidenceTests.run(DemoCommandTests.binary, ["import", "osm", city, "--city", "River town", "--data", data])
        try #require(imported.status == 0, "aula import: \(imported.output)")

        let log = data + "/serve.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
        process.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--offer-seconds", "4", "--log-level", "notice"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var port: Int?
        for _ in 0..<600 where port == nil && process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: "http://127.0.0.1:") { port = Int(text[r.upperBound...].prefix { $0.isNumber }) } else { try await Task.sleep(for: .milliseconds(100)) }
        }
        let found = try #require(port, "aula serve did not say where it listens: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

        let config = """
            {"password": "\(password)", "operator": "olga",
             "byRoute": {"name": "along", "latitude": \(RiverTown.northBank + 0.00005), "longitude": 67.714},
             "straight": {"name": "across", "latitude": \(RiverTown.southBank - 0.00005), "longitude": 67.710},
             "place": {"latitude": \(RiverTown.northBank + 0.00005), "longitude": 67.710}, "offerSeconds": 4, "admin": "ada"}
            """
        let configPath = try CityFixture.write(config, name: "guards.json")
        let (status, output) = try await RecordingTests.EvidenceTests.run("/usr/bin/python3", [
            BrowserTest.root.appendingPathComponent("scripts/browser_guards.py").path, "http://127.0.0.1:\(found)", configPath])
        print("browser_guards.py:", output.suffix(3000))
        #expect(status == 0, "browser_guards.py: \(output.suffix(3000))")
    }

    /// The "done when", on `aula demo`: a guard on duty from a phone-sized page, a motion
    /// alert that becomes an incident offered to them, followed to cleared, and the figures.
    @Test(.timeLimit(.minutes(5))) func inTheDemoAMotionAlertBecomesAnIncidentAGuardClears() async throws {
        try await BrowserTest.withDemo(["--cameras", "1", "--size", "320x240", "--loop-seconds", "20", "--bitrate", "300000"]) { port in
            let (status, output) = try await BrowserTest.script("browser_guards.py", port: port, [])
            print("browser_guards.py (demo):", output.suffix(2000))
            #expect(status == 0, "browser_guards.py: \(output.suffix(3000))")
        }
    }
}
