import Catalog
import Logging
import ServiceLifecycle

/// Keeps one ``CameraIngest`` running per registered camera, restarting it when its connection
/// settings change. Runs as a service of the server's `ServiceGroup`.
public actor Recorder: Service {
    private var ingests: [Int64: (ingest: CameraIngest, task: Task<Void, Never>)] = [:]
    let sinks: [any FrameSink]
    let logger: Logger
    let backoff: Backoff
    let readPacing: ReadPacing?

    public init(sinks: [any FrameSink] = [], backoff: Backoff = Backoff(), readPacing: ReadPacing? = nil, logger: Logger = Logger(label: "aula.recorder")) {
        self.sinks = sinks
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
            entry.task.cancel()
            ingests[id] = nil
        }
        for camera in cameras {
            if let existing = ingests[camera.id] {
                let old = existing.ingest.camera
                if old.rtspURL == camera.rtspURL && old.username == camera.username && old.password == camera.password { continue }
                existing.task.cancel()
            }
            let ingest = CameraIngest(camera: camera, sinks: sinks, backoff: backoff, readPacing: readPacing, logger: logger)
            ingests[camera.id] = (ingest, Task { await ingest.run() })
        }
    }

    public func update(_ camera: Camera) { sync(Array(ingests.values.map(\.ingest.camera).filter { $0.id != camera.id }) + [camera]) }

    public func remove(id: Int64) {
        ingests[id]?.task.cancel()
        ingests[id] = nil
    }

    public func status(of id: Int64) -> CameraStatus? { ingests[id]?.ingest.currentStatus }

    public func allStatuses() -> [Int64: CameraStatus] { ingests.mapValues { $0.ingest.currentStatus } }

    /// Waits for shutdown, then stops every ingest (sending TEARDOWN where possible).
    public func run() async throws {
        try? await gracefulShutdown()
        await stopAll()
    }

    public func stopAll() async {
        let tasks = ingests.values.map(\.task)
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
