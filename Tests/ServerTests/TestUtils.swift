import App
import AulaSecurity
import Catalog
import CatalogSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Recorder
import Server

extension AulaApp {
    /// A server over the embedded catalogue in its data folder: the tests' composition root.
    init(configuration: ServerConfiguration, logger: Logger = Logger(label: "aula")) throws {
        try self.init(configuration: configuration, catalog: try AulaCatalog.openSQLite(directory: configuration.dataDirectory), logger: logger)
    }
}

extension AulaCatalog {
    /// The SQLite backend, for fixtures that must write synchronously.
    var sqlite: SQLiteCatalog { backend as! SQLiteCatalog }
}

/// A fresh data folder per test.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "aula-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The API token of `test-admin`, an administrator that ``makeServer()`` adds to every test server;
/// ``TestClientProtocol/json(_:_:_:token:)`` sends it unless told otherwise.
let testAdminToken = SecretToken.generate(prefix: "aula_")

/// `Authorization` for `client.execute` calls made as `test-admin`.
let adminHeaders: HTTPFields = [.authorization: "Bearer \(testAdminToken)"]

/// Cheap bcrypt and short sign-in delays, so that tests stay fast; the logic is the production one.
func testAuthConfiguration() -> AuthConfiguration {
    var auth = AuthConfiguration()
    auth.passwordCost = 4
    auth.setThrottle(baseDelay: .milliseconds(40), maxDelay: .seconds(2), lockoutAfter: 5, lockoutDuration: .seconds(60))
    return auth
}

/// A server on a fresh data folder, with a recorder that retries quickly, and the administrator
/// `test-admin` whose token is ``testAdminToken``.
func makeServer(configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> AulaApp {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    var configuration = ServerConfiguration(dataDirectory: temporaryDirectory())
    configuration.auth = testAuthConfiguration()
    configure(&configuration)
    let server = try await openApp(configuration: configuration, logger: logger)
    try addTestAdministrator(to: server)
    return server
}

/// Composes an application on a thread of its own (see ``offPool(_:)``): opening the catalogue
/// runs its migrations, each a transaction synced to disk, which on a busy disk took seconds while
/// holding one of the cooperative pool's two threads.
func openApp(configuration: ServerConfiguration, logger: Logger? = nil) async throws -> AulaApp {
    try await offPool {
        if let logger { try AulaApp(configuration: configuration, logger: logger) } else { try AulaApp(configuration: configuration) }
    }
}

func addTestAdministrator(to server: AulaApp) throws {
    // Fails only when test-admin exists already (a server restarted on the same data folder);
    // anything else shows as 401s in the test that follows.
    _ = try? server.catalog.sqlite.insertSynchronously(
        User(name: "test-admin", role: .administrator, passwordHash: PasswordHasher(cost: 4).hash("test-admin-password")),
        apiTokenDigest: SecretToken.digest(testAdminToken))
}

/// Adds a user with `role` (and grants) and returns an API token for them.
func addUser(_ server: AulaApp, _ name: String, _ role: Role, grants: [AccessGrant] = [], password: String = "correct horse battery") throws -> String {
    let token = SecretToken.generate(prefix: "aula_")
    _ = try server.catalog.sqlite.insertSynchronously(
        User(name: name, role: role, passwordHash: PasswordHasher(cost: 4).hash(password), grants: grants), apiTokenDigest: SecretToken.digest(token))
    return token
}

extension TestClientProtocol {
    /// Sends `body` as JSON with `token` (default: `test-admin`'s; nil sends no credential).
    func json(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, token: String? = testAdminToken, headers extra: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, json: [String: Any], array: [[String: Any]], headers: HTTPFields) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers.append(contentsOf: extra)
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let data = Data(response.body.readableBytesView)
            let parsed = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
            return (response.status, parsed as? [String: Any] ?? [:], parsed as? [[String: Any]] ?? [], response.headers)
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return false
}

/// Waits until `condition` holds for as long as `progress` keeps changing: gives up only after
/// `stall` without any change. A busy machine is slow but moves; a broken one stops moving.
func eventually<P: Equatable>(stall: Duration, progress: () async throws -> P, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    var last = try await progress()
    var movedAt = clock.now
    while clock.now - movedAt < stall {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
        let now = try await progress()
        if now != last { last = now; movedAt = clock.now }
    }
    return try await condition()
}

/// Header fields joined, for `adminHeaders + [.range: …]`.
func + (a: HTTPFields, b: HTTPFields) -> HTTPFields {
    var joined = a
    joined.append(contentsOf: b)
    return joined
}

/// Runs blocking work (a child process and the wait for it) on a thread of its own, so that it never
/// holds one of the cooperative pool's threads (two on this machine) while it waits: on a busy
/// machine an ffmpeg decode takes seconds, and every task of every other test waits behind it.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
