import ArgumentParser

@main
struct Aula: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aula",
        abstract: "Aula: recording, live view and coverage planning for city courtyard cameras.",
        subcommands: [Serve.self, Simulate.self, Demo.self, Probe.self, Bench.self, Import.self, Plan.self, Users.self, Token.self, Verify.self])
}

/// `HOST:PORT`, as given to `--listen`.
struct ListenAddress: ExpressibleByArgument, Sendable {
    var host: String
    var port: Int

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        host = String(argument[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// 127.0.0.0/8, ::1 and localhost: reachable from this machine only.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || (h.hasPrefix("127.") && h.split(separator: ".").count == 4)
    }
}
