import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Media
import Recorder
import Simulator
import Snapshot
import Testing

@testable import App
@testable import Server

/// The operator UI's server side (issue 5): snapshots of the newest key frame (libavcodec →
/// libturbojpeg, checked with ffprobe), the streaming history behind the health page, and the
/// camera connection test. The pages themselves are driven in Chromium by `BrowserUITests`.
@Suite struct OperatorUITests {
    static func keyFrame(codec: SimCodec, bFrames: Int = 0) throws -> (AccessUnit, VideoParameters) {
        let stream = try SimulatedStream(spec: RecordingTests.spec(codec: codec, bFrames: bFrames))
        let units = stream.accessUnits
        let index = try #require(stream.keyFrameIndices.last)
        return (units[index], try VideoParameters(codec: codec == .h264 ? .h264 : .h265, parameterSets: stream.parameterSets))
    }

    /// ffprobe's reading of a JPEG: codec, width, height.
    static func probeJPEG(_ bytes: [UInt8]) throws -> (codec: String, width: Int, height: Int, errors: String) {
        let path = NSTemporaryDirectory() + "aula-snapshot-\(UUID().uuidString).jpg"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (out, err) = try FFprobe.shellBlocking("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "default=nw=1", path])
        var fields: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        return (fields["codec_name"] ?? "", Int(fields["width"] ?? "") ?? 0, Int(fields["height"] ?? "") ?? 0, err)
    }

    @Test(arguments: [(SimCodec.h264, 0), (.h265, 0), (.h264, 2)])
    func aKeyFrameBecomesAJPEGOfTheCamerasSize(codec: SimCodec, bFrames: Int) throws {
        let (unit, parameters) = try Self.keyFrame(codec: codec, bFrames: bFrames)
        let picture = try SnapshotEncoder.jpeg(keyFrame: unit, parameters: parameters)
        #expect(picture.width == 320 && picture.height == 240)
        #expect(Array(picture.bytes.prefix(2)) == [0xFF, 0xD8], "not a JPEG")
        let probe = try Self.probeJPEG(picture.bytes)
        #expect(probe.errors.isEmpty, "\(probe.errors)")
        #expect(probe.codec == "mjpeg" && probe.width == 320 && probe.height == 240, "\(probe)")
    }

    /// A camera that sends its parameter sets only in the SDP: the key frame has none in band, and
    /// the snapshot decoder must take them from the stream's parameters.
    @Test(arguments: [SimCodec.h264, .h265])
    func aKeyFrameWithoutInBandParameterSetsStillBecomesAJPEG(codec: SimCodec) throws {
        let (original, parameters) = try Self.keyFrame(codec: codec, bFrames: 0)
        var unit = original
        let parameterSetTypes: Set<UInt8> = codec == .h264 ? [7, 8] : [32, 33, 34]
        func type(_ nal: [UInt8]) -> UInt8 { codec == .h264 ? nal[0] & 0x1F : (nal[0] >> 1) & 0x3F }
        #expect(unit.nalUnits.contains { parameterSetTypes.contains(type($0)) }, "the key frame had them in band")
        unit.nalUnits.removeAll { parameterSetTypes.contains(type($0)) }
        let picture = try SnapshotEncoder.jpeg(keyFrame: unit, parameters: parameters)
        #expect(picture.width == 320 && picture.height == 240)
        let probe = try Self.probeJPEG(picture.bytes)
        #expect(probe.errors.isEmpty, "\(probe.errors)")
    }

    @Test func aFrameThatIsNotAKeyFrameIsRefused() throws {
        let stream = try SimulatedStream(spec: RecordingTests.spec())
        let parameters = try VideoParameters(codec: .h264, parameterSets: stream.parameterSets)
        let delta = try #require(stream.accessUnits.first { !$0.isKeyFrame })
        #expect(throws: SnapshotError.self) { try SnapshotEncoder.jpeg(keyFrame: delta, parameters: parameters) }
    }

    @Test func snapshotRouteServesTheLatestKeyFrameToViewersAndAuditsIt() async throws {
        let server = try await makeServer()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:9/none", latitude: 1, longitude: 2))
        let other = try await server.catalog.insert(.init(name: "Gate", rtspURL: "rtsp://127.0.0.1:9/none2", latitude: 1, longitude: 2))
        let guardToken = try addUser(server, "gus", .guard, grants: [AccessGrant(effect: .allow, scope: .camera, target: String(camera.id))])
        let auditorToken = try addUser(server, "aud", .auditor)
        let (unit, parameters) = try Self.keyFrame(codec: .h264)
        let delta = try #require(try SimulatedStream(spec: RecordingTests.spec()).accessUnits.first { !$0.isKeyFrame })
        server.keyFrames.accessUnit(camera: camera.id, unit: unit, parameters: parameters, wallTime: 1_700_000_000_000_000)
        server.keyFrames.accessUnit(camera: camera.id, unit: delta, parameters: parameters, wallTime: 1_700_000_001_000_000)
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            for token in [testAdminToken, guardToken] {
                let (status, headers, body) = try await client.execute(uri: "/api/cameras/\(camera.id)/snapshot.jpg", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                    ($0.status, $0.headers, Array($0.body.readableBytesView))
                }
                #expect(status == .ok)
                #expect(headers[.contentType] == "image/jpeg")
                // The key frame, not the later delta frame.
                #expect(headers[HTTPField.Name("X-Aula-Frame-Time")!] == "2023-11-14T22:13:20.000Z")
                let probe = try Self.probeJPEG(body)
                #expect(probe.codec == "mjpeg" && probe.width == 320 && probe.height == 240, "\(probe)")
            }
            // No grant for the other camera, no role, no credential, no picture yet, no camera.
            #expect(try await client.json(.get, "/api/cameras/\(other.id)/snapshot.jpg", token: guardToken).status == .notFound)
            #expect(try await client.json(.get, "/api/cameras/\(camera.id)/snapshot.jpg", token: auditorToken).status == .forbidden)
            #expect(try await client.json(.get, "/api/cameras/\(camera.id)/snapshot.jpg", token: nil).status == .unauthorized)
            let none = try await client.json(.get, "/api/cameras/\(other.id)/snapshot.jpg")
            #expect(none.status == .notFound)
            #expect((none.json["detail"] as? String)?.contains("no picture") == true)
            #expect(try await client.json(.get, "/api/cameras/999/snapshot.jpg").status == .notFound)
        }
        let audit = try await server.catalog.auditEntries(limit: 100)
        #expect(audit.filter { $0.action == "view.snapshot" }.map(\.actor).sorted() == ["gus", "test-admin"], "\(audit.map(\.action))")
    }

    @Test func streamingHistoryGivesTheShareOfTheLastDay() {
        let clock = Clock()
        let hour: Int64 = 3_600_000_000
        clock.now = 0
        let history = StreamingHistory(clock: { clock.now })
        history.record(camera: 1, streaming: true, at: 0)
        history.record(camera: 1, streaming: false, at: 2 * hour)
        history.record(camera: 1, streaming: false, at: 3 * hour)  // no change: ignored
        history.record(camera: 1, streaming: true, at: 4 * hour)
        // 4 h observed: streaming from 0 to 2 h, and again from 4 h (0 s so far).
        var s = history.summary(camera: 1, now: 4 * hour)
        #expect(s.observedSeconds == 4 * 3600)
        #expect(s.streamingSeconds == 2 * 3600)
        #expect(s.share == 0.5)
        #expect(s.changes.map(\.streaming) == [false, true])  // the start at 0 is at the window's edge
        // 30 h later: the window is the last 24 h, from 10 h to 34 h, all streaming.
        s = history.summary(camera: 1, now: 34 * hour)
        #expect(s.observedSeconds == 24 * 3600)
        #expect(s.streamingSeconds == 24 * 3600)
        #expect(s.share == 1)
        history.record(camera: 1, streaming: false, at: 40 * hour)
        s = history.summary(camera: 1, now: 46 * hour)
        #expect(s.streamingSeconds == 18 * 3600)  // 22 h → 40 h
        #expect(abs((s.share ?? 0) - 0.75) < 1e-9)
        // A camera never seen streaming: 0 of the time observed.
        #expect(history.summary(camera: 2, now: 46 * hour).share == 0)
    }

    final class Clock: @unchecked Sendable {
        // Only touched by the test's own thread.
        var now: Int64 = 0
    }

    @Test func cameraTestNamesBadFieldsRefusesNonAdministratorsAndNeverEchoesThePassword() async throws {
        let server = try await makeServer()
        let operatorToken = try addUser(server, "opa", .operator)
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:9/none", username: "admin", password: "stored-pass", latitude: 1, longitude: 2))
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let missing = try await client.json(.post, "/api/cameras/test", #"{"timeoutSeconds": 99}"#)
            #expect(missing.status == .unprocessableContent)
            let fields = (missing.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(fields.sorted() == ["rtspUrl", "timeoutSeconds"], "\(missing.json)")
            #expect(try await client.json(.post, "/api/cameras/test", #"{"rtspUrl": "http://x/"}"#).status == .unprocessableContent)
            #expect(try await client.json(.post, "/api/cameras/test", #"{"rtspUrl": "rtsp://127.0.0.1:9/x"}"#, token: operatorToken).status == .forbidden)
            // Nothing listens on port 9: an answer in words, without the password anywhere.
            let refused = try await client.execute(uri: "/api/cameras/test", method: .post, headers: adminHeaders + [.contentType: "application/json"],
                                                   body: ByteBuffer(string: #"{"rtspUrl": "rtsp://admin:s3cret-pass@127.0.0.1:9/x", "timeoutSeconds": 3}"#)) {
                ($0.status, String(decoding: $0.body.readableBytesView, as: UTF8.self))
            }
            #expect(refused.0 == .ok)
            #expect(refused.1.contains(#""ok":false"#), "\(refused.1)")
            #expect(refused.1.contains("127.0.0.1"), "\(refused.1)")
            #expect(!refused.1.contains("s3cret"), "\(refused.1)")
            // A camera that does not exist is named; a registered one lends its stored password.
            for id in ["999", "1e30", "-1", "1.5"] {
                let unknown = try await client.json(.post, "/api/cameras/test", #"{"rtspUrl": "rtsp://127.0.0.1:9/x", "camera": \#(id)}"#)
                #expect(unknown.status == .unprocessableContent)
                #expect((unknown.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "camera", "\(id): \(unknown.json)")
            }
            let stored = try await client.json(.post, "/api/cameras/test", #"{"rtspUrl": "rtsp://127.0.0.1:9/x", "camera": \#(camera.id), "timeoutSeconds": 2}"#)
            #expect(stored.status == .ok && stored.json["ok"] as? Bool == false, "\(stored.json)")
        }
        let audit = try await server.catalog.auditEntries(limit: 100)
        #expect(audit.contains { $0.action == "camera.test" })
        #expect(!audit.contains { $0.detail.contains("s3cret") || $0.target.contains("s3cret") })
    }

    @Test func cameraTestReportsCodecAndSizeOfARealStream() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: RecordingTests.spec())
        let port = try await simulator.start(port: 0)
        let server = try await makeServer()
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            // The longest wait the route allows: on a loaded machine the first frames come late.
            let ok = try await client.json(.post, "/api/cameras/test", #"{"rtspUrl": "rtsp://127.0.0.1:\#(port)/sim/1", "timeoutSeconds": 30}"#)
            #expect(ok.status == .ok)
            #expect(ok.json["ok"] as? Bool == true, "\(ok.json)")
            #expect(ok.json["codec"] as? String == "H.264" && ok.json["width"] as? Int == 320 && ok.json["height"] as? Int == 240, "\(ok.json)")
            let missingPath = try await client.json(.post, "/api/cameras/test", #"{"rtspUrl": "rtsp://127.0.0.1:\#(port)/nothing-here"}"#)
            #expect(missingPath.json["ok"] as? Bool == false)
            #expect((missingPath.json["error"] as? String)?.isEmpty == false, "\(missingPath.json)")
        }
        await simulator.stop()
    }

    @Test func cameraHealthReportsUptimeAndGaps() async throws {
        // Every bound below comes from clock readings around what it measures, not from the
        // sleeps' nominal lengths: on a busy machine a 300 ms sleep may last a minute.
        let beforeServer = Date()
        let server = try await makeServer()
        let afterServer = Date()  // the streaming history started in between
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:9/none", latitude: 1, longitude: 2))
        let (_, parameters) = try Self.keyFrame(codec: .h264)
        let beforeStart = Date()
        server.streamingHistory.streamStarted(camera: camera.id, parameters: parameters)
        let afterStart = Date()
        try await Task.sleep(for: .milliseconds(300))
        let beforeEnd = Date()
        server.streamingHistory.streamEnded(camera: camera.id)
        let afterEnd = Date()
        try await Task.sleep(for: .milliseconds(300))
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            let asked = Date()
            let r = try await client.json(.get, "/api/camera-health")
            let answered = Date()
            #expect(r.status == .ok)
            let entry = try #require((r.json["cameras"] as? [[String: Any]])?.first)
            #expect(entry["camera"] as? Int == Int(camera.id))
            // The share of the time observed since the server started that the camera streamed.
            let uptime = try #require(entry["uptime"] as? Double)
            let streamed = (least: beforeEnd.timeIntervalSince(afterStart), most: afterEnd.timeIntervalSince(beforeStart))
            let observed = (least: asked.timeIntervalSince(afterServer), most: answered.timeIntervalSince(beforeServer))
            #expect(uptime >= streamed.least / observed.most - 0.01 && uptime <= streamed.most / observed.least + 0.01,
                    "\(entry): streamed \(streamed) s of \(observed) s")
            #expect(uptime > 0 && uptime < 1, "\(entry)")
            #expect((entry["changes"] as? [[String: Any]])?.map { $0["streaming"] as? Bool } == [true, false])
            // Nothing recorded, but the camera was added a moment ago: the gap is the camera's
            // age, not a day.
            #expect(entry["recordedSeconds"] as? Double == 0)
            let gap = try #require(entry["gapSeconds"] as? Double)
            #expect(gap <= answered.timeIntervalSince(afterServer) + 1, "\(entry)")
        }
    }
}
