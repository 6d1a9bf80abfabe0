import Logging
import Media
import NIOCore
import NIOPosix
import Synchronization

/// Settings of one RTSP session.
public struct RTSPClientConfiguration: Sendable {
    public var url: RTSPURL
    public var credentials: Credentials?
    public var connectTimeout: TimeAmount = .seconds(5)
    /// A camera that sends nothing for this long is treated as gone.
    public var readTimeoutSeconds: Int64 = 10
    public var userAgent = "Aula/0.1"
    public var maxRedirects = 5
    /// Once playing, read the socket at most once per this interval (``ReadPacer``); nil reads as
    /// soon as data arrives. Recording sessions pace, a probe does not.
    public var readPacing: Duration?
    /// Asked before each paced read: while it answers true (someone is watching the camera live),
    /// reads are not held back.
    public var readUrgently: (@Sendable () -> Bool)?

    public init(url: RTSPURL, credentials: Credentials? = nil) {
        self.url = url
        self.credentials = credentials
    }
}

/// One RTSP/1.0 session over TCP with interleaved RTP (RFC 2326 §10.12): OPTIONS, DESCRIBE (with Basic
/// or Digest authentication and redirects), SETUP, PLAY, keep-alive, and TEARDOWN when it ends.
///
/// ``run(_:)`` returns only by throwing: an ``RTSPClientError`` saying why the stream ended, or
/// `CancellationError`. Reconnecting is the caller's job (see `Recorder.CameraIngest`), so that each
/// connection is a separate run.
public struct RTSPClient: Sendable {
    public var configuration: RTSPClientConfiguration
    public var logger: Logger

    public init(configuration: RTSPClientConfiguration, logger: Logger = Logger(label: "aula.rtsp")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs sessions (following redirects) until one ends. With `frames`, access units go to it on
    /// the event loop as they are depacketised and `handle` sees only ``RTSPStreamEvent/started(_:)``;
    /// without it they arrive at `handle` as ``RTSPStreamEvent/accessUnit(_:_:_:)``, with
    /// backpressure from the async reader.
    public func run(frames: RTSPFrameHandler? = nil, _ handle: @escaping @Sendable (RTSPStreamEvent) async throws -> Void) async throws -> Never {
        var url = configuration.url
        var redirects = 0
        while true {
            do {
                // The configured credentials go only to the configured host and port: a redirect
                // elsewhere (a compromised or misconfigured camera, a hostile DNS answer) is followed
                // with the credentials its own Location names, if any, and never with ours.
                let home = url.host.lowercased() == configuration.url.host.lowercased() && url.port == configuration.url.port
                try await runSession(url: url, frames: frames, handle: handle, storedCredentials: home ? configuration.credentials : nil,
                                     redirectedAway: !home)
                throw RTSPClientError(.closed, "the camera closed the connection")
            } catch let redirect as Redirect {
                redirects += 1
                guard redirects <= configuration.maxRedirects else {
                    throw RTSPClientError(.tooManyRedirects, "the camera redirected more than \(configuration.maxRedirects) times")
                }
                guard let next = RTSPURL(redirect.location) else {
                    throw RTSPClientError(.malformed, "the camera redirected to an invalid address")
                }
                logger.info("redirected", metadata: ["to": "\(next.withoutCredentials)"])
                url = next
            }
        }
    }

    private struct Redirect: Error { var location: String }

    private func connect(_ url: RTSPURL) async throws -> (NIOAsyncChannel<SessionInput, ByteBuffer>, NIOLoopBound<(SessionDecoder, ReadPacer)>) {
        let timeout = configuration.readTimeoutSeconds
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .connect(host: url.host, port: url.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let ops = channel.pipeline.syncOperations
                        // Times only the camera's silence, not Aula's own backpressure (see the handler).
                        try ops.addHandler(CameraSilenceHandler(seconds: timeout))
                        let decoder = SessionDecoder()
                        try ops.addHandler(ByteToMessageHandler(decoder))
                        let pacer = ReadPacer()
                        try ops.addHandler(pacer)
                        return (try NIOAsyncChannel<SessionInput, ByteBuffer>(wrappingChannelSynchronously: channel),
                                NIOLoopBound((decoder, pacer), eventLoop: channel.eventLoop))
                    }
                }
        } catch {
            throw RTSPClientError(.unreachable, "nothing answers at \(url.endpoint) (\(Self.describe(error)))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case 111: return "connection refused"
            case 113, 101: return "no route to host"
            case 110: return "timed out"
            default: return "error \(io.errnoCode)"
            }
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return "timed out" }
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return describe(first.error) }
            if connection.dnsAError != nil || connection.dnsAAAAError != nil { return "the name does not resolve" }
            return "could not connect"
        }
        let text = "\(error)"
        if text.contains("refused") { return "connection refused" }
        if text.contains("resolve") || text.contains("NXDOMAIN") || text.contains("lookup") { return "the name does not resolve" }
        return "could not connect"
    }

    private func runSession(url: RTSPURL, frames direct: RTSPFrameHandler?, handle: @escaping @Sendable (RTSPStreamEvent) async throws -> Void,
                            storedCredentials: Credentials?, redirectedAway: Bool) async throws {
        let (channel, handlers) = try await connect(url)
        let credentials = storedCredentials ?? url.username.map { Credentials(username: $0, password: url.password ?? "") }
        let requestURL = url.withoutCredentials
        try await channel.executeThenClose { inbound, outbound in
            let state = SessionState(userAgent: configuration.userAgent, credentials: credentials)
            var frames = inbound.makeAsyncIterator()

            /// Sends a request and waits for its response, passing interleaved data that arrives
            /// meanwhile to the stream handler; answers 401 once with credentials.
            func request(_ method: String, _ uri: String, _ extra: [(name: String, value: String)] = []) async throws -> RTSPMessage {
                var authorizedOnce = false
                while true {
                    let message = state.makeRequest(method, uri, extra)
                    try await outbound.write(ByteBuffer(bytes: message.serialized()))
                    let cseq = message.cseq
                    var response: RTSPMessage?
                    while response == nil {
                        guard let frame = try await Self.next(&frames) else {
                            throw RTSPClientError(.closed, "the camera closed the connection during \(method)")
                        }
                        switch frame {
                        case .accessUnit(let unit, let parameters, let stats):
                            try await handle(.accessUnit(unit, parameters, stats))
                        case .message(let m):
                            if m.status != nil, m.cseq == cseq || m.cseq == nil { response = m }
                        }
                    }
                    guard let response, let status = response.status else { continue }
                    if status == 401 {
                        guard let credentials else {
                            if redirectedAway {
                                throw RTSPClientError(.unauthorized, "the camera redirected to \(url.endpoint), which asks for a password; Aula sends the camera's password only to its own address (\(configuration.url.endpoint))")
                            }
                            throw RTSPClientError(.unauthorized, "the camera requires a user name and password")
                        }
                        let challenges = response.values(of: "WWW-Authenticate").compactMap(AuthChallenge.init(header:))
                        guard !authorizedOnce, let challenge = challenges.first(where: { $0.scheme == .digest }) ?? challenges.first else {
                            throw RTSPClientError(.unauthorized, "the camera refused the password for user \"\(credentials.username)\"")
                        }
                        state.challenge = challenge
                        authorizedOnce = true
                        continue
                    }
                    if [301, 302, 303, 305, 307].contains(status), let location = response[header: "Location"] {
                        throw Redirect(location: location)
                    }
                    if status == 404 {
                        throw RTSPClientError(.notFound, "the camera has no stream at \(url.path)")
                    }
                    if status == 403 {
                        throw RTSPClientError(.unauthorized, "the camera forbids access to \(url.path) for this user")
                    }
                    guard (200..<300).contains(status) else {
                        throw RTSPClientError(.badStatus, "the camera answered \(method) with \(status) \(Self.reason(response))")
                    }
                    return response
                }
            }

            let options = try await request("OPTIONS", requestURL)
            let publicMethods = (options[header: "Public"] ?? "").uppercased()
            let describe = try await request("DESCRIBE", requestURL, [("Accept", "application/sdp")])
            guard let sdpText = String(validating: describe.body, as: UTF8.self), !sdpText.isEmpty else {
                throw RTSPClientError(.malformed, "the camera's stream description (SDP) is empty or not text")
            }
            let sdp: SessionDescription
            do { sdp = try SessionDescription(parsing: sdpText) } catch {
                throw RTSPClientError(.malformed, "the camera's stream description is invalid: \(error)")
            }
            guard let video = sdp.media.first(where: { $0.mediaType == "video" }) else {
                throw RTSPClientError(.unsupported, "the camera offers no video track")
            }
            guard let codec = video.codec else {
                throw RTSPClientError(.unsupported, "the camera sends \(video.encodingName) video; Aula records H.264 and H.265")
            }
            let base = describe[header: "Content-Base"] ?? describe[header: "Content-Location"] ?? requestURL
            let trackURL = Self.resolve(control: video.control, sessionControl: sdp.sessionControl, base: base)
            let setup = try await request("SETUP", trackURL, [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")])
            guard let sessionHeader = setup[header: "Session"] else {
                throw RTSPClientError(.malformed, "the camera answered SETUP without a session id")
            }
            let sessionParts = sessionHeader.split(separator: ";").map { $0.trimmingSpaces() }
            state.session = sessionParts.first ?? ""
            let timeout = sessionParts.dropFirst().first(where: { $0.lowercased().hasPrefix("timeout=") }).flatMap { Int($0.dropFirst(8)) } ?? 60
            // From here on, RTP is depacketised on the event loop (see SessionDecoder).
            let track = TrackDepacketizer(
                rtpChannel: Self.interleavedChannel(setup[header: "Transport"]) ?? 0, payloadType: video.payloadType,
                depacketizer: makeDepacketizer(codec: codec, parameterSets: video.parameterSets))
            let pacing = configuration.readPacing
            let urgently = configuration.readUrgently
            try await handlers.eventLoop.submit {
                handlers.value.0.configure(track, frames: direct)
                if let pacing { handlers.value.1.start(interval: .nanoseconds(Int64(pacing / .nanoseconds(1))), urgently: urgently) }
            }.get()
            let playURL = Self.resolve(control: sdp.sessionControl, sessionControl: nil, base: base, fallback: requestURL)
            _ = try await request("PLAY", playURL, [("Range", "npt=0.000-")])
            logger.debug("playing", metadata: ["url": "\(requestURL)", "codec": "\(codec.rawValue)"])
            try await handle(.started(StreamInfo(codec: codec, payloadType: video.payloadType, clockRate: video.clockRate, sdpParameterSets: video.parameterSets, sdp: sdpText)))

            // Keep-alive within the session timeout, concurrently with reading.
            let keepAliveMethod = publicMethods.contains("GET_PARAMETER") ? "GET_PARAMETER" : "OPTIONS"
            let keepAliveURI = keepAliveMethod == "OPTIONS" ? requestURL : playURL
            let interval = max(1, timeout / 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(interval))
                        let message = state.makeRequest(keepAliveMethod, keepAliveURI, [])
                        try await outbound.write(ByteBuffer(bytes: message.serialized()))
                    }
                }
                defer { group.cancelAll() }
                do {
                    while let frame = try await Self.next(&frames) {
                        switch frame {
                        case .accessUnit(let unit, let parameters, let stats):
                            try await handle(.accessUnit(unit, parameters, stats))
                        case .message(let m):
                            if let status = m.status, status == 401 || status == 454 {
                                throw RTSPClientError(.closed, "the camera ended the session (\(status) \(Self.reason(m)))")
                            }
                        }
                    }
                } catch let error as CancellationError {
                    let teardown = state.makeRequest("TEARDOWN", playURL, [])
                    try? await outbound.write(ByteBuffer(bytes: teardown.serialized()))
                    throw error
                }
                throw RTSPClientError(.closed, "the camera closed the connection")
            }
        }
    }

    /// The next frame from the camera, with transport and parse errors put into an operator's words.
    static func next(_ frames: inout NIOAsyncChannelInboundStream<SessionInput>.AsyncIterator) async throws -> SessionInput? {
        do {
            return try await frames.next()
        } catch let error as RTSPParseError {
            throw RTSPClientError(.malformed, "the camera sent data Aula could not understand (\(error.message))")
        } catch let error as RTSPClientError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw RTSPClientError(.closed, "the connection to the camera broke (\(describe(error)))")
        }
    }

    static func reason(_ message: RTSPMessage) -> String {
        if case .response(_, let reason) = message.startLine { return reason }
        return ""
    }

    /// Resolves an SDP `a=control` against the base URL (RFC 2326 C.1.1).
    static func resolve(control: String?, sessionControl: String?, base: String, fallback: String? = nil) -> String {
        guard let control, !control.isEmpty else { return fallback ?? base }
        if control == "*" { return fallback ?? base }
        if control.lowercased().hasPrefix("rtsp://") || control.lowercased().hasPrefix("rtsps://") { return control }
        return base.hasSuffix("/") ? base + control : base + "/" + control
    }

    /// The RTP channel from a `Transport: …;interleaved=a-b` header.
    static func interleavedChannel(_ transport: String?) -> UInt8? {
        guard let transport else { return nil }
        for part in transport.split(separator: ";") where part.lowercased().hasPrefix("interleaved=") {
            let value = part.dropFirst("interleaved=".count)
            if let first = value.split(separator: "-").first, let n = UInt8(first) { return n }
        }
        return nil
    }
}

/// Per-connection request state shared by the reading loop and the keep-alive task.
final class SessionState: Sendable {
    private struct Inner {
        var cseq = 0
        var session: String?
        var challenge: AuthChallenge?
        var nonceCount = 0
    }

    private let inner = Mutex(Inner())
    let userAgent: String
    let credentials: Credentials?

    init(userAgent: String, credentials: Credentials?) {
        self.userAgent = userAgent
        self.credentials = credentials
    }

    var session: String? {
        get { inner.withLock { $0.session } }
        set { inner.withLock { $0.session = newValue } }
    }

    var challenge: AuthChallenge? {
        get { inner.withLock { $0.challenge } }
        set { inner.withLock { $0.challenge = newValue; $0.nonceCount = 0 } }
    }

    func makeRequest(_ method: String, _ uri: String, _ extra: [(name: String, value: String)]) -> RTSPMessage {
        let (cseq, session, challenge, nc) = inner.withLock { s -> (Int, String?, AuthChallenge?, Int) in
            s.cseq += 1
            if s.challenge != nil { s.nonceCount += 1 }
            return (s.cseq, s.session, s.challenge, s.nonceCount)
        }
        var headers: [(name: String, value: String)] = [("CSeq", String(cseq)), ("User-Agent", userAgent)]
        if let session { headers.append(("Session", session)) }
        if let challenge, let credentials {
            headers.append(("Authorization", credentials.authorization(for: challenge, method: method, uri: uri, nonceCount: nc, cnonce: String(UInt32.random(in: 0...UInt32.max), radix: 16))))
        }
        headers.append(contentsOf: extra)
        return .request(method, uri, headers: headers)
    }
}
