import Catalog
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The shared catalogue backend: one PostgreSQL database that several Aula nodes use at once
/// (docs/cluster.md). Every store of ``Catalog/CatalogBackend`` is a table here with the same
/// meaning as in the embedded SQLite backend; `CatalogConformanceTests` holds both to the same
/// behaviour.
///
/// What differs from SQLite is concurrency: several processes write at once, so everything that
/// SQLite got from its single writer is explicit here: a transaction-scoped advisory lock where
/// a read decides a write (the audit chain, a document's read-modify-write, migrations), and
/// single statements (`UPDATE … RETURNING`) where one suffices (ids, escalation).
///
/// Use it through ``Catalog/AulaCatalog`` (``openPostgres(url:keyFile:logger:)``), which seals
/// camera passwords and chains the audit trail above it.
public final class PostgresCatalog: Sendable {
    let client: PostgresClient
    /// The client's connection pool runs in this task for as long as the catalogue lives.
    let runner: Task<Void, Never>
    let logger: Logger
    /// The node this catalogue was opened for ("" for the command line's one-off commands): its
    /// recordings, garbage and leases are the ones it sees as its own.
    public let nodeName: String
    /// The epochs of the leases this node holds, once it takes part in leasing: a commit for a
    /// camera is stored only under the lease held now (fencing; docs/cluster.md).
    let held = Mutex<[Int64: Int64]?>(nil)

    /// Connects to `location`, creates its schema if needed and migrates it. Fails with a
    /// ``PostgresCatalogError`` that names the server when it cannot be reached.
    public static func open(_ location: PostgresLocation, node: String = "", logger: Logger = Logger(label: "aula.catalog")) async throws -> PostgresCatalog {
        let catalog = PostgresCatalog(location: location, node: node, logger: logger)
        do {
            try await catalog.prepare(schema: location.schema)
        } catch {
            throw PostgresCatalogError(message: "the catalogue at \(location.redacted) cannot be used: \(String(reflecting: error))")
        }
        return catalog
    }

    init(location: PostgresLocation, node: String, logger: Logger) {
        nodeName = node
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: location.tls)
        configuration.options.maximumConnections = location.maximumConnections
        configuration.options.connectionIdleTimeout = .seconds(30)
        if let schema = location.schema {
            // Every connection of this catalogue sees its own schema first (tests, several
            // catalogues in one database).
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        // The pool's own log at errors only: it warns when a query is queued before `run()` has
        // begun in its task (harmless: the query waits), and failed queries reach their callers,
        // who report them with what they were doing.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Runs `body` in one transaction on one connection. An error of `body` (rolled back) reaches
    /// the caller as itself, not wrapped: callers match on what they threw (a refused document
    /// change) or on what the server said (a duplicate name).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }

    /// Rows of `query` as random-access rows (columns by name).
    func rows(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> [PostgresRandomAccessRow] {
        let sequence = if let connection { try await connection.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
        var result: [PostgresRandomAccessRow] = []
        for try await row in sequence { result.append(row.makeRandomAccess()) }
        return result
    }

    func row(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> PostgresRandomAccessRow? {
        try await rows(query, on: connection).first
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> Int {
        try await rows(query + " RETURNING 1", on: connection).count
    }

    /// Runs a statement whose result does not matter.
    func run(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws {
        _ = try await rows(query, on: connection)
    }
}

extension PostgresCatalog: CatalogBackend {}

/// A catalogue that cannot be opened, in words that name the server (never its password).
public struct PostgresCatalogError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

func + (query: PostgresQuery, suffix: String) -> PostgresQuery {
    var q = query
    q.sql += suffix
    return q
}

extension PostgresRandomAccessRow {
    /// The value of `column`, decoded; a type mismatch names the column.
    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }
}

/// Microseconds since the Unix epoch, the catalogue's unit of wall time.
func nowMicros() -> Int64 { CatalogClock.nowMicros() }
