import Alerts
import Analytics
import AulaSecurity
import Catalog
import CityServices
import Footage
import Guards
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
    /// Cameras whose live view may be transcoded to H.264 at the same time (for browsers that
    /// cannot decode H.265 when the camera has no H.264 sub stream); one per core by default.
    public var maxTranscodedLiveCameras = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Live-view sockets one user may hold at once (a wall of 36 tiles twice over) and the server in all.
    public var maxLiveViewsPerUser = 72
    public var maxLiveViews = 1000
    /// A `recording.mp4` range that ended this long ago has its index kept for its later requests.
    public var exportSettledSeconds: Int64 = 30
    /// Several nodes sharing a PostgreSQL catalogue (docs/cluster.md); nil for one node alone.
    public var cluster: ClusterSettings?
    /// Offer time-outs and position freshness of dispatch (docs/guards.md).
    public var guards = GuardSettings()

    public init(dataDirectory: String, host: String = "127.0.0.1", port: Int = 8080) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
    }
}

/// What the HTTP layer answers from: the parts of a running node that ``AulaServer``'s routes read
/// and steer. The composition root (the `App` module) builds them and runs the long-running ones
/// as services; Server only answers requests over them.
public struct ServerParts: Sendable {
    public var recorder: Recorder
    public var writer: RecordingWriter
    /// The sub streams' writer (storage.md, "Two streams of a camera"); nil when none is recorded.
    public var subWriter: RecordingWriter?
    public var live: LiveHub
    public var motion: MotionSink
    public var maskedLive: MaskedLive
    public var liveSources: LiveSources
    public var privacyZones: PrivacyZones
    public var alerts: AlertHub
    public var keyFrames: LatestKeyFrames
    public var streamingHistory: StreamingHistory
    public var storage: StorageState
    public var usageCache: UsageCache
    public var recovery: RecoveryState
    public var signer: EvidenceSigner
    /// Metrics that are not counters kept elsewhere (the writer's flush-duration histogram).
    public var metrics: PrometheusCollectorRegistry
    /// The imported city, the offence register and the last plan.
    public var city: CityStore
    /// Posts, shifts, duty, equipment and incidents (docs/guards.md).
    public var guards: GuardService

    public init(recorder: Recorder, writer: RecordingWriter, live: LiveHub, motion: MotionSink, maskedLive: MaskedLive, liveSources: LiveSources,
                privacyZones: PrivacyZones, alerts: AlertHub, keyFrames: LatestKeyFrames, streamingHistory: StreamingHistory,
                storage: StorageState, usageCache: UsageCache, recovery: RecoveryState, signer: EvidenceSigner,
                metrics: PrometheusCollectorRegistry, city: CityStore, guards: GuardService, subWriter: RecordingWriter? = nil) {
        self.guards = guards
        self.subWriter = subWriter
        self.recorder = recorder
        self.writer = writer
        self.live = live
        self.motion = motion
        self.maskedLive = maskedLive
        self.liveSources = liveSources
        self.privacyZones = privacyZones
        self.alerts = alerts
        self.keyFrames = keyFrames
        self.streamingHistory = streamingHistory
        self.storage = storage
        self.usageCache = usageCache
        self.recovery = recovery
        self.signer = signer
        self.metrics = metrics
        self.city = city
    }
}

/// Aula's HTTP layer: the API over the catalogue and the running node's parts, WebSocket live
/// view, the static web UI and authentication. It builds no recorder and runs no service: the
/// composition root (`App`) does, and hands it ``ServerParts``.
public struct AulaServer: Sendable {
    public let configuration: ServerConfiguration
    public let catalog: AulaCatalog
    public let recorder: Recorder
    public let writer: RecordingWriter
    let subWriter: RecordingWriter?
    /// Live view: fragments for every viewer from the one session per camera.
    public let live: LiveHub
    /// Motion analysis of cameras with a motion configuration (docs/motion.md).
    public let motion: MotionSink
    /// Alerts to operators and guards.
    public let alerts: AlertHub
    /// Privacy zones per camera, and the masked live view and playback of users without the
    /// right to see behind them (docs/motion.md, "Privacy masks").
    public let privacyZones: PrivacyZones
    public let maskedLive: MaskedLive
    /// Every live stream of the node (main, sub, masked, transcoded) and the rule that picks one.
    public let liveSources: LiveSources
    let liveSockets: LiveSockets
    let exportCache: ExportCache
    let heavyWork = HeavyWork()
    let rightsChanges = RightsChanges()
    let maskedExports: MaskedExports
    /// Each camera's newest key frame, for snapshots; and when each camera streamed (health page).
    public let keyFrames: LatestKeyFrames
    public let streamingHistory: StreamingHistory
    let recovery: RecoveryState
    let storage: StorageState
    let metrics: PrometheusCollectorRegistry
    let city: CityStore
    let guards: GuardService
    let usageCache: UsageCache
    let logger: Logger
    /// Signs evidence exports; the key is `evidence-signing.key` in the data folder (0600).
    public let signer: EvidenceSigner
    let authenticator: Authenticator
    /// The other nodes of the cluster, and the reading of footage on their disks (nil alone).
    let peers: PeerDirectory?

    /// The HTTP layer over `catalog` and a node's `parts`, both built by the composition root.
    public init(configuration: ServerConfiguration, catalog: AulaCatalog, parts: ServerParts, logger: Logger = Logger(label: "aula")) {
        self.configuration = configuration
        self.logger = logger
        self.catalog = catalog
        recorder = parts.recorder
        writer = parts.writer
        subWriter = parts.subWriter
        live = parts.live
        motion = parts.motion
        maskedLive = parts.maskedLive
        liveSources = parts.liveSources
        privacyZones = parts.privacyZones
        alerts = parts.alerts
        keyFrames = parts.keyFrames
        streamingHistory = parts.streamingHistory
        storage = parts.storage
        usageCache = parts.usageCache
        recovery = parts.recovery
        signer = parts.signer
        metrics = parts.metrics
        city = parts.city
        guards = parts.guards
        liveSockets = LiveSockets(perUser: configuration.maxLiveViewsPerUser, total: configuration.maxLiveViews)
        exportCache = ExportCache(settledSeconds: configuration.exportSettledSeconds)
        maskedExports = MaskedExports(directory: configuration.dataDirectory + "/masked-cache")
        var auth = configuration.auth
        if configuration.tls != nil { auth.secureCookies = true }
        authenticator = Authenticator(catalog: catalog, configuration: auth)
        if let cluster = catalog.cluster, let settings = configuration.cluster {
            peers = PeerDirectory(cluster: cluster, settings: settings, signature: catalog.peerSignature)
        } else {
            peers = nil
        }
    }

    /// The router with every route, shared by the real server and the tests.
    ///
    /// Every route is behind ``AuthMiddleware``, which applies the rule the route was registered
    /// with (``Routes``); each feature declares its rules beside its handlers.
    public func makeRouter() -> Router<AulaContext> { makeRoutes().router }

    /// Every route's access rule, keyed `METHOD /path`, as the features declare them.
    public var accessRules: [String: RouteRule] { makeRoutes().table.rules }

    /// The OpenAPI 3.1 document of every route (`GET /api/openapi.json`).
    public var apiDocument: [String: Any] { OpenAPIDocument.make(makeRoutes().table.entries) }

    func makeRoutes() -> Routes<AulaContext> {
        let router = Router(context: AulaContext.self)
        let routes = Routes(router: router, table: RouteTable())
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(ProblemMiddleware())
        router.middlewares.add(AuthMiddleware(authenticator: authenticator, catalog: catalog, routes: routes.table, rights: rightsChanges,
                                              peers: catalog.peerSignature))
        routes.get("api/health", .everyone, "Whether the server answers (no sign-in)") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        // The API document, made from what the routes declared (every role may read it).
        routes.get("api/openapi.json", .signedIn(), "This document: OpenAPI 3.1, every route with its roles") { [table = routes.table] _, _ in
            let data = try JSONSerialization.data(withJSONObject: OpenAPIDocument.make(table.entries), options: [.sortedKeys, .withoutEscapingSlashes])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        // One call per feature folder; each declares its routes with their rules.
        registerAccountRoutes(on: routes)
        registerCameraRoutes(on: routes)
        registerStorageRoutes(on: routes)
        registerRecordingRoutes(on: routes)
        registerEvidenceRoutes(on: routes)
        registerLiveRoutes(on: routes)
        registerMotionRoutes(on: routes)
        registerAlertRoutes(on: routes)
        GuardRoutes(guards: guards, catalog: catalog, scheme: publicScheme,
                    guardian: ConnectionGuard(authenticator: authenticator, rights: rightsChanges), heavy: heavyWork).register(on: routes)
        registerCityRoutes(on: routes)
        registerClusterRoutes(on: routes)
        registerWebUI(on: routes)
        return routes
    }

    /// The scheme browsers see: `https` with TLS here or at a proxy in front (secure cookies).
    var publicScheme: String { configuration.tls != nil || configuration.auth.secureCookies ? "https" : "http" }

    /// The HTTP service alone (no other services: the composition root runs them beside it).
    public func makeApplication(onServerRunning: (@Sendable (Int) async -> Void)? = nil) throws -> some ApplicationProtocol {
        let router = makeRouter()
        return Application(
            router: router,
            server: try serverBuilder(webSocketRouter: router),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Aula"),
            onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
            logger: logger)
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
