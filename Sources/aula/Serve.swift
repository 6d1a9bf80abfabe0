import ArgumentParser
import Foundation
import Logging
import Server

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Aula server: API, web UI and recorder.")

    @Option(help: "Folder for the catalogue and recordings.")
    var data: String = "./aula-data"

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = makeLogger(logLevel)
        let server = try AulaServer(configuration: ServerConfiguration(dataDirectory: data, host: listen.host, port: listen.port), logger: logger)
        try await server.run { port in
            logger.notice("Aula is listening", metadata: ["url": "http://\(listen.host):\(port)/"])
        }
    }
}

func makeLogger(_ level: String) -> Logger {
    var logger = Logger(label: "aula")
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}

/// Prints a line unbuffered, so that URLs and results reach a pipe (a script, a test) at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
