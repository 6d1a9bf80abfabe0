import Catalog
import CatalogSQLite
import Foundation
import Hummingbird
import Logging
import Recorder
import ServiceLifecycle

/// Where and how `aula serve` runs.
public struct ServerConfiguration: Sendable {
    public var dataDirectory: String
    public var host: String
    public var port: Int

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
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "aula")) throws {
        self.configuration = configuration
        self.logger = logger
        catalog = try SQLiteCatalog(directory: configuration.dataDirectory)
        recorder = Recorder(logger: logger)
    }

    /// The router with every route, shared by the real server and the tests.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        router.get("api/health") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        CameraRoutes<BasicRequestContext>(store: catalog, recorder: recorder).register(on: router)
        registerCityRoutes(on: router)
        return router
    }

    /// Starts receiving every registered camera.
    public func startRecorder() async throws {
        await recorder.sync(try await catalog.cameras())
    }

    public func makeApplication(onServerRunning: (@Sendable (Int) async -> Void)? = nil) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Aula"),
            services: [recorder],
            onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Runs until SIGINT or SIGTERM.
    public func run(onServerRunning: (@Sendable (Int) async -> Void)? = nil) async throws {
        try await startRecorder()
        try await makeApplication(onServerRunning: onServerRunning).runService()
    }
}
