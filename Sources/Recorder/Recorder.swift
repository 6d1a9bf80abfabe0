import Catalog
import Logging
import ServiceLifecycle

/// Keeps one ``CameraIngest`` running per registered camera stream (the main stream, and the sub
/// stream when the camera has one), restarting it when its connection settings change. Runs as a
/// service of the server's `ServiceGroup`.
///
/// Three kinds of sinks: `sinks` take the main stream (recording, full-size live view,
/// snapshots), `subSinks` the sub stream (the wall's live view; `subRecordingSinks` too for a
/// camera whose sub stream is recorded), and `analysisSinks` (motion)
/// the sub stream when the camera has one and the main stream otherwise: a sub stream is
/// 5–10 times cheaper to decode (docs/live.md, "Main and sub streams").
public actor Recorder: Service {
    struct Entry {
        /// The camera as last synced (the ingests may have started with an older version).
        var camera: Camera
        var ingest: CameraIngest
        var task: Task<Void, Never>
        var sub: (ingest: CameraIngest, task: Task<Void, Never>)?

        func cancel() {
            task.cancel()
            sub?.task.cancel()
        }
    }
    private var ingests: [Int64: Entry] = [:]
    let sinks: [any FrameSink]
    let subSinks: [any FrameSink]
    /// The sub stream's recording (its writer), for cameras that ask for it.
    let subRecordingSinks: [any FrameSink]
    let analysisSinks: [any FrameSink]
    let logger: Logger
    let backoff: Backoff
    let readPacing: ReadPacing?

    public init(sinks: [any FrameSink] = [], subSinks: [any FrameSink] = [], subRecordingSinks: [any FrameSink] = [],
                analysisSinks: [any FrameSink] = [], backoff: Backoff = Backoff(),
                readPacing: ReadPacing? = nil, logger: Logger = Logger(label: "aula.recorder")) {
        self.sinks = sinks
        self.subSinks = subSinks
        self.subRecordingSinks = subRecordingSinks
        self.analysisSinks = analysisSinks
        self.readPacing = readPacing
        self.backoff = backoff
        self.logger = logger
    }

    /// The cameras this node may receive: nil, every camera (one node); otherwise the cameras
    /// whose leases it holds (several nodes, docs/cluster.md), set by ``assign(_:)``.
    private var assigned: Set<Int64>?

    /// Receives exactly `cameras` from now on, and only them: a camera registered or changed
    /// later starts here only once it is assigned too (its lease taken).
    public func assign(_ cameras: [Camera]) {
        assigned = Set(cameras.map(\.id))
        sync(cameras)
    }

    /// The cameras assigned (nil: every camera).
    public var assignedCameras: Set<Int64>? { assigned }

    /// Starts, restarts or stops ingests so that exactly `cameras` (those assigned, when
    /// cameras are assigned) are being received.
    public func sync(_ cameras: [Camera]) {
        let cameras = assigned.map { a in cameras.filter { a.contains($0.id) } } ?? cameras
        let wanted = Dictionary(cameras.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (id, entry) in ingests where wanted[id] == nil {
            entry.cancel()
            ingests[id] = nil
        }
        for camera in cameras {
            if var entry = ingests[camera.id] {
                let old = entry.camera
                entry.camera = camera
                let mainSame = old.rtspURL == camera.rtspURL && old.username == camera.username && old.password == camera.password
                    && (old.subStream == nil) == (camera.subStream == nil)
                if mainSame {
                    if !Self.sameSub(old, camera) {
                        // Only the sub stream changed (its address, account, or whether it is
                        // recorded): the main stream records on without a break.
                        entry.sub?.task.cancel()
                        entry.sub = makeSub(camera)
                    }
                    ingests[camera.id] = entry
                    continue
                }
                entry.cancel()
            }
            let hasSub = camera.subStream != nil
            let ingest = CameraIngest(camera: camera, sinks: sinks + (hasSub ? [] : analysisSinks), backoff: backoff, readPacing: readPacing, logger: logger)
            ingests[camera.id] = Entry(camera: camera, ingest: ingest, task: Task { await ingest.run() }, sub: makeSub(camera))
        }
    }

    /// The sub stream's ingest: the wall's live view and motion, and the recording of the sub
    /// stream when the camera asks for it.
    private func makeSub(_ camera: Camera) -> (ingest: CameraIngest, task: Task<Void, Never>)? {
        guard let stream = camera.subStream else { return nil }
        let sub = CameraIngest(camera: camera, role: .sub, sinks: subSinks + analysisSinks + (stream.record ? subRecordingSinks : []),
                               backoff: backoff, readPacing: readPacing, logger: logger)
        return (sub, Task { await sub.run() })
    }

    /// Whether the sub stream of two versions of a camera is received the same way (where it
    /// logs in, and whether it is recorded): its retention changes nothing here.
    static func sameSub(_ a: Camera, _ b: Camera) -> Bool {
        switch (a.subStreamLogin, b.subStreamLogin) {
        case (nil, nil): return true
        case let (x?, y?): return x.sameLogin(as: y) && x.record == y.record
        default: return false
        }
    }

    public func update(_ camera: Camera) { sync(Array(ingests.values.map(\.camera).filter { $0.id != camera.id }) + [camera]) }

    public func remove(id: Int64) {
        ingests[id]?.cancel()
        ingests[id] = nil
    }

    /// The main stream's status (nil: the camera is not received here).
    public func status(of id: Int64) -> CameraStatus? { ingests[id]?.ingest.currentStatus }

    /// The sub stream's status (nil: no sub stream, or the camera is not received here).
    public func subStatus(of id: Int64) -> CameraStatus? { ingests[id]?.sub?.ingest.currentStatus }

    public func allStatuses() -> [Int64: CameraStatus] { ingests.mapValues { $0.ingest.currentStatus } }

    public func allSubStatuses() -> [Int64: CameraStatus] { ingests.compactMapValues { $0.sub?.ingest.currentStatus } }

    /// The codec each stream of a camera sends now (nil: not known yet).
    public func codecs(of id: Int64) -> (main: String?, sub: String?, hasSub: Bool) {
        guard let entry = ingests[id] else { return (nil, nil, false) }
        return (entry.ingest.currentStatus.codec, entry.sub?.ingest.currentStatus.codec, entry.sub != nil)
    }

    /// Waits for shutdown, then stops every ingest (sending TEARDOWN where possible).
    public func run() async throws {
        try? await gracefulShutdown()
        await stopAll()
    }

    public func stopAll() async {
        let tasks = ingests.values.flatMap { [$0.task] + ($0.sub.map { [$0.task] } ?? []) }
        ingests.removeAll()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}

/// How the ingest paces its reads of camera sockets (`RTSP.ReadPacer`): once per `interval`, except
/// for cameras for which `isUrgent` answers true (someone watches them live).
public struct ReadPacing: Sendable {
    public var interval: Duration
    public var isUrgent: @Sendable (_ camera: Int64) -> Bool

    public init(interval: Duration, isUrgent: @escaping @Sendable (_ camera: Int64) -> Bool = { _ in false }) {
        self.interval = interval
        self.isUrgent = isUrgent
    }
}
