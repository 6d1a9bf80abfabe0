import Foundation
import Media
import NIOCore
import NIOPosix
import RTSP
import Simulator
import Testing

/// Cameras that misbehave end the session in the right state with the right message.
@Suite struct CameraFaultTests {
    @Test func unknownPathIs404() async throws {
        let stream = try await SimulatedStream.make(spec: testSpec(loopSeconds: 2))
        let server = RTSPServer(mounts: [RTSPMount(path: "/sim/1", loop: stream.loop)])
        let port = try await server.start(port: 0)
        defer { Task { await server.stop() } }
        let r = await receive("rtsp://127.0.0.1:\(port)/sim/9", count: 1)
        let error = try #require(r.error as? RTSPClientError)
        #expect(error.kind == .notFound)
        #expect(error.message == "the camera has no stream at /sim/9")
    }

    @Test func garbageAnswerIsMalformed() async throws {
        let stream = try await SimulatedStream.make(spec: testSpec(loopSeconds: 2))
        let server = RTSPServer(mounts: [RTSPMount(path: "/sim/1", loop: stream.loop, fault: .garbage)])
        let port = try await server.start(port: 0)
        defer { Task { await server.stop() } }
        let r = await receive("rtsp://127.0.0.1:\(port)/sim/1", count: 1, timeout: .seconds(10))
        let error = try #require(r.error as? RTSPClientError)
        #expect(error.kind == .malformed)
        #expect(error.message.hasPrefix("the camera sent data Aula could not understand"))
    }

    @Test func closingMidStreamIsReported() async throws {
        let stream = try await SimulatedStream.make(spec: testSpec(loopSeconds: 2))
        let server = RTSPServer(mounts: [RTSPMount(path: "/sim/1", loop: stream.loop, fault: .closeAfterFrames(30))])
        let port = try await server.start(port: 0)
        defer { Task { await server.stop() } }
        let r = await receive("rtsp://127.0.0.1:\(port)/sim/1", count: 1000)
        #expect(r.units.count == 30)
        let error = try #require(r.error as? RTSPClientError)
        #expect(error.kind == .closed)
        #expect(error.message == "the camera closed the connection")
    }

    @Test func redirectIsFollowed() async throws {
        let stream = try await SimulatedStream.make(spec: testSpec(loopSeconds: 2))
        let target = RTSPServer(mounts: [RTSPMount(path: "/sim/1", loop: stream.loop)])
        let targetPort = try await target.start(port: 0)
        let front = RTSPServer(mounts: [RTSPMount(path: "/old", loop: stream.loop, fault: .redirect("rtsp://127.0.0.1:\(targetPort)/sim/1"))])
        let frontPort = try await front.start(port: 0)
        defer { Task { await target.stop(); await front.stop() } }
        let r = await receive("rtsp://127.0.0.1:\(frontPort)/old", count: 10)
        #expect(r.error == nil, "\(String(describing: r.error))")
        #expect(r.units.count == 10)
    }

    @Test func redirectLoopEndsWithAClearError() async throws {
        let stream = try await SimulatedStream.make(spec: testSpec(loopSeconds: 2))
        // The port is only known after binding, so the loop redirects to a port chosen first. Below
        // Linux's ephemeral range (32768 and up), where client sockets of other tests and of a
        // recorder running beside the suite live; another port when it is taken all the same.
        var bound: (server: RTSPServer, port: Int)?
        for _ in 0..<20 where bound == nil {
            let port = Int.random(in: 20_000...32_000)
            let server = RTSPServer(mounts: [RTSPMount(path: "/a", loop: stream.loop, fault: .redirect("rtsp://127.0.0.1:\(port)/a"))])
            if (try? await server.start(port: port)) != nil { bound = (server, port) }
        }
        let (looping, port) = try #require(bound, "no free port for the redirecting camera")
        defer { Task { await looping.stop() } }
        let r = await receive("rtsp://127.0.0.1:\(port)/a", count: 1)
        let error = try #require(r.error as? RTSPClientError)
        #expect(error.kind == .tooManyRedirects)
        #expect(error.message == "the camera redirected more than 5 times")
    }

    @Test func nothingListening() async throws {
        // Bind a port and close it again, so that nothing listens there.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await channel.close()
        let r = await receive("rtsp://127.0.0.1:\(port)/x", count: 1)
        let error = try #require(r.error as? RTSPClientError)
        #expect(error.kind == .unreachable)
        #expect(error.message == "nothing answers at 127.0.0.1:\(port) (connection refused)")
    }
}
