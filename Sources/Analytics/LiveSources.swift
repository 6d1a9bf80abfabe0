import Media
import Recorder

/// Every live stream a node can serve for a camera, and the rule that picks one for a viewer
/// (docs/live.md, "Main and sub streams" and "Every camera in every browser").
public struct LiveSources: Sendable {
    /// A stream a viewer can be given.
    public enum Source: String, Sendable, CaseIterable {
        /// The camera's main stream as it came.
        case main
        /// The camera's sub stream as it came.
        case sub
        /// The main stream re-encoded as H.264 (for a browser that cannot decode the camera's codec).
        case transcoded
        /// The main stream with privacy zones blacked out (H.264).
        case masked
    }

    /// What a viewer asks for.
    public struct Request: Sendable, Equatable {
        /// The stream wanted: `.main` (a single camera full size) or `.sub` (a wall tile).
        public var stream: StreamRole
        /// The codecs the viewer's browser decodes (nil: it did not say; any).
        public var decodes: Set<VideoCodec>?
        /// Whether the viewer must get the masked stream (not allowed behind privacy masks).
        public var masked: Bool

        public init(stream: StreamRole = .main, decodes: Set<VideoCodec>? = nil, masked: Bool = false) {
            self.stream = stream
            self.decodes = decodes
            self.masked = masked
        }
    }

    public let main: LiveHub
    public let sub: LiveHub
    public let masked: MaskedLive
    public let transcoded: MaskedLive

    public init(main: LiveHub, sub: LiveHub, masked: MaskedLive, transcoded: MaskedLive) {
        self.main = main
        self.sub = sub
        self.masked = masked
        self.transcoded = transcoded
    }

    /// The stream for `request`, given what each of the camera's streams sends now (`main` and
    /// `sub` are codec names as in ``CameraStatus/codec``, nil while not known).
    ///
    /// The masked stream for a restricted viewer, whatever was asked; otherwise the stream asked
    /// for when the camera has it (a wall tile falls back to the main stream without a sub
    /// stream). When the browser cannot decode that stream's codec, the camera's other stream if
    /// the browser decodes it, else the transcode. A codec not known yet is taken as decodable:
    /// the viewer reconnects when the camera comes, and is then served by the rule again.
    public static func choose(_ request: Request, main: String?, sub: String?, hasSub: Bool) -> Source {
        if request.masked { return .masked }
        func decodable(_ codec: String?) -> Bool {
            guard let decodes = request.decodes, let codec, let known = VideoCodec(rawValue: codec) else { return true }
            return decodes.contains(known)
        }
        let wanted: Source = request.stream == .sub && hasSub ? .sub : .main
        let wantedCodec = wanted == .sub ? sub : main
        if decodable(wantedCodec) { return wanted }
        let other: Source = wanted == .sub ? .main : .sub
        if other == .sub ? hasSub && sub != nil && decodable(sub) : decodable(main) { return other }
        return .transcoded
    }

    /// Whether one more viewer of `source` can be served now (the re-encoders are bounded).
    public func canWatch(_ source: Source, camera: Int64) -> Bool {
        switch source {
        case .main, .sub: true
        case .masked: masked.canWatch(camera: camera)
        case .transcoded: transcoded.canWatch(camera: camera)
        }
    }

    /// Subscribes to `source`; the closure ends the viewing (stops an encoder nobody else uses).
    public func subscribe(_ source: Source, camera: Int64) -> (LiveHub.Subscription, @Sendable () -> Void) {
        switch source {
        case .main: return (main.subscribe(camera: camera), {})
        case .sub: return (sub.subscribe(camera: camera), {})
        case .masked, .transcoded:
            let lease = (source == .masked ? masked : transcoded).subscribe(camera: camera)
            return (lease.subscription, { lease.release() })
        }
    }

    /// Whether anyone watches any stream of `camera` (its streams are then read as frames arrive).
    public func isWatched(camera: Int64) -> Bool {
        main.isWatched(camera: camera) || sub.isWatched(camera: camera) || masked.isWatched(camera: camera) || transcoded.isWatched(camera: camera)
    }
}

extension LiveSources.Request {
    /// Reads `?stream=main|sub` and `?codecs=h264,h265` (what the browser said it decodes).
    /// Unknown codec names are ignored (a browser may name more than Aula knows); a bad stream
    /// name is an error naming the parameter.
    public static func parse(stream: String?, codecs: String?, masked: Bool) -> Result<Self, FieldProblem> {
        var request = Self(masked: masked)
        if let stream {
            guard let role = StreamRole(rawValue: stream) else { return .failure(FieldProblem(field: "stream", message: "must be main or sub")) }
            request.stream = role
        }
        if let codecs {
            guard codecs.utf8.count <= 200 else { return .failure(FieldProblem(field: "codecs", message: "must be at most 200 bytes")) }
            request.decodes = Set(codecs.split(separator: ",").compactMap { Self.codec(named: String($0)) })
        }
        return .success(request)
    }

    /// `h264`/`avc1` and `h265`/`hevc`/`hvc1`/`hev1`, in any case.
    static func codec(named name: String) -> VideoCodec? {
        switch name.lowercased() {
        case "h264", "h.264", "avc", "avc1": .h264
        case "h265", "h.265", "hevc", "hvc1", "hev1": .h265
        default: nil
        }
    }

    /// A query parameter that could not be read.
    public struct FieldProblem: Error, Sendable {
        public var field: String
        public var message: String
    }
}

extension LiveSources {
    /// ``choose(_:main:sub:hasSub:)`` with what `recorder` receives of the camera now.
    public func choose(_ request: Request, camera: Int64, recorder: Recorder) async -> Source {
        let (main, sub, hasSub) = await recorder.codecs(of: camera)
        return Self.choose(request, main: main, sub: sub, hasSub: hasSub)
    }

    /// The request as query parameters for the node that records the camera (docs/cluster.md).
    public static func query(_ request: Request) -> String {
        var items = ["stream=\(request.stream.rawValue)", "masked=\(request.masked ? 1 : 0)"]
        if let decodes = request.decodes {
            items.append("codecs=" + decodes.map { $0 == .h264 ? "h264" : "h265" }.sorted().joined(separator: ","))
        }
        return items.joined(separator: "&")
    }
}
