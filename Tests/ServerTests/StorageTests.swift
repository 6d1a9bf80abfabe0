import APIInput
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Recorder
import Simulator
import Testing

@testable import App
@testable import Server

/// Recording status, `/api/storage`, per-camera retention and `/metrics`; and a real full disk.
@Suite(.serialized) struct StorageTests {
    @Test func statusStorageAndMetricsAgreeWithTheIndex() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 5)
        let recordings = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(!recordings.isEmpty)
        let bytes = recordings.reduce(Int64(0)) { $0 + $1.bytes }
        let frames = recordings.reduce(0) { $0 + $1.frames }
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let shown = try await client.json(.get, "/api/cameras/\(camera)")
            let recording = try #require(shown.json["recording"] as? [String: Any], "\(shown.json)")
            #expect((recording["bytes"] as? NSNumber)?.int64Value == bytes)
            #expect(recording["oldestTime"] as? String == Time90k.format(recordings.first!.start90k))
            #expect(recording["newestTime"] as? String == Time90k.format(recordings.last!.end90k))
            // Everything written was committed by the final flush: no lag, nothing dropped.
            #expect(recording["writeLagMs"] as? Int == 0)
            #expect(recording["framesWritten"] as? Int == frames)
            #expect(recording["framesDropped"] as? Int == 0)

            let storage = try await client.json(.get, "/api/storage")
            #expect(storage.status == .ok)
            #expect(storage.json["pressure"] as? String == "ok", "\(storage.json)")
            #expect((storage.json["recordingsBytes"] as? NSNumber)?.int64Value == bytes)
            #expect(((storage.json["volume"] as? [String: Any])?["totalBytes"] as? NSNumber)?.int64Value ?? 0 > 0)
            #expect(storage.json["lastFlushTime"] is String)

            // Per-camera maximum age.
            #expect(try await client.json(.get, "/api/cameras/\(camera)/retention").json["maxAgeDays"] is NSNull)
            let set = try await client.json(.put, "/api/cameras/\(camera)/retention", #"{"maxAgeDays": 14}"#)
            #expect(set.status == .ok && set.json["maxAgeDays"] as? Int == 14)
            #expect(try await server.catalog.maxAgeDays()[Int64(camera)] == 14)
            for (body, field) in [(#"{"maxAgeDays": 0}"#, "maxAgeDays"), (#"{"maxAgeDays": 1.5}"#, "maxAgeDays"), (#"{"maxAgeDays": "x"}"#, "maxAgeDays"), (#"{}"#, "maxAgeDays"), (#"{"maxAgeDays": 3, "keep": 1}"#, "keep")] {
                let bad = try await client.json(.put, "/api/cameras/\(camera)/retention", body)
                #expect(bad.status == .unprocessableContent, "\(body)")
                #expect(((bad.json["errors"] as? [[String: Any]]) ?? []).contains { $0["field"] as? String == field }, "\(body): \(bad.json)")
            }
            #expect(try await client.json(.put, "/api/cameras/999/retention", #"{"maxAgeDays": 3}"#).status == .notFound)
            #expect(try await client.json(.put, "/api/cameras/\(camera)/retention", #"{"maxAgeDays": null}"#).json["maxAgeDays"] is NSNull)
            #expect(try await server.catalog.maxAgeDays()[Int64(camera)] == nil)

            // Prometheus text format with the writer's and the ingest's counters.
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: adminHeaders) { ($0.status, String(buffer: $0.body), $0.headers) }
            #expect(metrics.0 == .ok)
            #expect(metrics.2[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let values = Self.parse(metrics.1)
            #expect(values["aula_writer_frames_total{camera=\"\(camera)\"}"] == Double(frames))
            #expect(values["aula_recordings_bytes{camera=\"\(camera)\",stream=\"main\"}"] == Double(bytes))
            #expect(values["aula_writer_flushes_total"] ?? 0 >= 1)
            #expect(values["aula_writer_flush_duration_seconds_count"] ?? 0 >= 1)
            #expect(values["aula_storage_pressure{level=\"ok\"}"] == 1)
            #expect(metrics.1.contains("# TYPE aula_writer_frames_total counter"))
        }
    }

    /// The recordings folder sits on a 6 MB tmpfs with the free-space reserve turned off, so two
    /// 2 Mbit/s cameras really fill it: writes fail with ENOSPC. The server must not crash, must
    /// report the pressure, delete the oldest footage, and keep recording, and the index must agree
    /// with the files afterwards.
    @Test(.timeLimit(.minutes(3))) func fullDiskDeletesTheOldestAndRecordingGoesOn() async throws {
        let data = temporaryDirectory()
        let recordings = data + "/recordings"
        try FileManager.default.createDirectory(atPath: recordings, withIntermediateDirectories: true)
        try await Self.mountTmpfs(at: recordings, megabytes: 6)
        defer { _ = try? FFprobe.shellBlocking("/bin/umount", ["-l", recordings]) }

        var spec = RecordingTests.spec()
        spec.bitRate = 2_000_000
        let simulator = try await CameraSimulator.make(cameras: 2, base: spec)
        let port = try await simulator.start(port: 0)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = ServerConfiguration(dataDirectory: data)
        configuration.flushInterval = .milliseconds(500)
        configuration.rotateSeconds = 2
        configuration.retention = RetentionPolicy(minFreeBytes: 0)
        configuration.retentionInterval = .seconds(60)
        configuration.auth = testAuthConfiguration()
        let server = try await openApp(configuration: configuration, logger: logger)
        try addTestAdministrator(to: server)
        try await server.startRecorder()
        var ids: [Int64] = []
        for n in 1...2 {
            let camera = try await server.catalog.insert(.init(name: "Yard \(n)", rtspURL: "rtsp://127.0.0.1:\(port)/sim/\(n)", latitude: 1, longitude: 2))
            ids.append(camera.id)
            await server.recorder.update(camera)
        }
        let cameras = ids
        let flusher = Task { try await server.writer.run() }
        let retention = Task { try await server.retentionService.run() }
        // 2 × 250 kB/s fill 6 MB in about 12 s; record long enough to fill it and then go on.
        let app = Application(router: server.makeRouter())
        let sawFull = try await app.test(.router) { client -> Bool in
            var sawFull = false
            for _ in 0..<60 {
                try await Task.sleep(for: .milliseconds(500))
                let storage = try await client.json(.get, "/api/storage")
                if storage.json["pressure"] as? String == "full", !sawFull {
                    sawFull = true
                    // The same pressure, the failures and the live ingest counters in /metrics.
                    let text = try await client.execute(uri: "/metrics", method: .get, headers: adminHeaders) { String(buffer: $0.body) }
                    let values = Self.parse(text)
                    #expect(values["aula_storage_pressure{level=\"full\"}"] == 1)
                    #expect(values["aula_writer_write_failures_total"] ?? 0 > 0)
                    #expect(values["aula_ingest_frames_total{camera=\"\(cameras[0])\"}"] ?? 0 > 0)
                    #expect(values["aula_camera_up{camera=\"\(cameras[0])\"}"] == 1)
                }
                if sawFull, server.storage.snapshot.deletedRecordings > 0 { break }
            }
            return sawFull
        }
        // Recording goes on after the deletion: every camera commits footage of at least 3 s more.
        // Progress, not a wall-clock bound: on a loaded machine a flush may come late, but it comes.
        let deletedAt90k = Int64(Date().timeIntervalSince1970 * 90_000)
        let wentOn = try await eventually(timeout: .seconds(60)) {
            let usage = try await server.catalog.usage()
            return cameras.allSatisfy { (usage[$0]?.newest90k ?? 0) > deletedAt90k + 3 * 90_000 }
        }
        await server.recorder.stopAll()
        retention.cancel()
        flusher.cancel()
        await server.writer.stopAll()
        await simulator.stop()

        #expect(sawFull, "the disk never filled: \(server.writer.writeFailures)")
        #expect(server.writer.writeFailures.lastDiskFull != nil)
        #expect(server.storage.snapshot.deletedRecordings > 0, "retention deleted nothing")
        let stats = server.writer.cameraStats()
        #expect(cameras.contains { (stats[$0]?.framesDropped ?? 0) > 0 }, "no frame was lost to the full disk: \(stats)")
        let usage = try await server.catalog.usage()
        #expect(wentOn, "a camera stopped recording after the deletion: newest \(cameras.map { usage[$0]?.newest90k ?? 0 }), deleted at \(deletedAt90k)")
        // Nothing half-written survives: files and index agree exactly after reconciliation.
        let report = try await RecordingRecovery.reconcile(layout: server.writer.layout, store: server.catalog, logger: logger)
        #expect(report.damaged.isEmpty, "\(report.damaged)")
        try await CrashTests.expectExactAgreement(server.catalog, layout: server.writer.layout, "after the full disk")
        // And the newest footage plays.
        let camera = cameras[0]
        let newest = usage[camera]!.newest90k
        try await app.test(.router) { client in
            let url = "/api/cameras/\(camera)/recording.mp4?start=\(Time90k.format(newest - 2 * 90_000))&end=\(Time90k.format(newest))"
            let response = try await client.execute(uri: url, method: .get, headers: adminHeaders) { ($0.status, Data($0.body.readableBytesView)) }
            #expect(response.0 == .ok)
            let probe = try await FFprobe.run(response.1)
            #expect(probe.errors.isEmpty, "\(probe.errors.prefix(1000))")
            #expect(probe.frames > 0)
        }
    }

    static func mountTmpfs(at path: String, megabytes: Int) async throws {
        let arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]
        let (_, err) = getuid() == 0 ? try await FFprobe.shell("/bin/mount", arguments) : try await FFprobe.shell("/usr/bin/sudo", ["-n", "/bin/mount"] + arguments)
        let volume = try #require(VolumeSpace.of(path))
        try #require(volume.totalBytes <= Int64(megabytes) << 20, "could not mount a \(megabytes) MB tmpfs at \(path) (root or passwordless sudo is needed): \(err)")
    }

    /// `name{labels} value` lines of the Prometheus text format.
    static func parse(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = v
        }
        return values
    }
}
