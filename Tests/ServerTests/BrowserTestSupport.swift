import Foundation
import Testing

/// What every browser test needs: `aula demo` on a random port, signed-in-able, stopped afterwards;
/// and a Python script of `scripts/` driving headless Chromium against it.
enum BrowserTest {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let artifacts = root.appendingPathComponent("artifacts")

    /// Checks the peers, runs `aula demo` with `arguments` (besides data folder and ports) until it
    /// accepts the demo sign-in, and runs `body` with its HTTP port.
    static func withDemo<T>(_ arguments: [String], peers: [String] = [], _ body: (Int) async throws -> T) async throws -> T {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary), "build the aula product first")
        for peer in ["/usr/bin/chromium"] + peers {
            try #require(FileManager.default.isExecutableFile(atPath: peer), "\(peer) is a test peer (scripts/setup.sh installs it)")
        }
        let port = Int.random(in: 10_000...11_999)  // below the ephemeral range (32768 and up) that client sockets use
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
        demo.arguments = ["demo", "--data", temporaryDirectory(), "--listen", "127.0.0.1:\(port)", "--rtsp-port", "0"] + arguments
        demo.standardOutput = FileHandle.nullDevice
        demo.standardError = FileHandle.nullDevice
        try demo.run()
        defer {
            // SIGKILL: nothing of the demo needs saving, and a browser test must not wait on its shutdown.
            kill(demo.processIdentifier, SIGKILL)
            demo.waitUntilExit()
        }
        var ready = false
        for _ in 0..<120 where !ready {
            try await Task.sleep(for: .milliseconds(500))
            ready = await DemoCommandTests.signIn(port: port) != nil
        }
        try #require(ready, "the demo did not start")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        return try await body(port)
    }

    /// Runs `scripts/NAME` with the demo's address and sign-in first; returns its status and output.
    static func script(_ name: String, port: Int, _ arguments: [String]) async throws -> (Int32, String) {
        try await RecordingTests.EvidenceTests.run("/usr/bin/python3", [root.appendingPathComponent("scripts/\(name)").path,
                                                                 "http://127.0.0.1:\(port)", "demo", "aula-demo-login"] + arguments)
    }
}
