import Catalog
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
        let stream = try SimulatedStream(spec: testSpec(codec: codec, loopSeconds: 2))
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

    @Test func digestProtectedSimulatorNeedsThePassword() async throws {
        let stream = try SimulatedStream(spec: testSpec(loopSeconds: 2))
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
