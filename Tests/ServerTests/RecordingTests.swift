import APIInput
import Footage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RTSP
import Simulator
import Testing
import Catalog
import Media

@testable import App
@testable import Server

/// Continuous recording from the simulator, played back as .mp4 and checked with ffprobe.
@Suite(.serialized) struct RecordingTests {
    static func spec(codec: SimCodec = .h264, bFrames: Int = 0, bitRate: Int = 300_000) -> SceneSpec {
        var spec = SceneSpec()
        spec.width = 320
        spec.height = 240
        spec.bitRate = bitRate
        spec.loopSeconds = 2
        spec.codec = codec
        spec.bFrames = bFrames
        return spec
    }

    /// Records one simulated camera for `seconds`, with 2 s sample files and 0.5 s flushes.
    static func record(codec: SimCodec = .h264, bFrames: Int = 0, bitRate: Int = 300_000, seconds: Double = 7, server: AulaApp? = nil) async throws -> (AulaApp, Int) {
        let simulator = try await CameraSimulator.make(cameras: 1, base: spec(codec: codec, bFrames: bFrames, bitRate: bitRate))
        let port = try await simulator.start(port: 0)
        let server = if let server { server } else { try await makeRecordingServer() }
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        await server.recorder.update(camera)
        let flusher = Task { try await server.writer.run() }
        try await Task.sleep(for: .seconds(seconds))
        await server.recorder.stopAll()
        flusher.cancel()
        await server.writer.stopAll()
        await simulator.stop()
        return (server, Int(camera.id))
    }

    static func makeRecordingServer(data: String? = nil, readPacing: Duration? = .milliseconds(200), maxMaskedLiveCameras: Int? = nil,
                                    configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> AulaApp {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var configuration = ServerConfiguration(dataDirectory: data ?? temporaryDirectory())
        configuration.flushInterval = .milliseconds(500)
        configuration.rotateSeconds = 2
        configuration.readPacing = readPacing
        configuration.auth = testAuthConfiguration()
        if let maxMaskedLiveCameras { configuration.maxMaskedLiveCameras = maxMaskedLiveCameras }
        configure(&configuration)
        let server = try await openApp(configuration: configuration, logger: logger)
        try addTestAdministrator(to: server)
        return server
    }

    @Test(arguments: [(SimCodec.h264, 0), (.h264, 2), (.h265, 0)])
    func exportsPlayWithFFprobe(codec: SimCodec, bFrames: Int) async throws {
        let (server, camera) = try await Self.record(codec: codec, bFrames: bFrames)
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            // Listings span at most 400 days (docs/api.md, "Input"): the day around now.
            let around = Int64(Date().timeIntervalSince1970 * 90_000)
            let listing = try await client.json(.get, "/api/cameras/\(camera)/recordings?start=\(Time90k.format(around - 43_200 * 90_000))&end=\(Time90k.format(around + 43_200 * 90_000))")
            let runs = try #require(listing.json["runs"] as? [[String: Any]], "\(listing.status) \(listing.json)")
            #expect(runs.count == 1)
            let run = try #require(runs.first)
            #expect((run["recordings"] as? Int ?? 0) >= 2, "2 s files over ~6 s of video")
            let runStart = try #require(Time90k.parse(run["start"] as? String ?? ""))
            let runEnd = try #require(Time90k.parse(run["end"] as? String ?? ""))
            #expect(runEnd - runStart > 90_000 * 3)

            // A range inside the run that crosses a file boundary, starting between key frames.
            let start = runStart + 90_000 * 13 / 10
            let end = min(runStart + 90_000 * 43 / 10, runEnd - 90_000 / 5)
            // What the catalogue says was recorded in [start, end): the export must hold exactly that.
            // (Under heavy load a camera can lose frames until its next key frame; such holes are
            // skipped by the export, as docs/storage.md describes.)
            var expectedFrames = 0
            var expectedTicks: Int64 = 0
            for r in try await server.catalog.recordings(camera: Int64(camera), from: start, to: end) {
                var t = r.start90k
                for sample in try SampleIndex.decode(r.index, hasCompositionOffsets: r.hasCompositionOffsets) {
                    let d = Int64(sample.duration)
                    if t < end && t + d > start {
                        if t >= start { expectedFrames += 1 }
                        expectedTicks += min(t + d, end) - max(t, start)
                    }
                    t += d
                }
            }
            let expectedSeconds = Double(expectedTicks) / 90_000
            #expect(expectedSeconds > 2, "at least 2 s of the 3 s range must have been recorded")
            let url = "/api/cameras/\(camera)/recording.mp4?start=\(Time90k.format(start))&end=\(Time90k.format(end))"
            let full = try await client.execute(uri: url, method: .get, headers: adminHeaders) { ($0.status, Data($0.body.readableBytesView), $0.headers) }
            #expect(full.0 == .ok)
            #expect(full.2[.contentType] == "video/mp4")
            #expect(full.2[.contentDisposition]?.contains("aula-camera\(camera)-Yard-") == true)
            let probe = try await FFprobe.run(full.1)
            #expect(probe.errors.isEmpty, "\(probe.errors)")
            #expect(probe.codec == (codec == .h264 ? "h264" : "hevc"))
            #expect(probe.width == 320 && probe.height == 240)
            #expect(abs(probe.duration - expectedSeconds) <= 0.041, "duration \(probe.duration), expected \(expectedSeconds)")
            #expect(abs(probe.frames - expectedFrames) <= 1, "frames \(probe.frames), expected \(expectedFrames)")
            #expect(probe.firstFrameIsKey)
            // B-frames reach the file as such: presentation order differs from decoding order.
            if bFrames > 0 { #expect(probe.reorderedPackets > 0) } else { #expect(probe.reorderedPackets == 0) }

            // HEAD, ETag, Range.
            let etag = try #require(full.2[.eTag])
            let head = try await client.execute(uri: url, method: .head, headers: adminHeaders) { ($0.status, $0.headers) }
            #expect(head.0 == .ok)
            #expect(head.1[.contentLength] == String(full.1.count))
            let cached = try await client.execute(uri: url, method: .get, headers: adminHeaders + [.ifNoneMatch: etag]) { $0.status }
            #expect(cached == .notModified)
            var reassembled = Data()
            var offset = 0
            var rng = SystemRandomNumberGenerator()
            while offset < full.1.count {
                let n = Int.random(in: 1...40_000, using: &rng)
                let last = min(full.1.count, offset + n) - 1
                let part = try await client.execute(uri: url, method: .get, headers: adminHeaders + [.range: "bytes=\(offset)-\(last)"]) { ($0.status, Data($0.body.readableBytesView), $0.headers) }
                #expect(part.0 == .partialContent)
                #expect(part.2[.contentRange] == "bytes \(offset)-\(last)/\(full.1.count)")
                reassembled.append(part.1)
                offset = last + 1
            }
            #expect(reassembled == full.1)
            let beyond = try await client.execute(uri: url, method: .get, headers: adminHeaders + [.range: "bytes=\(full.1.count)-"]) { ($0.status, $0.headers) }
            #expect(beyond.0 == .rangeNotSatisfiable)
            #expect(beyond.1[.contentRange] == "bytes */\(full.1.count)")

            // A range with no video is a 404 that says so.
            let none = try await client.json(.get, "/api/cameras/\(camera)/recording.mp4?start=2001-01-01T00:00:00Z&end=2001-01-01T00:01:00Z")
            #expect(none.status == .notFound)
            #expect((none.json["detail"] as? String ?? "").contains("has no recorded video between"))
            let bad = try await client.json(.get, "/api/cameras/\(camera)/recording.mp4?start=yesterday&end=2001-01-01T00:01:00Z")
            #expect(bad.status == .unprocessableContent)
            #expect((bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "start")
        }
    }

    /// At 2 Mbit/s frames are about 10 kB and vary by several kB, as from a 720p camera.
    /// A camera the recorder stops receiving (removed, changed, or handed to another node) ends
    /// its run: the writer commits its last row with `endsRun` and keeps no open recording of it.
    /// (Before, the run stayed open: its row was committed again at every flush, and on a cluster
    /// refused at every flush by the node that no longer held the camera.)
    @Test(.timeLimit(.minutes(2))) func aCameraNoLongerReceivedEndsItsRun() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: Self.spec())
        let port = try await simulator.start(port: 0)
        let server = try await Self.makeRecordingServer()
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        await server.recorder.update(camera)
        let flusher = Task { try await server.writer.run() }
        defer { flusher.cancel() }
        func rows() async throws -> [Recording] { try await server.catalog.recordings(camera: camera.id, from: 0, to: .max / 2) }
        while try await rows().isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        await server.recorder.remove(id: camera.id)
        while try await rows().last?.endsRun != true { try await Task.sleep(for: .milliseconds(100)) }
        // Nothing of it is left to commit: the next flushes store nothing more for it.
        let ended = try await rows()
        try await server.writer.flush()
        try await server.writer.flush()
        #expect(try await rows() == ended)
        await simulator.stop()
    }

    @Test func indexCostsAtMostThreeBytesAFrame() async throws {
        let (server, camera) = try await Self.record(bitRate: 2_000_000, seconds: 5)
        let recordings = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        let frames = recordings.reduce(0) { $0 + $1.frames }
        let bytes = recordings.reduce(0) { $0 + $1.index.count }
        #expect(frames > 80)
        #expect(Double(bytes) / Double(frames) <= 3.0, "\(bytes) index bytes for \(frames) frames")
    }

    /// Random frames, including extremes, come back exactly; every truncation is an error.
    @Test func indexRoundTrips() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let offsets = round % 2 == 0
            var samples: [MP4Sample] = []
            for _ in 0..<Int.random(in: 1...200, using: &rng) {
                let size: UInt32 = Bool.random(using: &rng) ? .random(in: 1...UInt32.max, using: &rng) : .random(in: 1...60_000, using: &rng)
                let duration: UInt32 = Int.random(in: 0..<10, using: &rng) == 0 ? .random(in: 0...UInt32.max, using: &rng) : 3600
                let offset: Int32 = offsets ? .random(in: Int32.min + 1...Int32.max, using: &rng) : 0
                samples.append(MP4Sample(duration: duration, size: size, isKeyFrame: Bool.random(using: &rng), compositionOffset: offset))
            }
            var encoder = SampleIndexEncoder(hasCompositionOffsets: offsets)
            for sample in samples { encoder.append(sample) }
            #expect(try SampleIndex.decode(encoder.bytes, hasCompositionOffsets: offsets) == samples)
            let cut = Int.random(in: 0..<encoder.bytes.count, using: &rng)
            if cut > 0 {
                // A cut inside a varint is reported; a cut between frames decodes the frames before it.
                if let decoded = try? SampleIndex.decode(Array(encoder.bytes.prefix(cut)), hasCompositionOffsets: offsets) {
                    #expect(decoded == Array(samples.prefix(decoded.count)))
                }
            }
        }
    }

    @Test func damagedFilesAreReportedNotServed() async throws {
        let data = temporaryDirectory()
        let (server, camera) = try await Self.record(seconds: 6, server: try await Self.makeRecordingServer(data: data))
        let recordings = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(recordings.count >= 2)
        // Truncate one file and delete another behind Aula's back, then restart.
        let layout = server.writer.layout
        let truncated = recordings[0], deleted = recordings[1]
        #expect(truncate(layout.path(camera: Int64(camera), recording: truncated.id), 100) == 0)
        try FileManager.default.removeItem(atPath: layout.path(camera: Int64(camera), recording: deleted.id))
        let restarted = try await Self.makeRecordingServer(data: data)
        try await restarted.startRecorder()
        let report = restarted.recovery.current
        #expect(report.damaged.keys.sorted() == [truncated.id, deleted.id].sorted())
        let app = Application(router: restarted.makeRouter())
        try await app.test(.router) { client in
            let url = "/api/cameras/\(camera)/recording.mp4?start=\(Time90k.format(truncated.start90k))&end=\(Time90k.format(deleted.end90k - 9000))"
            let r = try await client.json(.get, url)
            #expect(r.status == .notFound, "\(recordings.map { ($0.id, $0.start90k, $0.end90k) }) \(r.headers)")
            #expect((r.json["detail"] as? String ?? "").contains("2 damaged recording(s) left out"))
            if recordings.count > 2 {
                let wider = "/api/cameras/\(camera)/recording.mp4?start=\(Time90k.format(truncated.start90k))&end=\(Time90k.format(recordings[2].end90k))"
                let ok = try await client.execute(uri: wider, method: .get, headers: adminHeaders) { ($0.status, Data($0.body.readableBytesView), $0.headers) }
                #expect(ok.0 == .ok)
                #expect(ok.2[.init("X-Aula-Skipped-Recordings")!] == "\(truncated.id),\(deleted.id)")
                #expect(try await FFprobe.run(ok.1).errors.isEmpty)
            }
        }
        await restarted.recorder.stopAll()
    }
}

/// ffprobe's view of an .mp4 (the independent check on every file Aula writes).
struct FFprobe {
    var errors: String
    var codec: String
    var width: Int
    var height: Int
    var frames: Int
    var duration: Double
    /// The file's first sample (in decoding order) is a key frame.
    var firstFrameIsKey: Bool
    /// Packets (in decoding order) presented before the packet that precedes them.
    var reorderedPackets: Int

    /// Probes `data` on a thread of its own (see ``offPool(_:)``): four child processes, one of
    /// which decodes every frame, must not hold one of the cooperative pool's two threads.
    static func run(_ data: Data) async throws -> FFprobe {
        try await offPool { try runBlocking(data) }
    }

    static func runBlocking(_ data: Data) throws -> FFprobe {
        let path = NSTemporaryDirectory() + "aula-\(UUID().uuidString).mp4"
        try data.write(to: URL(fileURLWithPath: path))
        defer { if let keep = ProcessInfo.processInfo.environment["AULA_KEEP_EXPORTS"] { try? FileManager.default.copyItem(atPath: path, toPath: keep + "/" + (path as NSString).lastPathComponent) }; try? FileManager.default.removeItem(atPath: path) }
        let (out, err) = try shellBlocking("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                                        "stream=codec_name,width,height,nb_read_frames:format=duration", "-of", "default=nw=1", path])
        var fields: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        let (keyOut, _) = try shellBlocking("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags", "-read_intervals", "%+#1", "-of", "csv=p=0", path])
        let (_, decodeErr) = try shellBlocking("/usr/bin/ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        let (ptsOut, _) = try shellBlocking("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts", "-of", "csv=p=0", path])
        let pts = ptsOut.split(separator: "\n").compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let reordered = zip(pts, pts.dropFirst()).filter { $1 < $0 }.count
        return FFprobe(errors: err + decodeErr, codec: fields["codec_name"] ?? "", width: Int(fields["width"] ?? "") ?? 0, height: Int(fields["height"] ?? "") ?? 0,
                       frames: Int(fields["nb_read_frames"] ?? "") ?? 0, duration: Double(fields["duration"] ?? "") ?? 0,
                       firstFrameIsKey: keyOut.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("K"), reorderedPackets: reordered)
    }

    /// Runs `tool` and waits for it on a thread of its own.
    static func shell(_ tool: String, _ arguments: [String]) async throws -> (String, String) {
        try await offPool { try shellBlocking(tool, arguments) }
    }

    /// Runs `tool` and waits for it on the calling thread (for `defer` blocks and quick tools only).
    static func shellBlocking(_ tool: String, _ arguments: [String]) throws -> (String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
