import Catalog
import Foundation
import Hummingbird
import Logging
import Media
import RTSP
import Synchronization

/// `POST /api/cameras/test` (administrators): tries a camera's address and credentials before it is
/// saved, the way the recorder would (OPTIONS, DESCRIBE, SETUP, PLAY, up to the first video frame),
/// and answers with the codec and size, or why it failed in an operator's words. The password is
/// neither echoed nor logged (docs/api.md, "Testing a camera").
struct CameraTestRoute<Context: RequestContext>: Sendable {
    let cameras: any CameraStore

    struct Result: Encodable {
        var ok: Bool
        var url: String
        var codec: String?
        var width: Int?
        var height: Int?
        var profile: String?
        var fps: Double?
        var error: String?
        var milliseconds: Int
    }

    func register(on routes: Routes<Context>) {
        routes.post("api/cameras/test", .roles(audit: "camera.test"), APIDoc("Try a camera's address and credentials without saving them", body: .object(["rtspUrl": .string, "username": .string, "password": .string, "camera": .integer, "stream": .string, "timeoutSeconds": .number])), use: test)
    }

    func test(_ request: Request, context: Context) async throws -> Response {
        var body = try await JSONBody.read(request, limit: 16 << 10)
        var errors: [FieldError] = []
        var url: RTSPURL?
        switch body.string("rtspUrl") {
        case .some(.some(let text)):
            if let problem = RTSPURL.problem(text) { errors.append(FieldError(field: "rtspUrl", message: problem)) } else { url = RTSPURL(text) }
        default:
            errors.append(FieldError(field: "rtspUrl", message: "is required"))
        }
        var username: String?, password: String?
        if case .some(let v) = body.string("username", allowNull: true) { username = v.flatMap { $0.isEmpty ? nil : $0 } }
        if case .some(let v) = body.string("password", allowNull: true) { password = v.flatMap { $0.isEmpty ? nil : $0 } }
        // `camera`: a registered camera whose stored password is used when none is given (so that an
        // administrator editing a camera can test it without typing the password again).
        // The stored password goes only to the stored host and port: a test of another address
        // must not hand the camera's secret to whoever answers there.
        // `stream: "sub"`: the stored account of the camera's sub stream (its own, or the camera's).
        var sub = false
        if case .some(.some(let stream)) = body.string("stream") {
            if stream == "sub" { sub = true } else if stream != "main" { errors.append(FieldError(field: "stream", message: "must be main or sub")) }
        }
        if body.has("camera") {
            if let id = body.id("camera"), let camera = try await cameras.camera(id: id) {
                let login = sub ? camera.subStreamLogin ?? CameraStream(rtspURL: camera.rtspURL, username: camera.username, password: camera.password)
                                : CameraStream(rtspURL: camera.rtspURL, username: camera.username, password: camera.password)
                if password == nil, username == nil || username == login.username {
                    let stored = RTSPURL(login.rtspURL)
                    // A sub stream's address is the camera's too: the same host and port as either.
                    let hosts = [stored, RTSPURL(camera.rtspURL)].compactMap { $0.map { "\($0.host.lowercased()):\($0.port)" } }
                    if let url, hosts.contains("\(url.host.lowercased()):\(url.port)") {
                        username = login.username
                        password = login.password
                    } else if login.password != nil {
                        errors.append(FieldError(field: "camera", message: "the stored password is sent only to the camera's own address (\(stored.map { "\($0.host):\($0.port)" } ?? "none")); type the password to test another address"))
                    }
                }
            } else if !body.errors.contains(where: { $0.field == "camera" }) {
                errors.append(FieldError(field: "camera", message: "is not a registered camera"))
            }
        }
        let timeout = body.number("timeoutSeconds", within: 1...30) ?? 8.0
        errors += body.errors
        guard errors.isEmpty, var url else { throw ProblemDetails.validation(CameraRoutes<Context>.unique(errors)) }
        if username == nil, let u = url.username { username = u; password = url.password }
        url.username = nil
        url.password = nil
        var configuration = RTSPClientConfiguration(url: url, credentials: username.map { Credentials(username: $0, password: password ?? "") })
        configuration.connectTimeout = .seconds(Int64(min(timeout, 5)))
        let started = ContinuousClock.now
        let outcome = await Self.probe(configuration, timeout: timeout, logger: context.logger)
        let ms = Int((ContinuousClock.now - started) / .milliseconds(1))
        let shown = url.withoutCredentials
        context.logger.info("camera test", metadata: ["url": "\(shown)", "ok": "\(outcome.parameters != nil)"])
        switch (outcome.parameters, outcome.error) {
        case (let p?, _):
            return try JSONResponse.make(Result(ok: true, url: shown, codec: p.codec.rawValue, width: p.width, height: p.height, profile: p.profile, fps: p.fps, milliseconds: ms))
        case (nil, let error):
            return try JSONResponse.make(Result(ok: false, url: shown, error: error ?? "no answer", milliseconds: ms))
        }
    }

    struct Stop: Error {}

    /// The first frame's parameters, set by the session's task and read after it ends.
    final class Found: Sendable {
        let value = Mutex<VideoParameters?>(nil)
    }

    /// Runs a session until its first access unit, an error, or the timeout.
    static func probe(_ configuration: RTSPClientConfiguration, timeout: Double, logger: Logger) async -> (parameters: VideoParameters?, error: String?) {
        var quiet = logger
        quiet.logLevel = .error
        let client = RTSPClient(configuration: configuration, logger: quiet)
        let found = Found()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await client.run { event in
                        if case .accessUnit(_, let parameters, _) = event {
                            found.value.withLock { $0 = parameters }
                            throw Stop()
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                    throw RTSPClientError(.timeout, "no video arrived within \(Int(timeout)) s")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is Stop {
        } catch let error as RTSPClientError {
            if let p = found.value.withLock({ $0 }) { return (p, nil) }
            // What a service that is not a camera answered is not repeated: the test must not
            // become a way to read banners of other services on the network.
            if error.kind == .malformed {
                return (nil, "something answered at \(configuration.url.endpoint), but not in RTSP: is this the camera's RTSP port?")
            }
            return (nil, error.message)
        } catch {
            if let p = found.value.withLock({ $0 }) { return (p, nil) }
            return (nil, "the test failed (\(error))")
        }
        return (found.value.withLock { $0 }, nil)
    }
}
