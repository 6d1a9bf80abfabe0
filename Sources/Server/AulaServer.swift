import Alerts
import Analytics
import AulaSecurity
import Catalog
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import Prometheus
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
    /// Cameras' sockets are read at most once per this interval once they play (RTSP.ReadPacer),
    /// except while someone watches them live: far fewer wake-ups for cameras that are only
    /// recorded and analysed, at the cost of up to this much delay before a frame is recorded or
    /// analysed. nil reads at once.
    public var readPacing: Duration? = .milliseconds(200)
    /// Maximum age and disk quota of recordings (docs/storage.md, "Retention").
    public var retention = RetentionPolicy()
    public var retentionInterval: Duration = .seconds(30)
    /// Passwords, sessions, sign-in throttling (docs/security.md).
    public var auth = AuthConfiguration()
    /// PEM certificate chain and private key: when set, the server speaks only HTTPS.
    public var tls: (certificatePath: String, keyPath: String)?
    /// Escalation, offline and stall times of alerts (docs/motion.md).
    public var alerts = AlertConfiguration()
    /// The zone motion schedules are read in when a camera's settings name none (docs/motion.md,
    /// "Time zones"): the site's, which may not be the server's.
    public var timeZone = TimeZone.current
    /// Cameras whose live view may be masked (decoded and re-encoded) at the same time, so that
    /// restricted viewers never take the CPU that recording needs; one per core by default
    /// (a 720p25 masked stream costs 25–40 % of a core, docs/performance.md).
    public var maxMaskedLiveCameras = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Live-view sockets one user may hold at once (a wall of 16 tiles twice over) and the server in all.
    public var maxLiveViewsPerUser = 32
    public var maxLiveViews = 1000
    /// A `recording.mp4` range that ended this long ago has its index kept for its later requests.
    public var exportSettledSeconds: Int64 = 30

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
    public let catalog: AulaCatalog
    public let recorder: Recorder
    public let writer: RecordingWriter
    /// Live view: fragments for every viewer from the one session per camera.
    public let live: LiveHub
    /// Motion analysis of cameras with a motion configuration (docs/motion.md).
    public let motion: MotionSink
    /// Alerts to operators and guards.
    public let alerts: AlertHub
    /// Privacy zones per camera, and the masked live view and playback of users without the
    /// right to see behind them (docs/motion.md, "Privacy masks").
    public let privacyZones = PrivacyZones()
    public let maskedLive: MaskedLive
    let liveSockets: LiveSockets
    let exportCache: ExportCache
    let heavyWork = HeavyWork()
    let rightsChanges = RightsChanges()
    let maskedExports: MaskedExports
    /// Each camera's newest key frame, for snapshots; and when each camera streamed (health page).
    public let keyFrames = LatestKeyFrames()
    public let streamingHistory = StreamingHistory()
    let recovery = RecoveryState()
    let storage = StorageState()
    /// Metrics that are not counters kept elsewhere (the flush-duration histogram).
    let metrics = PrometheusCollectorRegistry()
    let usageCache: UsageCache
    let logger: Logger
    /// Signs evidence exports; the key is `evidence-signing.key` in the data folder (0600).
    public let signer: EvidenceSigner
    let authenticator: Authenticator

    /// A server over `catalog`, which the caller opens (the backend is chosen where the process
    /// is composed, not here), with its recordings and keys in `configuration.dataDirectory`.
    public init(configuration: ServerConfiguration, catalog: AulaCatalog, logger: Logger = Logger(label: "aula")) throws {
        self.configuration = configuration
        self.logger = logger
        self.catalog = catalog
        usageCache = UsageCache(store: catalog)
        let flushHistogram = metrics.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "aula_writer_flush_duration", unitName: "seconds",
                                             helpText: "Time for one flush: fsync of every file written, then the index transaction"),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)])
        writer = RecordingWriter(
            layout: SampleFileLayout(root: configuration.dataDirectory + "/recordings"), store: catalog, firstID: 1,
            flushInterval: configuration.flushInterval, rotateSeconds: configuration.rotateSeconds, logger: logger,
            flushObserver: { flushHistogram.record($0) })
        live = LiveHub()
        liveSockets = LiveSockets(perUser: configuration.maxLiveViewsPerUser, total: configuration.maxLiveViews)
        exportCache = ExportCache(settledSeconds: configuration.exportSettledSeconds)
        alerts = AlertHub(catalog: catalog, logger: logger)
        motion = MotionSink(events: MotionEventRecorder(catalog: catalog, alerts: alerts, logger: logger), logger: logger)
        let maskedLive = MaskedLive(zones: privacyZones, maxEncoders: configuration.maxMaskedLiveCameras, logger: logger)
        self.maskedLive = maskedLive
        maskedExports = MaskedExports(directory: configuration.dataDirectory + "/masked-cache")
        // A camera watched live, masked or not, is read as its frames arrive.
        let pacing = configuration.readPacing.map { [live] in
            ReadPacing(interval: $0, isUrgent: { live.isWatched(camera: $0) || maskedLive.isWatched(camera: $0) })
        }
        recorder = Recorder(sinks: [writer, live, motion, keyFrames, streamingHistory, maskedLive], readPacing: pacing, logger: logger)
        signer = try EvidenceSigner(keyFile: configuration.dataDirectory + "/evidence-signing.key")
        var auth = configuration.auth
        if configuration.tls != nil { auth.secureCookies = true }
        authenticator = Authenticator(catalog: catalog, configuration: auth)
    }

    /// The router with every route, shared by the real server and the tests.
    ///
    /// Every route is behind ``AuthMiddleware``, which applies the route's rule in ``AccessPolicy``.
    public func makeRouter() -> Router<AulaContext> {
        let router = Router(context: AulaContext.self)
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(ProblemMiddleware())
        router.middlewares.add(AuthMiddleware(authenticator: authenticator, catalog: catalog, rights: rightsChanges))
        router.get("api/health") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        SessionRoutes(authenticator: authenticator, catalog: catalog).register(on: router)
        UserRoutes(authenticator: authenticator, catalog: catalog).register(on: router)
        AuditRoutes(catalog: catalog).register(on: router)
        EvidenceRoutes(catalog: catalog, layout: writer.layout, recovery: recovery, signer: signer, privacy: privacyZones, maskedExports: maskedExports,
                       retention: configuration.retention).register(on: router)
        let observer = RecordingObserver(writer: writer, store: catalog, usageCache: usageCache, storage: storage, policy: configuration.retention)
        CameraRoutes<AulaContext>(store: catalog, recorder: recorder, observer: observer, deleted: { [motion] id in motion.configure(camera: id, nil) }).register(on: router)
        StorageRoutes<AulaContext>(observer: observer, cameras: catalog).register(on: router)
        MetricsRoute<AulaContext>(recorder: recorder, observer: observer, persistent: metrics).register(on: router)
        RecordingRoutes(cameras: catalog, recordings: catalog, layout: writer.layout, recovery: recovery, privacy: privacyZones, maskedExports: maskedExports,
                       exports: exportCache).register(on: router)
        LiveRoute(cameras: catalog, live: live, privacy: privacyZones, maskedLive: maskedLive, scheme: publicScheme, guardian: ConnectionGuard(authenticator: authenticator, rights: rightsChanges),
                  sockets: liveSockets).register(on: router)
        registerUIRoutes(on: router)
        registerCityRoutes(on: router)
        registerMotionRoutes(on: router)
        return router
    }

    /// The scheme browsers see: `https` with TLS here or at a proxy in front (secure cookies).
    var publicScheme: String { configuration.tls != nil || configuration.auth.secureCookies ? "https" : "http" }

    /// Reconciles sample files with the index, then starts receiving every registered camera.
    public func startRecorder() async throws {
        let report = try await RecordingRecovery.reconcile(layout: writer.layout, store: catalog, logger: logger)
        recovery.set(report)
        writer.setNextID(report.nextID)
        try await startMotion()
        await recorder.sync(try await catalog.cameras())
    }

    /// Retention, which never deletes footage under an evidence lock.
    var retentionEnforcer: RetentionEnforcer {
        var enforcer = RetentionEnforcer(store: catalog, layout: writer.layout, policy: configuration.retention, logger: logger)
        enforcer.locks = catalog
        return enforcer
    }

    var retentionService: RetentionService {
        RetentionService(enforcer: retentionEnforcer, writer: writer, state: storage, interval: configuration.retentionInterval, logger: logger)
    }

    public func makeApplication(onServerRunning: (@Sendable (Int) async -> Void)? = nil) throws -> some ApplicationProtocol {
        let router = makeRouter()
        return Application(
            router: router,
            server: try serverBuilder(webSocketRouter: router),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Aula"),
            // Shut down in reverse: stop ingest, flush what was received, stop the masked encoders
            // and the motion analysis (open events are stored), then alerts and retention.
            services: [retentionService, alertMonitor, motion, maskedLive, writer, recorder],
            onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Runs until SIGINT or SIGTERM.
    public func run(onServerRunning: (@Sendable (Int) async -> Void)? = nil) async throws {
        try await startRecorder()
        try await makeApplication(onServerRunning: onServerRunning).runService()
    }
}

extension AulaServer {
    /// HTTP, or HTTPS only when certificate and key files are configured.
    /// HTTP/1.1 with WebSocket upgrades (for live view) handled by the same router, so that they
    /// pass the same authentication and access rules.
    func serverBuilder(webSocketRouter: Router<AulaContext>) throws -> HTTPServerBuilder {
        let base: HTTPServerBuilder = .http1WebSocketUpgrade(webSocketRouter: webSocketRouter)
        guard let tls = configuration.tls else { return base }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath) } catch {
            throw ServerSetupError("--tls-cert \(tls.certificatePath): not a readable PEM certificate (\(error))")
        }
        do { key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem) } catch {
            throw ServerSetupError("--tls-key \(tls.keyPath): not a readable PEM private key (\(error))")
        }
        let tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try .tls(base, tlsConfiguration: tlsConfiguration)
    }

    /// Accounts set up from the command line and at first start (see ``AccountSetup``).
    public var accounts: AccountSetup { AccountSetup(authenticator: authenticator) }

}

/// A setup problem reported to the operator as one sentence.
public struct ServerSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The last start-up reconciliation, for serving and status.
final class RecoveryState: Sendable {
    private let report = Mutex(RecoveryReport())
    func set(_ r: RecoveryReport) { report.withLock { $0 = r } }
    var damaged: [Int64: String] { report.withLock { $0.damaged } }
    var current: RecoveryReport { report.withLock { $0 } }
}

