import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The README's demo command is an example that must keep working: run the real `aula demo`
/// binary (small scenes for speed) and wait until all 8 cameras stream in `GET /api/cameras`,
/// standing in the Monaco it imported and seeing some of its courtyards and main streets.
@Suite struct DemoCommandTests {
    /// The `aula` built with these tests: next to the test bundle (any `--scratch-path`), else `.build/debug/aula`.
    static let binary: String = {
        // AULA_BINARY: another build, such as the previous commit's, to show that a test fails on it.
        if let other = ProcessInfo.processInfo.environment["AULA_BINARY"], !other.isEmpty { return other }
        let beside = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("aula").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/aula").path
    }()

    /// Signs in with the login the demo prints (and README documents); returns the session cookie.
    static func signIn(port: Int) async -> String? {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/session")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"name": "demo", "password": "aula-demo-login"}"#.utf8)
        guard let (_, response) = try? await URLSession.shared.data(for: request), let http = response as? HTTPURLResponse,
              http.statusCode == 200, let cookie = http.value(forHTTPHeaderField: "Set-Cookie") else { return nil }
        return cookie.split(separator: ";").first.map(String.init)
    }

    @Test(.timeLimit(.minutes(3))) func demoShowsEightStreamingCameras() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the aula product first (swift build --build-tests builds it)")
        let data = temporaryDirectory()
        let httpPort = Int.random(in: 12_000...15_999)  // below the ephemeral range (32768 and up) that client sockets use
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["demo", "--data", data, "--listen", "127.0.0.1:\(httpPort)", "--rtsp-port", "0", "--size", "320x240", "--loop-seconds", "2", "--bitrate", "300000"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var streaming = 0
        var lastBody = ""
        var cookie: String?
        for _ in 0..<120 {
            try await Task.sleep(for: .milliseconds(500))
            if cookie == nil { cookie = await Self.signIn(port: httpPort) }
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(httpPort)/api/cameras")!)
            if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
            guard let (body, _) = try? await URLSession.shared.data(for: request) else { continue }
            lastBody = String(decoding: body, as: UTF8.self)
            let cameras = (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? []
            streaming = cameras.filter { ($0["status"] as? [String: Any])?["state"] as? String == "streaming" }.count
            if cameras.count == 8 && streaming == 8 {
                // They stand in the imported Monaco, and see some of its courtyards and streets.
                #expect(cameras.allSatisfy { $0["district"] as? String == "Monaco (demo)" })
                #expect(cameras.filter { $0["site"] as? String == "courtyard" }.count == 4)
                break
            }
        }
        #expect(streaming == 8, "last answer: \(lastBody.prefix(500))")
        var coverage = URLRequest(url: URL(string: "http://127.0.0.1:\(httpPort)/api/coverage")!)
        if let cookie { coverage.setValue(cookie, forHTTPHeaderField: "Cookie") }
        let (figures, _) = try await URLSession.shared.data(for: coverage)
        let city = ((try? JSONSerialization.jsonObject(with: figures)) as? [String: Any])?["city"] as? [String: Any]
        let courtyards = (city?["courtyards"] as? [String: Any])?["percent"] as? Double ?? 0
        let mainStreets = (city?["mainStreets"] as? [String: Any])?["percent"] as? Double ?? 0
        #expect(courtyards > 0 && mainStreets > 0, "coverage: \(String(decoding: figures.prefix(500), as: UTF8.self))")
        process.terminate()
        process.waitUntilExit()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("Aula demo is running: http://127.0.0.1:\(httpPort)/"))
        #expect(printed.contains("sign in:  demo / aula-demo-login"))
        #expect(cookie?.hasPrefix("aula_session=") == true)
        // SIGTERM stops the demo cleanly.
        #expect(process.terminationStatus == 0)
    }
}
