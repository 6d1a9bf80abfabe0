import Catalog
import CatalogSQLite
import Foundation
import Hummingbird
import Logging
import Recorder
import ServiceLifecycle
import Synchronization

/// Where and how `aula serve` runs.
public struct ServerConfiguration: Sendable {
    public var dataDirectory: String
    public var host: String
    public var port: Int
    /// How often sample files are fsynced and the index committed: the most video a crash can lose.
    public var flushInterval: Duration = .seconds(2)
    /// Target length of one sample file.
    public var rotateSeconds: Int64 = 60
    /// Maximum age and disk quota of recordings (docs/storage.md, "Retention").
    public var retention = RetentionPolicy()
    public var retentionInterval: Duration = .seconds(30)

    public init(dataDirectory: String, host: String = "127.0.0.1", port: Int = 8080) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
    }
}

/// The Aula server: HTTP API over the catalogue, with the recorder running beside it in one
/// `ServiceGroup`, so that SIGTERM stops both cleanly.
public struct AulaServer: Sendable {
    public let configuration: ServerConfiguration
    public let catalog: SQLiteCatalog
    public let recorder: Recorder
    public let writer: RecordingWriter
    let recovery = RecoveryState()
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "aula")) throws {
        self.configuration = configuration
        self.logger = logger
        catalog = try SQLiteCatalog(directory: configuration.dataDirectory)
        writer = RecordingWriter(
            layout: SampleFileLayout(root: configuration.dataDirectory + "/recordings"), store: catalog, firstID: 1,
            flushInterval: configuration.flushInterval, rotateSeconds: configuration.rotateSeconds, logger: logger)
        recorder = Recorder(sinks: [writer], logger: logger)
    }

    /// The router with every route, shared by the real server and the tests.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        router.get("api/health") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        CameraRoutes<BasicRequestContext>(store: catalog, recorder: recorder).register(on: router)
        RecordingRoutes<BasicRequestContext>(cameras: catalog, recordings: catalog, layout: writer.layout, recovery: recovery).register(on: router)
        registerCityRoutes(on: router)
        return router
    }

    /// Reconciles sample files with the index, then starts receiving every registered camera.
    public func startRecorder() async throws {
        let report = try await RecordingRecovery.reconcile(layout: writer.layout, store: catalog, logger: logger)
        recovery.set(report)
        writer.setNextID(report.nextID)
        await recorder.sync(try await catalog.cameras())
    }

    public func makeApplication(onServerRunning: (@Sendable (Int) async -> Void)? = nil) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Aula"),
            services: [RetentionService(enforcer: RetentionEnforcer(store: catalog, layout: writer.layout, policy: configuration.retention, logger: logger), interval: configuration.retentionInterval, logger: logger), writer, recorder],  // shut down in reverse: stop ingest, then flush
            onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Runs until SIGINT or SIGTERM.
    public func run(onServerRunning: (@Sendable (Int) async -> Void)? = nil) async throws {
        try await startRecorder()
        try await makeApplication(onServerRunning: onServerRunning).runService()
    }
}

/// The last start-up reconciliation, for serving and status.
final class RecoveryState: Sendable {
    private let report = Mutex(RecoveryReport())
    func set(_ r: RecoveryReport) { report.withLock { $0 = r } }
    var damaged: [Int64: String] { report.withLock { $0.damaged } }
    var current: RecoveryReport { report.withLock { $0 } }
}

/// Runs ``RetentionEnforcer`` periodically until shutdown.
struct RetentionService: Service {
    let enforcer: RetentionEnforcer
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await enforcer.enforce(now90k: Int64(Date().timeIntervalSince1970 * 90_000))
            } catch {
                logger.error("retention failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
