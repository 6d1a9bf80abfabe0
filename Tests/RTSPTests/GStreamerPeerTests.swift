import Media
import RTSP
import TestPeers
import Testing

/// Aula's RTSP client against an independent implementation: GStreamer's gst-rtsp-server with
/// x264enc/x265enc, started from scripts/gst_rtsp_server.py. Each client gets a fresh live pipeline
/// at 25 fps with a key frame every 25 frames: the first 100 frames received must be exactly the
/// first 100 sent (a timestamp step of one frame each, none missing) with key frames at 0, 25, 50, 75.
@Suite(.serialized) struct GStreamerPeerTests {
    static let frames = 100
    static let keyint = 25

    @Test(arguments: ["h264", "h265"])
    func receivesWhatGStreamerSent(mount: String) async throws {
        let camera = try await GStreamerCamera.start(frames: 0, keyint: Self.keyint)
        let r = await receive("rtsp://127.0.0.1:\(camera.port)/\(mount)", count: Self.frames, timeout: .seconds(30))
        #expect(r.error == nil, "\(String(describing: r.error))")
        #expect(r.units.count == Self.frames)
        #expect(r.info?.codec == (mount == "h264" ? .h264 : .h265))
        #expect(r.parameters?.width == 320)
        #expect(r.parameters?.height == 240)
        let keys = r.units.indices.filter { r.units[$0].isKeyFrame }
        #expect(keys == Array(stride(from: 0, to: Self.frames, by: Self.keyint)))
        #expect(r.stats?.gaps == 0)
        #expect(Set(zip(r.units, r.units.dropFirst()).map { $1.timestamp - $0.timestamp }) == [3600])
    }

    @Test func digestMount() async throws {
        let camera = try await GStreamerCamera.start(frames: 0, keyint: Self.keyint)
        let url = "rtsp://127.0.0.1:\(camera.port + 1)/secure"
        let ok = await receive(url, credentials: Credentials(username: "aula", password: "secret"), count: Self.frames, timeout: .seconds(30))
        #expect(ok.error == nil, "\(String(describing: ok.error))")
        #expect(ok.units.count == Self.frames)
        #expect(ok.units.indices.filter { ok.units[$0].isKeyFrame } == [0, 25, 50, 75])
        #expect(Set(zip(ok.units, ok.units.dropFirst()).map { $1.timestamp - $0.timestamp }) == [3600])

        let wrong = await receive(url, credentials: Credentials(username: "aula", password: "wrong"), count: 1)
        #expect((wrong.error as? RTSPClientError)?.kind == .unauthorized)
        #expect((wrong.error as? RTSPClientError)?.message == "the camera refused the password for user \"aula\"")
    }
}
