import Media
import RTSP
import Simulator
import Testing

/// The RTSP client receiving Aula's own simulated cameras.
@Suite struct SimulatorIngestTests {
    @Test(arguments: [SimCodec.h264, .h265])
    func receivesEveryFrameWithTheKeyFrameCadenceSent(codec: SimCodec) async throws {
        // A 2 s loop of 50 frames, received for 130 frames: the loop repeats twice and must look
        // like one continuous stream (timestamps +3600 every frame, no sequence gap).
        let stream = try await SimulatedStream.make(spec: testSpec(codec: codec, loopSeconds: 2))
        #expect(stream.frames.count == 50)
        let server = RTSPServer(mounts: [RTSPMount(path: "/sim/1", loop: stream.loop)])
        let port = try await server.start(port: 0)
        defer { Task { await server.stop() } }
        let received = await receive("rtsp://127.0.0.1:\(port)/sim/1", count: 130)
        #expect(received.error == nil, "\(String(describing: received.error))")
        try #require(received.units.count == 130)
        #expect(received.info?.codec == (codec == .h264 ? .h264 : .h265))
        #expect(received.parameters?.width == 320)
        #expect(received.parameters?.height == 240)
        let keys = received.units.indices.filter { received.units[$0].isKeyFrame }
        #expect(keys == [0, 50, 100])
        let deltas = Set(zip(received.units, received.units.dropFirst()).map { $1.timestamp - $0.timestamp })
        #expect(deltas == [3600])
        #expect(received.stats?.gaps == 0)
        // Frame content is what the encoder produced, frame by frame, across loops.
        for (i, unit) in received.units.enumerated() {
            #expect(unit.nalUnits == stream.frames[i % 50].nalUnits, "frame \(i)")
        }
    }

    /// A recorder's session: frames delivered on the event loop, reads paced. With 200 ms pacing
    /// the 25 fps camera's frames arrive in bursts of about five, all of them, in order.
    @Test func pacedReadsDeliverEveryFrameInBursts() async throws {
        let stream = try await SimulatedStream.make(spec: testSpec(codec: .h264, loopSeconds: 2))
        let server = RTSPServer(mounts: [RTSPMount(path: "/sim/1", loop: stream.loop)])
        let port = try await server.start(port: 0)
        defer { Task { await server.stop() } }
        let received = await receive("rtsp://127.0.0.1:\(port)/sim/1", count: 100, direct: true, pacing: .milliseconds(200))
        #expect(received.error == nil, "\(String(describing: received.error))")
        try #require(received.units.count == 100)
        #expect(received.info?.codec == .h264)
        let deltas = Set(zip(received.units, received.units.dropFirst()).map { $1.timestamp - $0.timestamp })
        #expect(deltas == [3600])
        for (i, unit) in received.units.enumerated() {
            #expect(unit.nalUnits == stream.frames[i % 50].nalUnits, "frame \(i)")
        }
        // Frames 40 ms apart at the camera; a new burst starts after a pause of 100 ms or more.
        let pauses = zip(received.arrivals, received.arrivals.dropFirst()).filter { $1 - $0 > .milliseconds(100) }.count
        #expect(pauses <= 30, "\(pauses + 1) bursts for 100 frames: reads were not paced")
        #expect(pauses >= 10, "\(pauses + 1) bursts: the pacing interval was not kept")

        // Without pacing, a recorder's session reads every frame as it comes.
        let unpaced = await receive("rtsp://127.0.0.1:\(port)/sim/1", count: 30, direct: true)
        #expect(unpaced.error == nil)
        #expect(unpaced.units.count == 30)
    }

    @Test func digestProtectedSimulatorNeedsThePassword() async throws {
        let stream = try await SimulatedStream.make(spec: testSpec(loopSeconds: 2))
        let credentials = Credentials(username: "admin", password: "s3cret")
        let server = RTSPServer(mounts: [RTSPMount(path: "/sim/1", loop: stream.loop, credentials: credentials)])
        let port = try await server.start(port: 0)
        defer { Task { await server.stop() } }

        let good = await receive("rtsp://127.0.0.1:\(port)/sim/1", credentials: credentials, count: 10)
        #expect(good.units.count == 10)

        let wrong = await receive("rtsp://127.0.0.1:\(port)/sim/1", credentials: Credentials(username: "admin", password: "nope"), count: 10)
        let wrongError = try #require(wrong.error as? RTSPClientError)
        #expect(wrongError.kind == .unauthorized)
        #expect(wrongError.message == "the camera refused the password for user \"admin\"")

        let none = await receive("rtsp://127.0.0.1:\(port)/sim/1", count: 10)
        #expect((none.error as? RTSPClientError)?.message == "the camera requires a user name and password")

        // Credentials written into the URL work too.
        let inURL = await receive("rtsp://admin:s3cret@127.0.0.1:\(port)/sim/1", count: 5)
        #expect(inURL.units.count == 5)
    }
}
