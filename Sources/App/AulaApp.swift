import Alerts
import Analytics
import AulaSecurity
import Catalog
import CityServices
import Footage
import Foundation
import Guards
import Hummingbird
import Logging
import Prometheus
import Recorder
import Server
import ServiceLifecycle

/// The composition root of one Aula node: builds the recorder, the writer, the frame sinks,
/// the alerts and retention over a catalogue that the caller opened (the backend is chosen in
/// the CLI's `openCatalog`), hands what the HTTP layer needs to ``AulaServer``, and runs every
/// long-running part as a `Service` of one `ServiceGroup`, so that SIGTERM stops them in order.
public struct AulaApp: Sendable {
    public let configuration: ServerConfiguration
    public let catalog: AulaCatalog
    /// The HTTP layer (routes only).
    public let http: AulaServer
    public let recorder: Recorder
    public let writer: RecordingWriter
    /// Records the sub streams of the cameras that ask for it (docs/storage.md, "Two streams of a camera").
    public let subWriter: RecordingWriter
    public let live: LiveHub
    public let motion: MotionSink
    public let maskedLive: MaskedLive
    /// Every live stream of the node: main, sub, masked and transcoded.
    public let liveSources: LiveSources
    public let privacyZones: PrivacyZones
    public let alerts: AlertHub
    public let keyFrames: LatestKeyFrames
    public let streamingHistory: StreamingHistory
    public let storage: StorageState
    public let usageCache: UsageCache
    public let recovery: RecoveryState
    public let signer: EvidenceSigner
    /// Posts, shifts, duty, equipment, incidents and dispatch (docs/guards.md).
    public let guards: GuardService
    public let logger: Logger

    public init(configuration: ServerConfiguration, catalog: AulaCatalog, logger: Logger = Logger(label: "aula")) throws {
        self.configuration = configuration
        self.catalog = catalog
        self.logger = logger
        let metrics = PrometheusCollectorRegistry()
        let flushHistogram = metrics.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "aula_writer_flush_duration", unitName: "seconds",
                                             helpText: "Time for one flush: fsync of every file written, then the index transaction"),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)])
        writer = RecordingWriter(
            layout: SampleFileLayout(root: configuration.dataDirectory + "/recordings"), store: catalog, firstID: 1,
            flushInterval: configuration.flushInterval, rotateSeconds: configuration.rotateSeconds, logger: logger,
            flushObserver: { flushHistogram.record($0) },
            journal: IndexJournal(path: configuration.dataDirectory + "/index-journal.bin"), journalInterval: configuration.flushInterval * 5)
        // The same folders (recording ids are unique across streams), its own flushes and journal.
        subWriter = RecordingWriter(
            layout: writer.layout, store: catalog, firstID: 1, flushInterval: configuration.flushInterval, rotateSeconds: configuration.rotateSeconds,
            logger: logger, flushObserver: { flushHistogram.record($0) },
            journal: IndexJournal(path: configuration.dataDirectory + "/index-journal-sub.bin"), journalInterval: configuration.flushInterval * 5,
            stream: .sub)
        let live = LiveHub()
        self.live = live
        alerts = AlertHub(catalog: catalog, logger: logger)
        motion = MotionSink(events: MotionEventRecorder(catalog: catalog, alerts: alerts, logger: logger), logger: logger)
        let privacyZones = PrivacyZones()
        self.privacyZones = privacyZones
        let maskedLive = MaskedLive(zones: privacyZones, maxEncoders: configuration.maxMaskedLiveCameras, logger: logger)
        self.maskedLive = maskedLive
        let transcodedLive = MaskedLive(zones: privacyZones, purpose: .transcode, maxEncoders: configuration.maxTranscodedLiveCameras, logger: logger)
        let sources = LiveSources(main: live, sub: LiveHub(), masked: maskedLive, transcoded: transcodedLive)
        liveSources = sources
        keyFrames = LatestKeyFrames()
        streamingHistory = StreamingHistory()
        // A camera watched live, any stream of it, is read as its frames arrive.
        let pacing = configuration.readPacing.map {
            ReadPacing(interval: $0, isUrgent: { sources.isWatched(camera: $0) })
        }
        // Motion analyses the sub stream when a camera has one (Recorder).
        recorder = Recorder(sinks: [writer, live, keyFrames, streamingHistory, maskedLive, transcodedLive], subSinks: [sources.sub],
                            subRecordingSinks: [subWriter], analysisSinks: [motion], readPacing: pacing, logger: logger)
        storage = StorageState()
        usageCache = UsageCache(store: catalog)
        recovery = RecoveryState()
        signer = try EvidenceSigner(keyFile: configuration.dataDirectory + "/evidence-signing.key")
        guards = GuardService(catalog: catalog, alerts: alerts, city: CityStore(catalog), settings: configuration.guards, logger: logger)
        http = AulaServer(
            configuration: configuration, catalog: catalog,
            parts: ServerParts(recorder: recorder, writer: writer, live: live, motion: motion, maskedLive: maskedLive, liveSources: sources, privacyZones: privacyZones,
                               alerts: alerts, keyFrames: keyFrames, streamingHistory: streamingHistory, storage: storage,
                               usageCache: usageCache, recovery: recovery, signer: signer, metrics: metrics, city: CityStore(catalog),
                               guards: guards, subWriter: subWriter),
            logger: logger)
    }

    /// Reconciles sample files with the index, loads motion settings, then starts receiving every
    /// registered camera.
    public func startRecorder() async throws {
        // Rows kept on disk through a catalogue outage that the last run did not live to commit.
        _ = try await writer.commitJournal()
        _ = try await subWriter.commitJournal()
        let report = try await RecordingRecovery.reconcile(layout: writer.layout, store: catalog, logger: logger)
        recovery.set(report)
        writer.setNextID(report.nextID)
        subWriter.setNextID(report.nextID)
        try await startMotion()
        if configuration.cluster != nil, catalog.cluster != nil {
            // Several nodes: only the cameras whose leases this node takes (ClusterMembership).
            await recorder.assign([])
        } else {
            await recorder.sync(try await catalog.cameras())
        }
    }

    /// The node's part in a cluster, when its catalogue is shared.
    var membership: ClusterMembership? {
        guard let settings = configuration.cluster, let store = catalog.cluster else { return nil }
        let app = self
        return ClusterMembership(store: store, catalog: catalog, recorder: recorder, writer: writer, settings: settings,
                                 recordingsRoot: writer.layout.root,
                                 motionChanged: {
                                     do { try await app.startMotion() } catch {
                                         app.logger.warning("could not reload motion settings changed on another node", metadata: ["error": "\(error)"])
                                     }
                                 },
                                 alerts: alerts, logger: logger)
    }

    /// Retention, which never deletes footage under an evidence lock.
    public var retentionService: RetentionService {
        var enforcer = RetentionEnforcer(store: catalog, layout: writer.layout, policy: configuration.retention, logger: logger)
        enforcer.locks = catalog
        enforcer.cameras = catalog.backend  // only retention days are read: no password is opened
        return RetentionService(enforcer: enforcer, writers: [writer, subWriter], state: storage, interval: configuration.retentionInterval, logger: logger)
    }

    /// Camera, recording and disk alerts, and escalation.
    public var alertMonitor: AlertMonitor {
        AlertMonitor(hub: alerts, recorder: recorder, writer: writer, usage: usageCache,
                     pressure: StoragePressure(writer: writer, storage: storage, policy: configuration.retention),
                     configuration: configuration.alerts, logger: logger)
    }

    /// Every long-running part of the node, in start order; a `ServiceGroup` stops them in reverse:
    /// first HTTP (no new requests), then ingest, then the writer flushes what was received, then
    /// the masked encoders and motion analysis (open events are stored), then alerts and retention.
    public func services(onServerRunning: (@Sendable (Int) async -> Void)? = nil) throws -> [any Service] {
        let membership = self.membership
        let transcodedLive = liveSources.transcoded
        let running: @Sendable (Int) async -> Void = { port in
            // The address other nodes reach this one at, once the port is known (--listen …:0).
            membership?.address.withLock { address in
                if address.hasSuffix(":0") { address = String(address.dropLast(2)) + ":\(port)" }
            }
            await onServerRunning?(port)
        }
        // The membership first, so that it stops last: its leases go after the writer's last flush.
        let nodeParts: [any Service] = membership.map { [$0] } ?? []
        return nodeParts + [retentionService, alertMonitor, DispatchMonitor(guards: guards, alerts: alerts, logger: logger), motion, maskedLive, transcodedLive, writer, subWriter, recorder, try http.makeApplication(onServerRunning: running)]
    }

    /// Starts the recorder, then runs every service until SIGINT or SIGTERM.
    public func run(onServerRunning: (@Sendable (Int) async -> Void)? = nil) async throws {
        try await startRecorder()
        let group = ServiceGroup(configuration: .init(
            services: try services(onServerRunning: onServerRunning).map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    // The HTTP layer's entry points, for callers that hold the node.
    public func makeRouter() -> Router<AulaContext> { http.makeRouter() }
    public func makeApplication(onServerRunning: (@Sendable (Int) async -> Void)? = nil) throws -> some ApplicationProtocol {
        try http.makeApplication(onServerRunning: onServerRunning)
    }
    /// Accounts set up from the command line and at first start.
    public var accounts: AccountSetup { http.accounts }
}
