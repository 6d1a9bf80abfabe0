import Foundation
import NIOSSL
import PostgresNIO

/// Where a shared catalogue lives, from `--catalog postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`.
///
/// Query options: `sslmode=disable|prefer|require` (default `prefer`, as libpq's),
/// `schema=NAME` (a schema of its own in a shared database; created when missing) and
/// `pool=N` (at most N connections from this process, default 10). The password may also come
/// from the environment variable `AULA_CATALOG_PASSWORD`, which keeps it out of the process list.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var schema: String?
    public var sslMode: SSLMode
    public var maximumConnections: Int

    public enum SSLMode: String, Sendable {
        case disable, prefer, require
    }

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String, schema: String? = nil,
                sslMode: SSLMode = .prefer, maximumConnections: Int = 10) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.schema = schema
        self.sslMode = sslMode
        self.maximumConnections = maximumConnections
    }

    /// Whether `text` names a PostgreSQL catalogue (rather than, say, a mistyped path).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a catalogue URL; the error names the part that is wrong (and never echoes a password).
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgresURL(text) else {
            throw PostgresCatalogError(message: "--catalog: expected postgres://USER@HOST[:PORT]/DATABASE")
        }
        // The port as written: URLComponents reads one too large for an Int as no port at all,
        // which would quietly mean 5432.
        let authority = text.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" && $0 != "?" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        var port = 5432
        if !hostAndPort.hasSuffix("]"), let colon = hostAndPort.lastIndex(of: ":") {
            let written = hostAndPort[hostAndPort.index(after: colon)...]
            guard let number = Int(written), (1...65535).contains(number) else {
                throw PostgresCatalogError(message: "--catalog: port \(written.prefix(20)) is out of range (1 to 65535)")
            }
            port = number
        }
        guard let components = URLComponents(string: text) else {
            throw PostgresCatalogError(message: "--catalog: expected postgres://USER@HOST[:PORT]/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresCatalogError(message: "--catalog: no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresCatalogError(message: "--catalog: no user (postgres://USER@HOST/DATABASE)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw PostgresCatalogError(message: "--catalog: no database (postgres://USER@HOST/DATABASE)") }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] { options[item.name] = item.value ?? "" }
        let known: Set<String> = ["sslmode", "schema", "pool"]
        if let unknown = options.keys.sorted().first(where: { !known.contains($0) }) {
            throw PostgresCatalogError(message: "--catalog: unknown option \(unknown) (known: sslmode, schema, pool)")
        }
        var sslMode = SSLMode.prefer
        if let mode = options["sslmode"] {
            guard let m = SSLMode(rawValue: mode) else { throw PostgresCatalogError(message: "--catalog: sslmode must be disable, prefer or require") }
            sslMode = m
        }
        var pool = 10
        if let text = options["pool"] {
            guard let n = Int(text), (1...200).contains(n) else { throw PostgresCatalogError(message: "--catalog: pool must be a number of connections from 1 to 200") }
            pool = n
        }
        var schema: String?
        if let name = options["schema"] {
            guard Self.isPlainIdentifier(name) else {
                throw PostgresCatalogError(message: "--catalog: schema must be lower-case letters, digits and _ (at most 63), starting with a letter")
            }
            schema = name
        }
        self.init(host: host, port: port, user: user, password: components.password ?? environment["AULA_CATALOG_PASSWORD"], database: database,
                  schema: schema, sslMode: sslMode, maximumConnections: pool)
    }

    /// Lower-case letters, digits and `_`, starting with a letter: safe to write into SQL unquoted.
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.utf8.count <= 63 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// The URL without its password, for messages and logs.
    public var redacted: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}
