import APIInput
import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Recorder
import TestPeers
import Testing

@testable import App

extension RecordingTests {
/// Recording the sub stream too (issue 19): a GStreamer camera sends H.265 as its main stream and
/// H.264 at 160×120 as its sub stream; with `subStream.record` both are recorded, each listed,
/// exported (checked with ffprobe) and previewed on its own; the sub stream's recording stops
/// without breaking the main stream's; and the sub stream's own retention deletes its footage
/// while the main stream's stays. Nested in ``RecordingTests`` to take turns with the other tests
/// that record.
@Suite(.serialized) struct SubStreamRecordingTests {
    @Test func theSubStreamIsRecordedBesideTheMainWithItsOwnRetention() async throws {
        let camera = try await GStreamerCamera.start(frames: 0, keyint: 25)
        let server = try await RecordingTests.makeRecordingServer(readPacing: nil)
        try await server.startRecorder()
        let flushers = [Task { try await server.writer.run() }, Task { try await server.subWriter.run() }]
        let app = Application(router: server.makeRouter())
        let base = "rtsp://127.0.0.1:\(camera.port)"
        let id = try await app.test(.router) { client -> Int in
            // Hostile settings are refused, naming the field.
            for (sub, field) in [(#"{"rtspUrl":"\#(base)/sub","record":"yes"}"#, "subStream.record"),
                                 (#"{"rtspUrl":"\#(base)/sub","record":true,"maxAgeDays":0}"#, "subStream.maxAgeDays"),
                                 (#"{"rtspUrl":"\#(base)/sub","maxAgeDays":1e30}"#, "subStream.maxAgeDays")] {
                let refused = try await client.json(.post, "/api/cameras", #"{"name":"Yard","rtspUrl":"\#(base)/h265","subStream":\#(sub),"location":{"lat":1,"lon":2}}"#)
                #expect(refused.status == .unprocessableContent && "\(refused.json["errors"] ?? "")".contains(field), "\(sub): \(refused.json)")
            }
            let created = try await client.json(.post, "/api/cameras", #"{"name":"Yard","rtspUrl":"\#(base)/h265","subStream":{"rtspUrl":"\#(base)/sub","record":true,"maxAgeDays":2},"location":{"lat":1,"lon":2}}"#)
            #expect(created.status == .created, "\(created.json)")
            let id = try #require(created.json["id"] as? Int)
            let shownSub = created.json["subStream"] as? [String: Any]
            #expect(shownSub?["record"] as? Bool == true && shownSub?["maxAgeDays"] as? Int == 2, "\(created.json)")

            func runs(_ stream: String) async throws -> [(start: Int64, end: Int64)] {
                let now = Int64(Date().timeIntervalSince1970 * 90_000)
                let listing = try await client.json(.get, "/api/cameras/\(id)/recordings?start=\(Time90k.format(now - 600 * 90_000))&end=\(Time90k.format(now + 90_000))&stream=\(stream)").json
                #expect(listing["stream"] as? String == stream)
                return (listing["runs"] as? [[String: Any]] ?? []).compactMap { run in
                    guard let start = (run["start"] as? String).flatMap(Time90k.parse), let end = (run["end"] as? String).flatMap(Time90k.parse) else { return nil }
                    return (start, end)
                }
            }
            // Both streams recorded, each as its own run.
            let recorded = try await eventually(timeout: .seconds(60)) {
                let main = try await runs("main"), sub = try await runs("sub")
                return main.contains { $0.end - $0.start >= 5 * 90_000 } && sub.contains { $0.end - $0.start >= 5 * 90_000 }
            }
            let (mainNow, subNow) = (try await runs("main"), try await runs("sub"))
            #expect(recorded, "main \(mainNow), sub \(subNow)")
            let subRun = try #require(try await runs("sub").first)
            let range = "start=\(Time90k.format(subRun.start + 90_000))&end=\(Time90k.format(subRun.start + 4 * 90_000))"

            // The camera's status tells the two apart (cached 5 s: asked until it shows both).
            let statusShowsBoth = try await eventually(timeout: .seconds(20)) {
                let recording = try await client.json(.get, "/api/cameras/\(id)").json["recording"] as? [String: Any]
                let sub = recording?["subStream"] as? [String: Any]
                return (recording?["bytes"] as? Int ?? 0) > 0 && (sub?["bytes"] as? Int ?? 0) > 0 && (sub?["framesWritten"] as? Int ?? 0) > 0
            }
            let recordingStatus = try await client.json(.get, "/api/cameras/\(id)").json["recording"]
            #expect(statusShowsBoth, "\(recordingStatus ?? "none")")

            // Each stream's export is that stream as recorded.
            let subFile = try await RecordingTests.PlaybackTests.get(client, "/api/cameras/\(id)/recording.mp4?\(range)&stream=sub")
            let subProbe = try await FFprobe.run(Data(subFile.bytes))
            #expect(subFile.status == .ok && subProbe.codec == "h264" && subProbe.width == 160 && subProbe.height == 120 && subProbe.errors.isEmpty, "\(subFile.status) \(subProbe)")
            #expect(subProbe.frames >= 50, "three seconds at 25 fps: \(subProbe)")
            #expect(subFile.headers[.contentDisposition]?.contains("-sub.mp4") == true)
            let mainFile = try await RecordingTests.PlaybackTests.get(client, "/api/cameras/\(id)/recording.mp4?\(range)")
            let mainProbe = try await FFprobe.run(Data(mainFile.bytes))
            #expect(mainFile.status == .ok && mainProbe.codec == "hevc" && mainProbe.width == 320 && mainProbe.errors.isEmpty, "\(mainFile.status) \(mainProbe)")
            // Previews from either stream.
            let at = Time90k.format(subRun.start + 2 * 90_000)
            let subFrame = try await RecordingTests.PlaybackTests.get(client, "/api/cameras/\(id)/frame.jpg?at=\(at)&stream=sub")
            #expect(subFrame.status == .ok)
            #expect(try await RecordingTests.PlaybackTests.jpegSize(subFrame.bytes).map { [$0.0, $0.1] } == [160, 120])
            let mainFrame = try await RecordingTests.PlaybackTests.get(client, "/api/cameras/\(id)/frame.jpg?at=\(at)")
            #expect(try await RecordingTests.PlaybackTests.jpegSize(mainFrame.bytes).map { [$0.0, $0.1] } == [320, 240])
            // A stream that is neither is named.
            for uri in ["recordings?\(range)&stream=side", "recording.mp4?\(range)&stream=side", "frame.jpg?at=\(at)&stream=side"] {
                let bad = try await client.json(.get, "/api/cameras/\(id)/\(uri)")
                #expect(bad.status == .unprocessableContent && "\(bad.json)".contains("stream"), "\(uri): \(bad.json)")
            }
            let audit = try await server.catalog.auditEntries(limit: 100)
            #expect(audit.contains { $0.action == "view.playback" && $0.detail.contains("sub stream") }, "\(audit.map(\.detail))")

            // Recording the sub stream stops; the main stream records on in the same run.
            let mainRunsBefore = try await runs("main")
            #expect(mainRunsBefore.count == 1, "\(mainRunsBefore)")
            let stopped = try await client.json(.patch, "/api/cameras/\(id)", #"{"subStream":{"record":false}}"#)
            #expect(stopped.status == .ok && (stopped.json["subStream"] as? [String: Any])?["record"] as? Bool == false, "\(stopped.json)")
            let subEndAtStop = try #require(try await runs("sub").last?.end)
            let mainEndAtStop = try #require(mainRunsBefore.last?.end)
            // Wait until the main stream has four seconds more in the index than when the sub stopped.
            let mainGrew = try await eventually(timeout: .seconds(60)) { (try await runs("main").last?.end ?? 0) > mainEndAtStop + 4 * 90_000 }
            #expect(mainGrew)
            let mainAfter = try await runs("main")
            #expect(mainAfter.count == 1, "the main stream's run broke when the sub stream's recording stopped: \(mainAfter)")
            let subEnd = try #require(try await runs("sub").last?.end)
            // What was received before the change and flushed after it, at most a flush and a GOP.
            #expect(subEnd <= subEndAtStop + 2 * 90_000, "the sub stream is still recorded: \(Double(subEnd - subEndAtStop) / 90_000) s more")
            return id
        }
        await server.recorder.stopAll()
        for flusher in flushers { flusher.cancel() }
        await server.writer.stopAll()
        await server.subWriter.stopAll()

        // Retention three days on: the sub stream is kept two days (its own setting), the main
        // stream as the server's default (for ever). Every sub recording but the newest goes, with
        // its file; every main recording stays.
        let camera64 = Int64(id)
        let mainBefore = try await server.catalog.recordings(camera: camera64, from: 0, to: .max / 2)
        let subBefore = try await server.catalog.recordings(camera: camera64, stream: .sub, from: 0, to: .max / 2)
        #expect(subBefore.count >= 3 && mainBefore.count >= 3, "\(subBefore.count) sub, \(mainBefore.count) main")
        let enforcer = try await server.retentionService.currentEnforcer()
        let pass = try await enforcer.enforcePass(now90k: Int64(Date().timeIntervalSince1970 * 90_000) + 3 * 86_400 * 90_000)
        let subAfter = try await server.catalog.recordings(camera: camera64, stream: .sub, from: 0, to: .max / 2)
        #expect(subAfter.map(\.id) == [subBefore.max { $0.start90k < $1.start90k }!.id], "\(subAfter.map(\.id))")
        #expect(try await server.catalog.recordings(camera: camera64, from: 0, to: .max / 2).map(\.id) == mainBefore.map(\.id))
        #expect(Set(pass.deleted) == Set(subBefore.map(\.id)).subtracting(subAfter.map(\.id)))
        for r in subBefore where pass.deleted.contains(r.id) {
            #expect(!FileManager.default.fileExists(atPath: server.writer.layout.path(camera: camera64, recording: r.id)))
        }
        _ = camera
    }
}
}
