import Analytics
import APIInput
import Catalog
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Recorder
import Synchronization

/// `GET /api/live`: every tile of a wall on one WebSocket (docs/live.md, "The wall's socket").
///
/// A browser lets only one WebSocket per host be in its opening handshake at a time, and a page
/// busy appending the first tiles' frames opened the later tiles' sockets up to seconds late: a
/// 16-tile wall showed its last tile after 0.8–2.8 s (docs/performance.md, "Watching"). On one
/// socket, opened once, the page asks for all its cameras at once.
///
/// Browser to server (text, one JSON object each):
/// - `{"type":"add","tile":T,"camera":ID,"stream":"sub","codecs":"h264"}`: show camera ID in tile
///   T (0 to 35) with the stream rule of `/api/cameras/{id}/live`;
/// - `{"type":"remove","tile":T}`.
///
/// Server to browser: for each tile the single-camera socket's messages, tagged: text
/// `{"type":"init","mime":…,"source":…,"tile":T}`, binary messages (initialization segment and
/// fragments) whose first two bytes are the tile (big-endian), `{"type":"frame","tile":T,…}` with
/// `?timing=1`; and text `{"type":"error","tile":T,"field":F,"message":…}` for a message that
/// cannot be served, `{"type":"ended","tile":T,"reason":R,"message":…,"retry":S}` when a tile
/// stops or cannot start for a while (`access`: the user may no longer watch the camera;
/// `transcode-limit`, `masked-limit`, `limit`: a bound of the server or the user), to be asked
/// again after S seconds.
///
/// Each camera keeps its own hub subscription (its own queue and slow-viewer rule: a tile that
/// falls behind jumps to its newest key frame) and its own task; the tasks take turns writing
/// whole messages to the socket, so that a camera with large key frames delays the others by
/// one message at most and never stalls them. Each camera counts as one live view of the user's
/// and the server's limits (``LiveSockets``); an empty socket counts as one. Rights are held per
/// camera for the life of the socket: a lost grant ends that tile, a change of the privacy zones
/// it is masked by restarts it with the stream the user may see, a sign-out closes the socket.
struct LiveWallRoute: Sendable {
    let live: LiveRoute
    let audit: any AuditStore

    /// Tiles of one socket: `tile` is 0 to 35 (the largest wall).
    static let maxTiles = 36
    /// The longest message the page may send.
    static let maxMessage = 4096
    /// Messages the page may send: a burst of this many, then ``perSecond``.
    static let burst = 100.0
    static let perSecond = 20.0
    /// How long a page waits before asking again for a camera a bound refused.
    static let retryAfterLimit = 30

    static let rule = RouteRule.roles(Roles.cameraViewers)

    func register(on routes: Routes<AulaContext>) {
        routes.ws("api/live", Self.rule, APIDoc("Live view of many cameras (a wall) on one WebSocket", query: ["timing": .string], answer: .webSocket),
                  shouldUpgrade: { request, context in
            try live.checkUpgrade(request)
            if let refusal = live.sockets.refusal(user: context.identity?.user.name ?? "") { throw refusal }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            guard let identity = context.requestContext.identity else { return }
            let wall = WallSocket(route: self, identity: identity, client: context.requestContext.client, outbound: outbound,
                                  timing: context.request.uri.queryParameters.get("timing") == "1")
            guard wall.open() else {
                try? await outbound.close(.policyViolation, reason: "too many live views; close some first")
                return
            }
            await wall.run(inbound)
        })
    }
}

/// One open wall socket: its tiles, its places in the limits, its user as of the last check.
final class WallSocket: Sendable {
    struct Tile {
        var generation: UInt64
        var camera: Int64
        var request: LiveSources.Request
        var masks: String?
        /// Show the newest key frame, then go on from the next one (``StartAt``).
        var start: StartAt
        var task: Task<Void, Never>?
    }

    /// Where a tile starts. A new viewer is sent the frames since the camera's last key frame:
    /// a player shows the key frame, then decodes them all to reach the live edge. With sixteen
    /// tiles starting at once those decodes (on average half a GOP each) delayed the later tiles'
    /// first pictures, so a wall's tile may ask for the key frame alone and wait for the next one
    /// to go on (live video follows within one GOP).
    enum StartAt: String {
        case gop
        case keyFrame = "key-frame"
    }

    struct State {
        var identity: Identity
        var tiles: [Int: Tile] = [:]
        var generation: UInt64 = 0
        /// Places taken in ``LiveSockets``: one per tile, at least one.
        var places = 0
        var tokens = LiveWallRoute.burst
        var refilled = ContinuousClock.now
        var toldRate = ContinuousClock.now - .seconds(10)
        var closed = false
    }

    let route: LiveWallRoute
    let client: String
    let outbound: WebSocketOutboundWriter
    let timing: Bool
    private let state: Mutex<State>
    private let turns = Turns()

    init(route: LiveWallRoute, identity: Identity, client: String, outbound: WebSocketOutboundWriter, timing: Bool) {
        self.route = route
        self.client = client
        self.outbound = outbound
        self.timing = timing
        state = Mutex(State(identity: identity))
    }

    private var live: LiveRoute { route.live }
    private var user: User { state.withLock { $0.identity.user } }

    /// Takes the socket's first place; false when the user or the server has none left.
    func open() -> Bool {
        guard live.sockets.acquire(user: user.name) else { return false }
        state.withLock { $0.places = 1 }
        return true
    }

    /// Reads the page's messages until it closes the socket or its rights end; then stops every tile.
    func run(_ inbound: WebSocketInboundStream) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                do {
                    // (The limit applies to messages in several frames; one frame is checked here.)
                    for try await message in inbound.messages(maxSize: LiveWallRoute.maxMessage) {
                        switch message {
                        case .text(let text) where text.utf8.count > LiveWallRoute.maxMessage:
                            try? await outbound.close(.messageTooLarge, reason: "messages are at most \(LiveWallRoute.maxMessage) bytes")
                            return
                        case .text(let text): await handle(text)
                        case .binary: await error(tile: nil, field: "message", "must be a JSON text message, not binary")
                        }
                    }
                } catch {
                    try? await outbound.close(.messageTooLarge, reason: "messages are at most \(LiveWallRoute.maxMessage) bytes")
                }
            }
            group.addTask { [self] in
                await holdRights()
                try? await outbound.close(.policyViolation, reason: "signed out or no longer allowed to watch; sign in again")
            }
            await group.next()
            group.cancelAll()
        }
        let (tasks, places, name) = state.withLock { state in
            state.closed = true
            defer { state.tiles = [:]; state.places = 0 }
            return (state.tiles.values.compactMap(\.task), state.places, state.identity.user.name)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for _ in 0..<places { live.sockets.release(user: name) }
    }

    // MARK: Messages from the page

    func handle(_ text: String) async {
        let (allowed, tell) = state.withLock { state -> (Bool, Bool) in
            let now = ContinuousClock.now
            state.tokens = min(LiveWallRoute.burst, state.tokens + Double((now - state.refilled) / .seconds(1)) * LiveWallRoute.perSecond)
            state.refilled = now
            guard state.tokens >= 1 else {
                defer { if now - state.toldRate >= .seconds(1) { state.toldRate = now } }
                return (false, now - state.toldRate >= .seconds(1))
            }
            state.tokens -= 1
            return (true, false)
        }
        guard allowed else {
            if tell { await error(tile: nil, field: "type", "more than \(Int(LiveWallRoute.perSecond)) messages a second; messages were ignored, send them again") }
            return
        }
        guard let parsed = JSONValue.parse(text.utf8), case .object(let object) = parsed else {
            return await error(tile: nil, field: "message", "must be a JSON object")
        }
        var fields = JSONFields(object)
        let type = fields.text("type", maxLength: 20)
        let tile = fields.integer("tile", in: 0...(LiveWallRoute.maxTiles - 1))
        fields.require("type", "tile")
        switch type {
        case "add":
            fields.rejectUnknown(["type", "tile", "camera", "stream", "codecs", "start"])
            fields.require("camera")
            let camera = fields.id("camera")
            let stream = fields.text("stream", maxLength: 20)
            let codecs = fields.text("codecs", maxLength: 200)
            var start = StartAt.gop
            if let text = fields.text("start", maxLength: 20) {
                if let value = StartAt(rawValue: text) { start = value } else { fields.fail("start", "must be gop or key-frame") }
            }
            var wanted = LiveSources.Request()
            switch LiveSources.Request.parse(stream: stream, codecs: codecs, masked: false) {
            case .success(let request): wanted = request
            case .failure(let problem): fields.fail(problem.field, problem.message)
            }
            if let first = fields.errors.first { return await error(tile: tile, field: first.field, first.message) }
            await add(tile: tile!, camera: camera!, wanted: wanted, start: start)
        case "remove":
            fields.rejectUnknown(["type", "tile"])
            guard let first = fields.errors.first else { return remove(tile: tile!) }
            await error(tile: tile, field: first.field, first.message)
        default:
            if type != nil { fields.fail("type", "must be add or remove") }
            let first = fields.errors.first
            await error(tile: tile, field: first?.field ?? "type", first?.message ?? "must be add or remove")
        }
    }

    /// Starts showing `camera` in `tile`: checked as an upgrade of `/api/cameras/{id}/live` is.
    func add(tile: Int, camera id: Int64, wanted: LiveSources.Request, start: StartAt = .gop) async {
        guard state.withLock({ $0.tiles[tile] == nil }) else {
            return await error(tile: tile, field: "tile", "tile \(tile) shows a camera already; remove it first")
        }
        let user = self.user
        // A camera the user may not watch answers as a missing one (and the refusal is audited).
        guard let camera = try? await live.cameras.camera(id: id) else {
            return await error(tile: tile, field: "camera", "camera \(id) does not exist")
        }
        guard user.may(.live, camera) else {
            _ = try? await route.audit.appendAudit(actor: user.name, client: client, action: "access.denied", target: "GET /api/live",
                                               detail: "no live grant for camera \(id)")
            return await error(tile: tile, field: "camera", "camera \(id) does not exist")
        }
        var wanted = wanted
        let masks = live.privacy.masks(for: user, camera: id)?.fingerprint
        wanted.masked = masks != nil
        let source = await live.sources.choose(wanted, camera: id, recorder: live.recorder)
        if let refusal = live.refusal(source, camera: id) {
            return await ended(tile: tile, generation: nil, reason: refusal.reason, refusal.problem.detail ?? refusal.problem.title,
                               retry: LiveWallRoute.retryAfterLimit)
        }
        let started = state.withLock { state -> UInt64? in
            guard !state.closed, state.tiles[tile] == nil else { return nil }
            if !state.tiles.isEmpty {
                guard live.sockets.acquire(user: state.identity.user.name) else { return 0 }
                state.places += 1
            }
            state.generation += 1
            state.tiles[tile] = Tile(generation: state.generation, camera: id, request: wanted, masks: masks, start: start)
            return state.generation
        }
        switch started {
        case nil:
            return await error(tile: tile, field: "tile", "tile \(tile) shows a camera already; remove it first")
        case 0?:
            let detail = live.sockets.refusal(user: user.name)?.detail ?? "too many live views"
            return await ended(tile: tile, generation: nil, reason: "limit", detail, retry: LiveWallRoute.retryAfterLimit)
        case let generation?:
            begin(tile: tile, generation: generation)
            // Audited as a view of /api/cameras/{id}/live, without holding up the next tile.
            let (audit, name, client) = (route.audit, user.name, client)
            let detail = ["wall socket, tile \(tile), \(wanted.stream.rawValue) stream asked", LiveRoute.auditNote(source)].compactMap { $0 }.joined(separator: "; ")
            Task { _ = try? await audit.appendAudit(actor: name, client: client, action: "view.live", target: "/api/cameras/\(id)/live", detail: detail) }
        }
    }

    /// Runs tile `tile`'s stream (generation `generation`) until it is removed or the socket closes.
    private func begin(tile: Int, generation: UInt64) {
        guard let entry = state.withLock({ $0.tiles[tile] }), entry.generation == generation else { return }
        let chosen = ChosenSource()
        let skip = GOPSkip(entry.start == .keyFrame)
        let task = Task { [self] () async -> Void in
            try? await live.stream(camera: entry.camera, wanted: entry.request, chosen: chosen.set) { [self] message in
                switch message {
                case .initSegment(let bytes, let codecs):
                    try await write(tile: tile, generation: generation, [.text(LiveRoute.initText(codecs: codecs, source: chosen.value, tile: tile)),
                                                                          .binary(Self.tagged(tile, bytes))])
                case .fragment(let bytes, let isKeyFrame, let wallTime):
                    guard skip.sends(isKeyFrame: isKeyFrame, wallTime: wallTime) else { return }
                    try await write(tile: tile, generation: generation, (timing ? [.text(#"{"type":"frame","tile":\#(tile),"arrival":\#(wallTime)}"#)] : [])
                                        + [.binary(Self.tagged(tile, bytes))])
                }
            }
        }
        let running = state.withLock { state -> Bool in
            guard state.tiles[tile]?.generation == generation else { return false }
            state.tiles[tile]?.task = task
            return true
        }
        if !running { task.cancel() }
    }

    func remove(tile: Int) {
        let task = state.withLock { state -> Task<Void, Never>? in
            guard let removed = state.tiles.removeValue(forKey: tile) else { return nil }
            if state.places > max(1, state.tiles.count) {
                state.places -= 1
                live.sockets.release(user: state.identity.user.name)
            }
            return removed.task
        }
        task?.cancel()
    }

    // MARK: Rights

    /// Returns when the socket must close: the session or token ended, or the user may no longer
    /// watch live at all. A change to the user (a grant, `seeBehindMasks`, a privacy zone) ends
    /// or restarts only the tiles it concerns, within the connection check's interval.
    func holdRights() async {
        while !Task.isCancelled {
            let identity = state.withLock { $0.identity }
            await live.guardian.watch(identity) { [self] user in
                guard LiveWallRoute.rule.allows(user.role) else { return false }
                return try await tilesAllowed(user).allSatisfy { $0.value == .same }
            }
            if Task.isCancelled { return }
            // Who the credential belongs to now: gone or no longer a viewer closes the socket.
            let credential = identity.credential
            guard let now = try? await live.guardian.authenticator.readMany([credential])[credential.key],
                  LiveWallRoute.rule.allows(now.user.role) else { return }
            state.withLock { $0.identity = now }
            guard let verdicts = try? await tilesAllowed(now.user) else { return }
            for (tile, verdict) in verdicts {
                switch verdict {
                case .same: break
                case .ended(let generation):
                    await ended(tile: tile, generation: generation, reason: "access", "access to this camera ended", retry: 2)
                    remove(tile: tile, generation: generation)
                case .remasked(let generation, let masks):
                    restart(tile: tile, generation: generation, masks: masks)
                }
            }
        }
    }

    enum Verdict: Equatable {
        case same
        case ended(UInt64)
        case remasked(UInt64, String?)
    }

    /// Whether `user` may still watch each tile's camera as it is shown.
    private func tilesAllowed(_ user: User) async throws -> [Int: Verdict] {
        let tiles = state.withLock { $0.tiles }
        var cameras: [Int64: Camera?] = [:]
        var verdicts: [Int: Verdict] = [:]
        for (tile, entry) in tiles {
            if cameras[entry.camera] == nil { cameras[entry.camera] = .some(try await live.cameras.camera(id: entry.camera)) }
            guard let camera = cameras[entry.camera] ?? nil, user.may(.live, camera) else {
                verdicts[tile] = .ended(entry.generation)
                continue
            }
            let masks = live.privacy.masks(for: user, camera: entry.camera)?.fingerprint
            verdicts[tile] = masks == entry.masks ? .same : .remasked(entry.generation, masks)
        }
        return verdicts
    }

    private func remove(tile: Int, generation: UInt64) {
        guard state.withLock({ $0.tiles[tile]?.generation == generation }) else { return }
        remove(tile: tile)
    }

    /// The privacy zones a tile is masked by changed: the same camera again, chosen anew.
    private func restart(tile: Int, generation: UInt64, masks: String?) {
        let (old, next) = state.withLock { state -> (Task<Void, Never>?, UInt64?) in
            guard var entry = state.tiles[tile], entry.generation == generation else { return (nil, nil) }
            state.generation += 1
            let old = entry.task
            entry.generation = state.generation
            entry.masks = masks
            entry.request.masked = masks != nil
            entry.task = nil
            state.tiles[tile] = entry
            return (old, state.generation)
        }
        old?.cancel()
        if let next { begin(tile: tile, generation: next) }
    }

    // MARK: Writing

    /// `frames` as one turn at the socket, unless the tile has been removed or restarted since
    /// (`generation`; nil: whatever the tile shows).
    private func write(tile: Int?, generation: UInt64?, _ frames: [WebSocketOutboundWriter.OutboundFrame]) async throws {
        try await turns.take { [self] in
            if let tile, let generation, state.withLock({ $0.tiles[tile]?.generation != generation }) { return }
            for frame in frames { try await outbound.write(frame) }
        }
    }

    private func error(tile: Int?, field: String, _ message: String) async {
        var object: [String: Any] = ["type": "error", "field": field, "message": message]
        if let tile { object["tile"] = tile }
        try? await write(tile: nil, generation: nil, [.text(Self.json(object))])
    }

    private func ended(tile: Int, generation: UInt64?, reason: String, _ message: String, retry: Int) async {
        let text = Self.json(["type": "ended", "tile": tile, "reason": reason, "message": message, "retry": retry])
        try? await write(tile: tile, generation: generation, [.text(text)])
    }

    static func json(_ object: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A binary message for `tile`: two bytes of tile number, then `bytes`.
    static func tagged(_ tile: Int, _ bytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(2 + bytes.count)
        buffer.writeInteger(UInt16(tile))
        buffer.writeBytes(bytes)
        return buffer
    }
}

/// Tasks writing to one socket take turns, first come first served, each writing whole messages
/// (a large message goes out in several WebSocket frames, which must not interleave).
final class Turns: Sendable {
    private let state = Mutex<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func take(_ body: () async throws -> Void) async throws {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiting.append(turn)
                return false
            }
            if now { turn.resume() }
        }
        defer {
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard !state.waiting.isEmpty else {
                    state.busy = false
                    return nil
                }
                return state.waiting.removeFirst()
            }
            next?.resume()
        }
        try await body()
    }
}

/// A tile that starts at the key frame alone (``WallSocket/StartAt/keyFrame``): the first key
/// frame is sent; when it was kept from before the tile started (the hub's GOP), the frames after
/// it are dropped until the next key frame.
final class GOPSkip: Sendable {
    private enum Phase { case first, waiting, live }
    private let phase: Mutex<Phase>
    /// Frames that came to Aula before this (µs since 1970) were kept, not live.
    private let since = Int64(Date().timeIntervalSince1970 * 1_000_000) - 40_000

    init(_ skipping: Bool) {
        phase = Mutex(skipping ? .first : .live)
    }

    func sends(isKeyFrame: Bool, wallTime: Int64) -> Bool {
        phase.withLock { phase in
            switch phase {
            case .live: return true
            case .first:
                if isKeyFrame { phase = wallTime < since ? .waiting : .live }
                return true
            case .waiting:
                guard isKeyFrame else { return false }
                phase = .live
                return true
            }
        }
    }
}
