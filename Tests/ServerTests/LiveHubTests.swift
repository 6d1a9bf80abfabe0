import Foundation
import Recorder
import Simulator
import Testing

@testable import App
@testable import Server

/// Live view's fragment stream (issue 5, part 1): one upstream session per camera shared by every
/// viewer, each viewer starting at a key frame, and a slow viewer moved to a newer key frame
/// instead of queueing. What the viewers receive is checked with ffprobe as one fMP4 file.
@Suite(.serialized) struct LiveHubTests {
    /// A camera nobody watches is read in bursts, once per pacing interval (recording and motion
    /// do not need each frame the moment it arrives, and reading each as it comes costs far more
    /// CPU); once someone watches it, it is read as frames arrive.
    @Test func aWatchedCameraIsReadAsFramesArrive() async throws {
        let simulator = try await CameraSimulator.make(cameras: 1, base: RecordingTests.spec(codec: .h264))
        let port = try await simulator.start(port: 0)
        // A long interval, so that paced and unpaced reading differ far beyond what a loaded
        // machine's scheduling delays can blur.
        let server = try await RecordingTests.makeRecordingServer(readPacing: .seconds(1))
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        await server.recorder.update(camera)
        #expect(await eventually(timeout: .seconds(10)) { await server.recorder.status(of: camera.id)?.framesReceived ?? 0 > 0 })

        // Unwatched: the frame counter moves in jumps of about 25 frames, once a second.
        var changes = 0
        var last = await server.recorder.status(of: camera.id)?.framesReceived ?? 0
        let first = last
        let until = ContinuousClock.now + .milliseconds(2500)
        while ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(10))
            let now = await server.recorder.status(of: camera.id)?.framesReceived ?? 0
            if now != last { changes += 1 }
            last = now
        }
        #expect(last - first >= 25, "frames still arrive: \(last - first) in 2.5 s")
        #expect(changes <= 6, "\(changes) separate arrivals of \(last - first) frames in 2.5 s: reads were not paced")

        // Watched: frames are read as they come. Each fragment carries the time Aula read its
        // frame; paced, 60 frames would be read in two or three bursts (gaps of a second, the rest
        // together); read as they come, most are 40 ms apart.
        let viewer = server.live.subscribe(camera: camera.id)
        #expect(server.live.isWatched(camera: camera.id))
        let settled = Int64(Date().timeIntervalSince1970 * 1_000_000) + 1_500_000  // after the cached GOP and the last parked read
        var reads: [Int64] = []
        for await message in viewer {
            if case .fragment(_, _, let wall) = message, wall >= settled { reads.append(wall) }
            if reads.count == 60 { break }
        }
        let separateReads = zip(reads, reads.dropFirst()).filter { $1 - $0 > 20_000 }.count
        #expect(separateReads >= 12, "only \(separateReads) of 59 frames were read apart from the previous one: reads were still paced")
        viewer.cancel()
        #expect(!server.live.isWatched(camera: camera.id))
        await server.recorder.stopAll()
        await simulator.stop()
    }

    @Test(arguments: [SimCodec.h264, .h265])
    func viewersShareOneSessionAndASlowViewerSkipsToAKeyFrame(codec: SimCodec) async throws {
        var spec = RecordingTests.spec(codec: codec)
        spec.gopFrames = 25  // a key frame a second
        let simulator = try await CameraSimulator.make(cameras: 1, base: spec)
        let port = try await simulator.start(port: 0)
        let server = try await RecordingTests.makeRecordingServer()
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Yard", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        let fast = server.live.subscribe(camera: camera.id)
        let slow = server.live.subscribe(camera: camera.id)
        #expect(server.live.viewerCounts()[camera.id] == 2)
        await server.recorder.update(camera)

        // The fast viewer reads 100 frames as they come.
        var fastBytes: [UInt8] = []
        var fastFrames = 0
        var firstIsKey: Bool?
        var mime = ""
        for await message in fast {
            switch message {
            case .initSegment(let bytes, let codecs):
                fastBytes += bytes
                mime = codecs
            case .fragment(let bytes, let key, _):
                if firstIsKey == nil { firstIsKey = key }
                fastBytes += bytes
                fastFrames += 1
            }
            if fastFrames == 100 { break }
        }
        #expect(firstIsKey == true)
        #expect(mime.hasPrefix(codec == .h264 ? "avc1." : "hvc1.") || mime.hasPrefix("hev1."))
        let probe = try await FFprobe.run(Data(fastBytes))
        #expect(probe.errors.isEmpty, "\(probe.errors.prefix(1000))")
        #expect(probe.frames == 100)
        #expect(probe.width == 320 && probe.height == 240)

        // The slow viewer has not read for 100 frames (more than its limit of 75): its backlog was
        // dropped and what it reads now starts at a key frame and decodes cleanly.
        #expect(slow.skips >= 1)
        var slowBytes: [UInt8] = []
        var slowFrames = 0
        var resumedAtKey: Bool?
        for await message in slow {
            switch message {
            case .initSegment(let bytes, _):
                slowBytes += bytes
            case .fragment(let bytes, let key, _):
                if resumedAtKey == nil { resumedAtKey = key }
                slowBytes += bytes
                slowFrames += 1
            }
            if slowFrames == 30 { break }
        }
        #expect(resumedAtKey == true)
        let slowProbe = try await FFprobe.run(Data(slowBytes))
        #expect(slowProbe.errors.isEmpty, "\(slowProbe.errors.prefix(1000))")
        #expect(slowProbe.frames == 30)
        // A viewer who arrives while the camera streams starts at once, with the frames since the
        // last key frame, instead of waiting for the next one.
        let late = server.live.subscribe(camera: camera.id)
        let clock = ContinuousClock()
        let asked = clock.now
        var lateBytes: [UInt8] = []
        var lateFrames = 0
        var lateFirstKey: Bool?
        var firstAfter: Duration?
        for await message in late {
            switch message {
            case .initSegment(let bytes, _):
                lateBytes += bytes
            case .fragment(let bytes, let key, _):
                if lateFirstKey == nil { lateFirstKey = key; firstAfter = clock.now - asked }
                lateBytes += bytes
                lateFrames += 1
            }
            if lateFrames == 30 { break }
        }
        #expect(lateFirstKey == true)
        #expect(try #require(firstAfter) < .milliseconds(100), "first frame after \(firstAfter!)")
        let lateProbe = try await FFprobe.run(Data(lateBytes))
        #expect(lateProbe.errors.isEmpty, "\(lateProbe.errors.prefix(1000))")
        #expect(lateProbe.frames == 30)
        late.cancel()
        await server.recorder.stopAll()
        await simulator.stop()
        fast.cancel()
        slow.cancel()
        #expect(server.live.viewerCounts()[camera.id] == nil)
    }

    /// The first viewer of a camera nobody has watched starts at once too (issue 5: first live
    /// frame under 1 s): the hub keeps a compact copy of every camera's current GOP and rebuilds
    /// the viewer's start from it, B-frames included. The GOP is 2 s, so waiting for the next key
    /// frame would take up to 2 s.
    @Test(arguments: [(SimCodec.h264, 0), (.h264, 2), (.h265, 0)])
    func theFirstViewerOfAnUnwatchedCameraStartsAtOnce(codec: SimCodec, bFrames: Int) async throws {
        var spec = RecordingTests.spec(codec: codec, bFrames: bFrames)
        spec.gopFrames = 50
        let simulator = try await CameraSimulator.make(cameras: 1, base: spec)
        let port = try await simulator.start(port: 0)
        let server = try await RecordingTests.makeRecordingServer()
        try await server.startRecorder()
        let camera = try await server.catalog.insert(.init(name: "Gate", rtspURL: "rtsp://127.0.0.1:\(port)/sim/1", latitude: 1, longitude: 2))
        await server.recorder.update(camera)
        defer { Task { await server.recorder.stopAll(); await simulator.stop() } }
        // Streaming, unwatched, for a while: then a viewer arrives at a random point of the GOP.
        let deadline = ContinuousClock.now + .seconds(20)
        while (await server.recorder.status(of: camera.id)?.framesReceived ?? 0) < 60 {
            try #require(ContinuousClock.now < deadline, "the camera never streamed")
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(Int.random(in: 100...1500)))
        #expect(server.live.viewerCounts()[camera.id] == nil)
        let viewer = server.live.subscribe(camera: camera.id)
        let clock = ContinuousClock()
        let asked = clock.now
        var bytes: [UInt8] = []
        var frames = 0
        var firstIsKey: Bool?
        var firstAfter: Duration?
        for await message in viewer {
            switch message {
            case .initSegment(let segment, _):
                bytes += segment
            case .fragment(let fragment, let key, _):
                if firstIsKey == nil { firstIsKey = key; firstAfter = clock.now - asked }
                bytes += fragment
                frames += 1
            }
            if frames == 60 { break }
        }
        viewer.cancel()
        #expect(firstIsKey == true)
        #expect(try #require(firstAfter) < .milliseconds(100), "first frame after \(firstAfter!)")
        let probe = try await FFprobe.run(Data(bytes))
        #expect(probe.errors.isEmpty, "\(probe.errors.prefix(1000))")
        #expect(probe.frames == 60)
        #expect(probe.width == 320 && probe.height == 240)
    }
}
