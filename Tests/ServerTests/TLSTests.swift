import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

@testable import App
@testable import Server

/// `--tls-cert`/`--tls-key`: HTTPS only, with `Secure` cookies, checked with openssl and curl.
@Suite struct TLSTests {
    static func selfSigned(in folder: String) throws -> (cert: String, key: String) {
        let cert = folder + "/cert.pem", key = folder + "/key.pem"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                             "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return (cert, key)
    }

    static func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        // A generous bound: on a loaded machine the server may take long to answer; the test only
        // needs curl to end if nothing ever answers.
        process.arguments = ["-s", "--max-time", "90"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(5))) func servesHTTPSWithSecureCookies() async throws {
        let folder = temporaryDirectory()
        let (cert, key) = try await offPool { try Self.selfSigned(in: folder) }
        let server = try await makeServer { $0.tls = (cert, key); $0.port = 0 }
        _ = try addUser(server, "ann", .operator, password: "correct horse battery")
        let port = AsyncStream<Int>.makeStream()
        let app = try server.makeApplication { p in port.continuation.yield(p) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "tls-test")))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        var iterator = port.stream.makeAsyncIterator()
        let p = try #require(await iterator.next())

        let health = try await offPool { try Self.curl(["--cacert", cert, "https://127.0.0.1:\(p)/api/health"]) }
        #expect(health.output.contains("\"ok\""), "\(health)")
        let signIn = try await offPool { try Self.curl(["-i", "--cacert", cert, "-H", "content-type: application/json",
                                    "-d", #"{"name": "ann", "password": "correct horse battery"}"#, "https://127.0.0.1:\(p)/api/session"]) }
        let cookie = signIn.output.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: aula_session=") }
        #expect(cookie?.contains("Secure") == true, "\(signIn.output.prefix(600))")
        #expect(cookie?.contains("HttpOnly") == true)
        // Plain HTTP on the same port gets no answer.
        let plain = try await offPool { try Self.curl(["http://127.0.0.1:\(p)/api/health"]) }
        #expect(!plain.output.contains("\"ok\""))
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }

    @Test func unreadableCertificateIsNamed() async throws {
        let server = try await makeServer { $0.tls = ("/nonexistent/cert.pem", "/nonexistent/key.pem") }
        let error = #expect(throws: ServerSetupError.self) { try server.makeApplication() }
        #expect(error?.description.hasPrefix("--tls-cert /nonexistent/cert.pem") == true)
    }
}
