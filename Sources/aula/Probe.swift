import ArgumentParser
import Catalog
import Foundation
import Logging
import Media
import RTSP

/// `aula probe URL`: connects to a camera like the recorder would and reports what arrives.
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Connect to a camera and report its stream (codec, size, frames, key frames).")

    @Argument(help: "rtsp://[user:password@]host[:port]/path")
    var url: String

    @Option(help: "Stop after this many frames.")
    var frames: Int = 50

    @Option(help: "User name (or put it in the URL).")
    var username: String?

    @Option(help: "Password (or put it in the URL).")
    var password: String?

    @Flag(help: "Print one line per frame.")
    var verbose = false

    struct Done: Error {}

    func run() async throws {
        guard let parsed = RTSPURL(url) else { throw ValidationError("not an rtsp:// URL: \(url)") }
        var configuration = RTSPClientConfiguration(url: parsed)
        if let username { configuration.credentials = Credentials(username: username, password: password ?? "") }
        let client = RTSPClient(configuration: configuration, logger: makeLogger(verbose ? "debug" : "warning"))
        let limit = frames
        let verbose = self.verbose
        let state = ProbeState()
        do {
            _ = try await client.run { event in
                switch event {
                case .started(let info):
                    say("stream: \(info.codec.rawValue), payload type \(info.payloadType)")
                case .accessUnit(let unit, let parameters, let stats):
                    let n = state.count(unit)
                    if n == 1 { say("video: \(parameters.width)x\(parameters.height) \(parameters.profile) \(parameters.codecString)") }
                    if verbose { say("frame \(n - 1) ts=\(unit.timestamp) key=\(unit.isKeyFrame) nals=\(unit.nalUnits.count) bytes=\(unit.nalUnits.reduce(0) { $0 + $1.count })") }
                    if n >= limit {
                        say("frames: \(n), key frames at \(state.keys), gaps: \(stats.gaps), lost packets: \(stats.lostPackets)")
                        throw Done()
                    }
                }
            }
        } catch is Done {
        } catch let error as RTSPClientError {
            say("error: \(error.message) (after \(state.frames) frames, key frames at \(state.keys))")
            throw ExitCode(2)
        }
    }
}

final class ProbeState: @unchecked Sendable {
    // Only touched from the single RTSP session task, one event at a time.
    var frames = 0
    var keys: [Int] = []
    func count(_ unit: AccessUnit) -> Int {
        if unit.isKeyFrame { keys.append(frames) }
        frames += 1
        return frames
    }
}
