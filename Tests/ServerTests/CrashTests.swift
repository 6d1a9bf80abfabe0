import APIInput
import Catalog
import CatalogSQLite
import Footage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Recorder
import Simulator
import Testing

@testable import App
@testable import Server

/// Crash safety (docs/storage.md, "Write order" and "Recovery"): the real `aula serve` binary is
/// killed with SIGKILL at random moments while it records two simulated cameras, and restarted.
///
/// After every kill the committed index must point only at bytes that are on disk, and no camera may
/// have lost more than the flush interval (plus the time a frame takes to arrive and be written).
/// At the end a clean start must reconcile everything (no orphan, no tail past the index), recording
/// must resume by itself, and an export across all the runs must decode without an error.
///
/// `AULA_CRASH_KILLS` sets the number of kills (20 by default); `scripts/crash_stress.sh` runs more.
@Suite(.serialized) struct CrashTests {
    static let binary = DemoCommandTests.binary
    static let quiet: Logger = { var l = Logger(label: "test"); l.logLevel = .warning; return l }()
    static let flushSeconds = 0.5
    /// What a frame needs to arrive, be written and be fsynced beyond the flush interval itself.
    static let slackSeconds = 0.75

    @Test(.timeLimit(.minutes(10))) func sigkillAtRandomMomentsLosesAtMostTheFlushInterval() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the aula product first (swift build --build-tests builds it)")
        let kills = Int(ProcessInfo.processInfo.environment["AULA_CRASH_KILLS"] ?? "") ?? 20
        let simulator = try await CameraSimulator.make(cameras: 2, base: RecordingTests.spec())
        let rtspPort = try await simulator.start(port: 0)
        defer { Task { await simulator.stop() } }
        let data = temporaryDirectory()
        var cameraIDs: [Int64] = []
        do {
            let catalog = try AulaCatalog.openSQLite(directory: data)
            for n in 1...2 {
                cameraIDs.append(try await catalog.insert(.init(name: "Yard \(n)", rtspURL: "rtsp://127.0.0.1:\(rtspPort)/sim/\(n)", latitude: 1, longitude: 2)).id)
            }
        }

        var rng = SystemRandomNumberGenerator()
        var worstLoss = 0.0
        var checkedLosses = 0
        var previousRuns = 0
        for kill in 1...kills {
            let process = try Self.launch(data: data)
            let started = Date()
            let uptime = Double.random(in: 0.3...2.6, using: &rng)
            try await Task.sleep(for: .milliseconds(Int(uptime * 1000)))
            let killedAt = Date()
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "kill \(kill): the server exited by itself (status \(process.terminationStatus))")

            let catalog = try AulaCatalog.openSQLite(directory: data)
            let layout = SampleFileLayout(root: data + "/recordings")
            // Everything committed is on disk (a tail beyond the index is allowed until the restart).
            for location in try await catalog.allRecordingLocations() {
                let size = Self.fileSize(layout.path(camera: location.camera, recording: location.id))
                #expect(size != nil && size! >= location.bytes, "kill \(kill): recording \(location.id) has \(size.map(String.init) ?? "no file") bytes on disk, the index committed \(location.bytes)")
            }
            // Reconciliation (what the next start does first) leaves files and index in exact agreement.
            let report = try await RecordingRecovery.reconcile(layout: layout, store: catalog, logger: Self.quiet)
            #expect(report.damaged.isEmpty, "kill \(kill): \(report.damaged)")
            try await Self.expectExactAgreement(catalog, layout: layout, "kill \(kill)")
            let usage = try await catalog.usage()
            let runs = try await Self.runCount(catalog, cameras: cameraIDs)
            // Only once the server has had time to connect and flush at least twice is the loss bound meaningful.
            if Date().timeIntervalSince(started) >= 1.6 && killedAt.timeIntervalSince(started) >= 1.6 {
                for camera in cameraIDs {
                    let newest = try #require(usage[camera]?.newest90k, "kill \(kill): camera \(camera) has nothing recorded after \(uptime) s")
                    let loss = killedAt.timeIntervalSince1970 - Double(newest) / 90_000
                    worstLoss = max(worstLoss, loss)
                    checkedLosses += 1
                    #expect(loss <= Self.flushSeconds + Self.slackSeconds, "kill \(kill) after \(uptime) s: camera \(camera) lost \(loss) s")
                }
                // Each restart that recorded started a new run (a reconnect is a new run).
                #expect(runs > previousRuns, "kill \(kill): no new run")
            }
            previousRuns = runs
        }
        #expect(checkedLosses >= kills / 2, "too few kills came late enough to measure the loss")

        // A clean start reconciles, resumes recording by itself, and stops cleanly on SIGTERM.
        let runsBefore = previousRuns
        let process = try Self.launch(data: data)
        try await Task.sleep(for: .seconds(2.5))
        process.terminate()
        try await offPool { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)

        let server = try await RecordingTests.makeRecordingServer(data: data)
        try await server.startRecorder()  // reconciles; nothing is left for it to repair after a clean stop
        let report = server.recovery.current
        #expect(report.truncated.isEmpty && report.orphansRemoved.isEmpty && report.damaged.isEmpty, "\(report)")
        await server.recorder.stopAll()
        try await Self.expectExactAgreement(server.catalog, layout: server.writer.layout, "after a clean stop")
        #expect(try await Self.runCount(server.catalog, cameras: cameraIDs) > runsBefore, "recording did not resume after the restart")

        // One export across every run and gap of camera 1 decodes cleanly.
        let app = Application(router: server.makeRouter())
        let camera = cameraIDs[0]
        try await app.test(.router) { client in
            let usage = try await server.catalog.usage()
            let u = try #require(usage[camera])
            let url = "/api/cameras/\(camera)/recording.mp4?start=\(Time90k.format(u.oldest90k))&end=\(Time90k.format(u.newest90k))"
            let response = try await client.execute(uri: url, method: .get, headers: adminHeaders) { ($0.status, Data($0.body.readableBytesView)) }
            #expect(response.0 == .ok)
            let probe = try await FFprobe.run(response.1)
            #expect(probe.errors.isEmpty, "\(probe.errors.prefix(2000))")
            #expect(probe.frames > 0 && probe.firstFrameIsKey)
        }
        print("CrashTests: \(kills) kills, \(checkedLosses) losses measured, worst \(String(format: "%.3f", worstLoss)) s (flush interval \(Self.flushSeconds) s)")
    }

    static func launch(data: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--flush-seconds", String(flushSeconds), "--rotate-seconds", "2", "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Every indexed file holds exactly the committed bytes, and no other sample file exists.
    static func expectExactAgreement(_ catalog: AulaCatalog, layout: SampleFileLayout, _ when: String) async throws {
        var indexed = Set<String>()
        for location in try await catalog.allRecordingLocations() {
            let path = layout.path(camera: location.camera, recording: location.id)
            indexed.insert(path)
            #expect(fileSize(path) == location.bytes, "\(when): \(path) has \(fileSize(path).map(String.init) ?? "no file") bytes, the index \(location.bytes)")
        }
        let fm = FileManager.default
        for directory in (try? fm.contentsOfDirectory(atPath: layout.root)) ?? [] {
            for file in (try? fm.contentsOfDirectory(atPath: layout.root + "/" + directory)) ?? [] {
                let path = layout.root + "/" + directory + "/" + file
                #expect(indexed.contains(path), "\(when): \(path) is not in the index")
            }
        }
    }

    static func fileSize(_ path: String) -> Int64? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value
    }

    static func runCount(_ catalog: AulaCatalog, cameras: [Int64]) async throws -> Int {
        var runs = Set<Int64>()
        for camera in cameras {
            for r in try await catalog.recordings(camera: camera, from: 0, to: Int64.max / 2) { runs.insert(r.runID) }
        }
        return runs.count
    }
}
