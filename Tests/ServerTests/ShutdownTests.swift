import Catalog
import CatalogSQLite
import Footage
import Foundation
import Recorder
import Simulator
import Testing

@testable import App
@testable import Server

/// An orderly stop: SIGTERM reaches one `ServiceGroup` holding every long-running part (HTTP,
/// recorder, writer, retention, motion analysis, masked encoders, alert monitor), which stops them
/// in reverse order: ingest first, then the writer's last flush, then analysis.
@Suite(.serialized) struct ShutdownTests {
    @Test(.timeLimit(.minutes(3))) func sigtermWhileRecordingExitsWithinFiveSecondsWithTheLastFlushCommitted() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashTests.binary), "build the aula product first (swift build --build-tests builds it)")
        let simulator = try await CameraSimulator.make(cameras: 2, base: RecordingTests.spec())
        let rtspPort = try await simulator.start(port: 0)
        let data = temporaryDirectory()
        var cameras: [Int64] = []
        do {
            let catalog = try AulaCatalog.openSQLite(directory: data)
            for n in 1...2 {
                cameras.append(try await catalog.insert(Camera(name: "Yard \(n)", rtspURL: "rtsp://127.0.0.1:\(rtspPort)/sim/\(n)", latitude: 1, longitude: 2)).id)
            }
            // Motion analysis runs on camera 1, so that its task is one of those stopped in order.
            let stored = try MotionRoutes.parse(Data(MotionAlertTests.configuration.utf8))
            try await catalog.setMotionConfiguration(String(decoding: try JSONEncoder().encode(stored), as: UTF8.self), camera: cameras[0])
        }
        let process = try CrashTests.launch(data: data)
        // Progress, not a guess: wait until both cameras have committed footage, then until the
        // newest committed moment moves on (the server is in the middle of recording).
        let reader = try AulaCatalog.openSQLite(directory: data)
        func newest() async throws -> [Int64] {
            let usage = try await reader.usage()
            return cameras.map { usage[$0]?.newest90k ?? 0 }
        }
        #expect(try await eventually(timeout: .seconds(60)) { try await newest().allSatisfy { $0 > 0 } }, "nothing was recorded")
        let before = try await newest()
        #expect(try await eventually(timeout: .seconds(60)) { try await zip(newest(), before).allSatisfy { $0 > $1 } }, "recording did not go on")

        let signalled = ContinuousClock.now
        process.terminate()  // SIGTERM
        let exited = try await offPool { process.waitUntilExit(); return ContinuousClock.now }
        await simulator.stop()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "status \(process.terminationStatus)")
        #expect(exited - signalled < .seconds(5), "the process took \(exited - signalled) to stop")
        print("ShutdownTests: stopped \(exited - signalled) after SIGTERM")

        // The last flush was committed: every sample file holds exactly what the index says, with
        // no tail past it and no file the index does not know (no reconciliation has run).
        let catalog = try AulaCatalog.openSQLite(directory: data)
        try await CrashTests.expectExactAgreement(catalog, layout: SampleFileLayout(root: data + "/recordings"), "after SIGTERM")
        let usage = try await catalog.usage()
        for (camera, earlier) in zip(cameras, before) {
            #expect((usage[camera]?.newest90k ?? 0) > earlier, "camera \(camera): nothing committed after \(earlier)")
        }
        // Every run ended with the stop (a clean stop closes each run).
        for camera in cameras {
            let last = try await catalog.recordings(camera: camera, from: 0, to: .max / 2).last
            #expect(last?.endsRun == true, "camera \(camera): the last recording does not end its run")
        }
    }
}
