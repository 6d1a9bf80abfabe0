import APIInput
import Catalog
import Footage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Media
import TestPeers
import Testing

@testable import App
@testable import Server

extension RecordingTests {
/// Continuous playback's server side (issue 19, part 4; docs/ui.md, "Playback"), recorded from a
/// GStreamer camera that ends its stream every few seconds, so the recorder reconnects (a new run
/// after a gap) and rotates its 2 s sample files on the way. The player's pieces (recording.mp4
/// inside one run each, chained across the gap) play with ffprobe frame for frame as the index
/// says; `frame.jpg?at=` gives the key frame at or before any recorded moment as a JPEG that
/// ffprobe reads, refuses moments in a gap and bad input with problems naming the field, and is
/// masked for users who may not see behind privacy zones. Nested in ``RecordingTests`` so that it
/// takes turns with the other tests that record.
@Suite(.serialized) struct PlaybackTests {
    struct Recorded {
        var server: AulaApp
        var camera: Int64
        /// Recordings of each run, in order.
        var runs: [[Recording]]
    }

    /// Records the GStreamer camera (6 s sessions at 25 fps, a key frame a second) until two runs
    /// of at least 3 s each are committed: the second starts after the reconnect.
    static func recordAcrossAReconnect() async throws -> Recorded {
        let peer = try await GStreamerCamera.start(frames: 150, keyint: 25)
        let server = try await RecordingTests.makeRecordingServer()
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Gate", rtspURL: "rtsp://127.0.0.1:\(peer.port)/h264", latitude: 1, longitude: 2))
        await server.recorder.update(camera)
        let flusher = Task { try await server.writer.run() }
        // Waited on progress (frames indexed, sessions opened, frames received), not on a guess of
        // the time: under the whole suite the reconnect's back-off and the flushes come late.
        _ = try await eventually(stall: .seconds(45), progress: {
            let all = try await server.catalog.recordings(camera: camera.id, from: 0, to: .max)
            let status = await server.recorder.status(of: camera.id)
            return [all.reduce(0) { $0 + $1.frames }, status?.connections ?? 0, status?.framesReceived ?? 0]
        }) {
            let all = try await server.catalog.recordings(camera: camera.id, from: 0, to: .max)
            let runs = Dictionary(grouping: all, by: \.runID).values.map { $0.sorted { $0.start90k < $1.start90k } }.sorted { $0[0].start90k < $1[0].start90k }
            return runs.count >= 2 && runs.prefix(2).allSatisfy({ $0.last!.end90k - $0[0].start90k >= 3 * 90_000 }) && runs[0].count >= 2
        }
        await server.recorder.stopAll()
        flusher.cancel()
        await server.writer.stopAll()
        withExtendedLifetime(peer) {}
        let all = try await server.catalog.recordings(camera: camera.id, from: 0, to: .max)
        let runs = Dictionary(grouping: all, by: \.runID).values.map { $0.sorted { $0.start90k < $1.start90k } }.sorted { $0[0].start90k < $1[0].start90k }
        return Recorded(server: server, camera: camera.id, runs: runs)
    }

    /// Frames and key-frame times the index holds in [start, end).
    static func indexed(_ recordings: [Recording], from start: Int64, to end: Int64) throws -> (frames: Int, keyFrames: [Int64]) {
        var frames = 0
        var keys: [Int64] = []
        for r in recordings {
            var t = r.start90k
            for sample in try SampleIndex.decode(r.index, hasCompositionOffsets: r.hasCompositionOffsets) {
                if t >= start && t < end { frames += 1 }
                if sample.isKeyFrame { keys.append(t) }
                t += Int64(sample.duration)
            }
        }
        return (frames, keys)
    }

    static func get(_ client: some TestClientProtocol, _ uri: String, token: String = testAdminToken) async throws -> (status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields) {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"]) { ($0.status, [UInt8]($0.body.readableBytesView), $0.headers) }
    }

    /// ffprobe's size of a JPEG (nil when it cannot read one).
    static func jpegSize(_ bytes: [UInt8]) async throws -> (Int, Int)? {
        let path = NSTemporaryDirectory() + "aula-frame-\(UUID().uuidString).jpg"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (out, _) = try await FFprobe.shell("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", path])
        let fields = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        guard fields.count == 3, fields[0] == "mjpeg", let w = Int(fields[1]), let h = Int(fields[2]) else { return nil }
        return (w, h)
    }

    @Test(.timeLimit(.minutes(4))) func playbackRunsAcrossARotationAndAReconnectAndPreviewsComeFromKeyFrames() async throws {
        let recorded = try await Self.recordAcrossAReconnect()
        let (server, camera) = (recorded.server, recorded.camera)
        try #require(recorded.runs.count >= 2, "the camera's stream ended and the recorder reconnected: \(recorded.runs.map(\.count))")
        let first = recorded.runs[0], second = recorded.runs[1]
        try #require(first.count >= 2, "the first run rotated into a second sample file")
        let gapStart = first.last!.end90k, gapEnd = second[0].start90k
        #expect(gapEnd > gapStart, "a reconnect leaves a gap")
        let all = recorded.runs.flatMap { $0 }
        let grant = [AccessGrant(effect: .allow, scope: .camera, target: "\(camera)")]
        let analyst = try addUser(server, "ana", .analyst, grants: grant)
        let ungranted = try addUser(server, "una", .analyst)
        let guardToken = try addUser(server, "gus", .guard, grants: grant)

        try await Application(router: server.makeRouter()).test(.router) { client in
            // 1. The pieces the player chains: from 0.5 s into the first run, 60 s at most and
            //    never past the end of a run; at the end of the run the next piece starts where
            //    the next run starts (the gap is skipped). Every piece plays in ffprobe with
            //    exactly the frames the index holds in it, the first one a key frame.
            let listing = try await client.json(.get, "/api/cameras/\(camera)/recordings?start=\(Time90k.format(first[0].start90k - 90_000))&end=\(Time90k.format(second.last!.end90k + 90_000))")
            let runs = try #require(listing.json["runs"] as? [[String: Any]])
            #expect(runs.count == recorded.runs.count)
            let gaps = try #require(listing.json["gaps"] as? [[String: Any]])
            // (Times in the API have millisecond precision: 90 ticks.)
            func near(_ text: Any?, _ ticks: Int64) -> Bool { Time90k.parse(text as? String ?? "").map { abs($0 - ticks) < 90 } ?? false }
            #expect(gaps.contains { near($0["start"], gapStart) && near($0["end"], gapEnd) },
                    "the listing names the gap the player skips: \(gaps)")
            var at = first[0].start90k + 45_000
            var pieces = 0, played = 0
            for run in recorded.runs.prefix(2) {
                at = max(at, run[0].start90k)
                while at < run.last!.end90k - 27_000 {
                    let end = min(at + 60 * 90_000, run.last!.end90k)
                    let piece = try await Self.get(client, "/api/cameras/\(camera)/recording.mp4?start=\(Time90k.format(at))&end=\(Time90k.format(end))")
                    #expect(piece.status == .ok)
                    let probe = try await FFprobe.run(Data(piece.bytes))
                    let expected = try Self.indexed(run, from: at, to: end)
                    #expect(probe.errors.isEmpty, "\(probe.errors)")
                    #expect(probe.firstFrameIsKey)
                    #expect(probe.width == 320 && probe.height == 240)
                    #expect(abs(probe.frames - expected.frames) <= 1, "piece \(pieces): \(probe.frames) frames, the index has \(expected.frames)")
                    #expect(abs(probe.duration - Double(end - at) / 90_000) <= 0.08, "piece \(pieces): \(probe.duration) s for \(Double(end - at) / 90_000) s")
                    played += probe.frames
                    pieces += 1
                    at = end
                }
            }
            let total = try Self.indexed(Array(recorded.runs.prefix(2).joined()), from: first[0].start90k + 45_000, to: second.last!.end90k)
            #expect(abs(played - total.frames) <= 2, "the chain played \(played) frames of \(total.frames)")

            // A piece across the rotation inside the first run (from 0.5 s before the second
            // sample file to 0.5 s after) plays as one file, frame for frame.
            let rotation = first[1].start90k
            let across = try await Self.get(client, "/api/cameras/\(camera)/recording.mp4?start=\(Time90k.format(rotation - 45_000))&end=\(Time90k.format(rotation + 45_000))")
            let acrossProbe = try await FFprobe.run(Data(across.bytes))
            let acrossIndexed = try Self.indexed(first, from: rotation - 45_000, to: rotation + 45_000)
            #expect(acrossProbe.errors.isEmpty && abs(acrossProbe.frames - acrossIndexed.frames) <= 1, "across the rotation: \(acrossProbe), index: \(acrossIndexed.frames)")

            // 2. Preview pictures: just after the rotation, in the middle of a GOP of each run,
            //    and at the first frame of the second run: the key frame at or before the moment.
            let keys = try Self.indexed(all, from: 0, to: .max).keyFrames
            // (Moments a millisecond after a frame's start: the API's times have millisecond precision.)
            for moment in [rotation + 9_000, first[0].start90k + 90_000 + 45_000, second[0].start90k + 90, second[0].start90k + 2 * 90_000 + 30_000] {
                let frame = try await Self.get(client, "/api/cameras/\(camera)/frame.jpg?at=\(Time90k.format(moment))")
                #expect(frame.status == .ok, "\(String(decoding: frame.bytes, as: UTF8.self))")
                #expect(frame.headers[.contentType] == "image/jpeg")
                let size = try await Self.jpegSize(frame.bytes)
                #expect(size.map { $0 == (320, 240) } == true, "ffprobe reads a 320×240 JPEG: \(String(describing: size))")
                let shown = try #require(Time90k.parse(frame.headers[HTTPField.Name("X-Aula-Frame-Time")!] ?? ""))
                let key = try #require(keys.last { $0 <= moment })
                #expect(abs(shown - key) < 90, "the key frame at or before \(Time90k.format(moment)) is at \(Time90k.format(key)), not \(Time90k.format(shown))")
                #expect(moment - shown < 2 * 90_000, "a key frame a second: never more than a GOP before")
            }
            // In the gap: nothing was recorded, and no older picture pretends otherwise.
            let inGap = try await client.json(.get, "/api/cameras/\(camera)/frame.jpg?at=\(Time90k.format((gapStart + gapEnd) / 2))")
            #expect(inGap.status == .notFound && (inGap.json["detail"] as? String ?? "").contains("recorded nothing"), "\(inGap.json)")

            // 3. Hostile input: problems naming the field; an unknown camera is missing.
            for (query, field) in [("", "at"), ("at=yesterday", "at"), ("at=2026-02-30T00:00:00Z", "at"), ("at=99999-01-01T00:00:00Z", "at")] {
                let bad = try await client.json(.get, "/api/cameras/\(camera)/frame.jpg?\(query)")
                #expect(bad.status == .unprocessableContent, "\(query): \(bad.status)")
                #expect((bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String == field, "\(query): \(bad.json)")
            }
            #expect(try await client.json(.get, "/api/cameras/999999/frame.jpg?at=\(Time90k.format(rotation))").status == .notFound)
            #expect(try await client.json(.get, "/api/cameras/\(camera)/frame.jpg?at=0001-01-01T00:00:00Z").status == .notFound)

            // 4. The rule of playback: analysts with the camera's grant may, guards may not, and
            //    for an analyst without the grant the camera does not exist; each view is audited.
            #expect(try await Self.get(client, "/api/cameras/\(camera)/frame.jpg?at=\(Time90k.format(rotation))", token: ungranted).status == .notFound)
            #expect(try await Self.get(client, "/api/cameras/\(camera)/frame.jpg?at=\(Time90k.format(rotation))", token: analyst).status == .ok)
            #expect(try await Self.get(client, "/api/cameras/\(camera)/frame.jpg?at=\(Time90k.format(rotation))", token: guardToken).status == .forbidden)
            let audit = try await server.catalog.auditEntries()
            #expect(audit.contains { $0.action == "view.playback" && $0.actor == "ana" && $0.target.contains("/frame.jpg?at=") })
        }
    }

    /// A privacy zone is black in the preview of a user without the right to see behind it and
    /// not in an administrator's (simulated courtyard: texture everywhere).
    @Test(.timeLimit(.minutes(3))) func previewsAreMaskedForUsersWithoutTheRight() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 5)
        let restricted = try addUser(server, "opi", .operator)
        let recordings = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: .max)
        let at = Time90k.format(try #require(recordings.first).start90k + 90_000)
        try await Application(router: server.makeRouter()).test(.router) { client in
            let put = try await client.json(.put, "/api/cameras/\(camera)/motion", PrivacyMaskTests.zoneBody)
            #expect(put.status == .ok, "\(put.json)")
            let open = try await Self.get(client, "/api/cameras/\(camera)/frame.jpg?at=\(at)")
            let masked = try await Self.get(client, "/api/cameras/\(camera)/frame.jpg?at=\(at)", token: restricted)
            #expect(open.status == .ok && masked.status == .ok)
            let seen = try await PrivacyMaskTests.luma(of: open.bytes, suffix: ".jpg"), hidden = try await PrivacyMaskTests.luma(of: masked.bytes, suffix: ".jpg")
            #expect(seen.frames == 1 && hidden.frames == 1)
            #expect(seen.inside > 40, "the courtyard behind the zone: \(seen)")
            #expect(hidden.inside < 20, "the zone is black: \(hidden)")
            #expect(abs(hidden.outside - seen.outside) < 12, "the rest of the picture is unchanged: \(seen) \(hidden)")
            #expect(open.headers[.eTag] != masked.headers[.eTag])
        }
    }
}
}
