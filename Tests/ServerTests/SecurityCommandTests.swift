import AulaSecurity
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import App
@testable import Server

/// `aula users add`, `aula token create` and the first start of `aula serve`, run as the real binary.
@Suite struct SecurityCommandTests {
    /// Runs the real binary on a thread of its own (see ``offPool(_:)``) and returns what it printed.
    static func aula(_ arguments: [String], stdin: String? = nil) async throws -> (status: Int32, output: String) {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
            process.arguments = arguments
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    @Test func usersAddReadsThePasswordFromStdinAndTokenCreatePrintsOne() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary))
        let data = temporaryDirectory()
        let noPassword = try await Self.aula(["users", "add", "ann", "--role", "operator", "--data", data], stdin: "")
        #expect(noPassword.status != 0 && noPassword.output.contains("no password on standard input"))
        let badRole = try await Self.aula(["users", "add", "ann", "--role", "king", "--data", data], stdin: "long enough password\n")
        #expect(badRole.status != 0 && badRole.output.contains("--role"))
        let short = try await Self.aula(["users", "add", "ann", "--role", "operator", "--data", data], stdin: "short\n")
        #expect(short.status != 0 && short.output.contains("password: must be at least 10 characters"))
        let added = try await Self.aula(["users", "add", "ann", "--role", "operator", "--data", data], stdin: "long enough password\n")
        #expect(added.status == 0, "\(added.output)")
        let token = try await Self.aula(["token", "create", "--user", "ann", "--data", data])
        #expect(token.status == 0)
        let secret = token.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("aula_"))
        #expect(try await Self.aula(["token", "create", "--user", "nobody", "--data", data]).status != 0)

        var configuration = ServerConfiguration(dataDirectory: data)
        configuration.auth = testAuthConfiguration()
        let server = try await openApp(configuration: configuration)
        try await Application(router: server.makeRouter()).test(.router) { client in
            let me = try await client.json(.get, "/api/session", token: secret)
            #expect(me.json["role"] as? String == "operator")
            let signIn = try await client.json(.post, "/api/session", #"{"name": "ann", "password": "long enough password"}"#, token: nil)
            #expect(signIn.status == .ok)
        }
        #expect(try await server.accounts.ensureAdministrator() == nil, "users exist: no first-start administrator")
        let audit = try await server.catalog.auditEntries().map(\.action)
        #expect(audit.starts(with: ["user.create", "token.create"]))
    }

    @Test(.timeLimit(.minutes(3))) func serveCreatesAnAdministratorOnceAtFirstStart() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary))
        let data = temporaryDirectory()
        /// Starts `aula serve`, reads what it prints until it says it listens (or ends), stops it.
        /// Waits on the output, not the clock, on a thread of its own.
        func start() async throws -> String {
            try await offPool {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: DemoCommandTests.binary)
                process.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "notice"]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = output
                try process.run()
                var text = ""
                while !text.contains("Aula is listening") {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                process.terminate()
                process.waitUntilExit()
                return text
            }
        }
        let first = try await start()
        let line = first.split(separator: "\n").first { $0.hasPrefix("    ") }
        let password = try #require(line.map { $0.trimmingCharacters(in: .whitespaces) }, "\(first)")
        #expect(password.count >= 16)
        let second = try await start()
        #expect(!second.contains("one-time password") && !second.contains(password))
        #expect(second.contains("Aula is listening"))

        var configuration = ServerConfiguration(dataDirectory: data)
        configuration.auth = testAuthConfiguration()
        let server = try await openApp(configuration: configuration)
        try await Application(router: server.makeRouter()).test(.router) { client in
            let signIn = try await client.json(.post, "/api/session", #"{"name": "admin", "password": "\#(password)"}"#, token: nil)
            #expect(signIn.status == .ok)
            #expect(signIn.json["mustChangePassword"] as? Bool == true)
        }
    }
}
