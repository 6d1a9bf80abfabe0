import Foundation
import Logging
import Media
import RTSP
import Simulator
import Synchronization
import Testing

/// Issue 15, class 11: a loaded machine must not make a healthy camera look silent. The read
/// timeout counts only the time Aula waits on the camera, not the time its own reader is slow.
@Suite(.serialized) struct CameraSilenceTests {
    final class Counts: Sendable {
        let units = Mutex(0)
        let error = Mutex<String?>(nil)
    }

    /// The reader stops taking frames for two and a half times the timeout (as a starved task
    /// would); the camera went on sending, so the session must go on too. (The timeout is longer
    /// than the simulator's 2 s GOP: a camera whose viewer cannot keep up drops frames until the
    /// next key frame, a silence that is the camera's, which the timeout must outlast.)
    @Test(.timeLimit(.minutes(1))) func aSlowReaderIsNotASilentCamera() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: Self.spec())
        let port = try await simulator.start(port: 0)
        defer { Task { await simulator.stop() } }
        var configuration = RTSPClientConfiguration(url: RTSPURL("rtsp://127.0.0.1:\(port)/sim/1")!)
        configuration.readTimeoutSeconds = 4
        let client = RTSPClient(configuration: configuration, logger: Logger(label: "test"))
        let counts = Counts()
        let session = Task {
            do {
                _ = try await client.run { event in
                    guard case .accessUnit = event else { return }
                    let n = counts.units.withLock { $0 += 1; return $0 }
                    // Backpressure: nothing is read from the socket while this handler sleeps.
                    if n == 5 { try await Task.sleep(for: .seconds(10)) }
                }
            } catch is CancellationError {
            } catch {
                counts.error.withLock { $0 = "\(error)" }
            }
        }
        // Progress, not time: wait until 40 frames came after the pause, or the session failed.
        while counts.units.withLock({ $0 }) < 45, counts.error.withLock({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        session.cancel()
        #expect(counts.error.withLock { $0 } == nil, "the session was dropped: \(counts.error.withLock { $0 } ?? "")")
    }

    /// A camera that answers PLAY and then sends nothing is still dropped after the timeout.
    @Test(.timeLimit(.minutes(1))) func aSilentCameraEndsTheSession() async throws {
        let peer = try FakePeer("silent")
        defer { peer.stop() }
        var configuration = RTSPClientConfiguration(url: RTSPURL("rtsp://127.0.0.1:\(peer.port)/cam")!)
        configuration.readTimeoutSeconds = 1
        let client = RTSPClient(configuration: configuration, logger: Logger(label: "test"))
        let started = ContinuousClock.now
        do {
            _ = try await client.run { _ in }
        } catch let error as RTSPClientError {
            #expect(error.kind == .timeout, "\(error)")
            #expect(error.message.contains("stopped sending video"), "\(error)")
        }
        #expect(ContinuousClock.now - started >= .seconds(1))
    }

    static func spec() -> SceneSpec {
        var spec = SceneSpec()
        spec.width = 320
        spec.height = 240
        spec.bitRate = 300_000
        spec.loopSeconds = 2
        return spec
    }
}

/// `scripts/fake_rtsp_service.py` in a mode, listening on a port of its own.
final class FakePeer: @unchecked Sendable {
    // @unchecked: set once in init, only read afterwards.
    let process: Process
    let port: Int

    init(_ mode: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/fake_rtsp_service.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, mode, NSTemporaryDirectory() + "fake-peer-\(UUID().uuidString).log"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
