import Motion
import ArgumentParser
import Foundation
import Logging
import App
import Catalog
import Server

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Aula server: API, web UI and recorder.")

    @OptionGroup var dataOptions: DataOptions
    var data: String { dataOptions.data }

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Delete recordings older than this many days (default: keep until the quota needs the space).")
    var maxAgeDays: Int?

    @Option(help: "Disk quota for recordings in GB (10^9 bytes); the oldest footage goes first.")
    var quotaGB: Double?

    @Option(help: "Disk quota as a share of the volume holding the recordings, between 0 and 1 (the smaller quota wins).")
    var quotaShare: Double?

    @Option(help: "Free space to keep on that volume in GB (default: 2% of the volume, at most 2 GiB; 0 turns it off).")
    var minFreeGB: Double?

    @Option(help: "Seconds between flushes of recordings to disk: the most video per camera a crash can lose.")
    var flushSeconds: Double = 2

    @Option(help: "Target length of one sample file in seconds.")
    var rotateSeconds: Int = 60

    @Option(help: "Read each camera's socket at most once per this many milliseconds while nobody watches it live (0: as soon as data arrives). Far less CPU; delays recording and motion analysis by up to this much.")
    var readPacingMs: Int = 200

    @Option(help: "Seconds after which an unacknowledged alert is escalated (sent again, flagged).")
    var alertEscalateSeconds: Double = 120

    @Option(help: "Seconds without video after which a camera is reported offline.")
    var alertOfflineSeconds: Double = 10

    @Option(help: "Seconds a guard has to accept an offered incident before the next nearest is offered it.")
    var offerSeconds: Double = 60

    @Option(help: "IANA time zone of the site (such as Asia/Almaty) in which motion schedules are read; a camera's motion settings may name their own (default: the system's zone).")
    var timeZone: String?

    @Option(help: "Cameras whose live view may be re-encoded with privacy masks at once (default: one per core).")
    var maxMaskedLiveCameras: Int?

    @Option(help: "Cameras whose live view may be converted to H.264 at once, for browsers that cannot decode H.265 (default: one per core).")
    var maxTranscodedLiveCameras: Int?

    @Option(help: "PEM certificate chain: serve HTTPS only (with --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(help: "Mark cookies Secure although Aula speaks plain HTTP: for a TLS proxy in front (browsers then see https).")
    var secureCookies = false

    @Option(help: "This node's name in a cluster (with --catalog postgres://…); default: the host name. Each node needs its own --data.")
    var node: String?

    @Option(help: "all: record and serve; recorder: the same (any node serves everything); api: serve only, never record (with --catalog).")
    var role: String = "all"

    @Option(help: "The most cameras this node records (with --catalog).")
    var capacity: Int = 1000

    @Option(help: "Seconds after which a node not heard from loses its cameras to the others (with --catalog).")
    var leaseSeconds: Double = 12

    @Option(help: "HOST:PORT (or https://HOST:PORT) where the other nodes reach this one (with --catalog; default: the --listen address).")
    var advertise: String?

    @Flag(help: "Listen on a non-loopback address over plain HTTP (passwords and video unencrypted on the network); prefer --tls-cert or a TLS proxy.")
    var allowPlainHTTP = false

    func run() async throws {
        let logger = makeLogger(logLevel)
        var configuration = ServerConfiguration(dataDirectory: data, host: listen.host, port: listen.port)
        guard (0.1...60).contains(flushSeconds) else { throw ValidationError("--flush-seconds must be between 0.1 and 60") }
        configuration.flushInterval = .milliseconds(Int(flushSeconds * 1000))
        guard (2...3600).contains(rotateSeconds) else { throw ValidationError("--rotate-seconds must be between 2 and 3600") }
        configuration.rotateSeconds = Int64(rotateSeconds)
        guard (0...1000).contains(readPacingMs) else { throw ValidationError("--read-pacing-ms must be between 0 and 1000") }
        configuration.readPacing = readPacingMs > 0 ? .milliseconds(readPacingMs) : nil
        if let maxAgeDays {
            guard (1...36_500).contains(maxAgeDays) else { throw ValidationError("--max-age-days must be between 1 and 36500") }
            configuration.retention.defaultMaxAgeSeconds = Int64(maxAgeDays) * 86_400
        }
        if let quotaGB {
            guard quotaGB > 0, quotaGB <= 1e9 else { throw ValidationError("--quota-gb must be more than 0 and at most 1000000000") }
            configuration.retention.quotaBytes = Int64(quotaGB * 1e9)
        }
        if let quotaShare {
            guard quotaShare > 0, quotaShare <= 1 else { throw ValidationError("--quota-share must be more than 0 and at most 1") }
            configuration.retention.quotaShare = quotaShare
        }
        if let minFreeGB {
            guard minFreeGB >= 0, minFreeGB <= 1e9 else { throw ValidationError("--min-free-gb must be between 0 and 1000000000") }
            configuration.retention.minFreeBytes = Int64(minFreeGB * 1e9)
        }
        guard (1...86_400).contains(alertEscalateSeconds) else { throw ValidationError("--alert-escalate-seconds must be between 1 and 86400") }
        configuration.alerts.escalateAfter = .milliseconds(Int(alertEscalateSeconds * 1000))
        guard (2...3600).contains(alertOfflineSeconds) else { throw ValidationError("--alert-offline-seconds must be between 2 and 3600") }
        configuration.alerts.offlineAfter = .milliseconds(Int(alertOfflineSeconds * 1000))
        guard (2...3600).contains(offerSeconds) else { throw ValidationError("--offer-seconds must be between 2 and 3600") }
        configuration.guards.offerTimeoutMicros = Int64(offerSeconds * 1_000_000)
        if let timeZone {
            guard let zone = ScheduleTimeZone.named(timeZone) else { throw ValidationError("--time-zone: \(ScheduleTimeZone.problem(timeZone))") }
            configuration.timeZone = zone
        }
        if let maxMaskedLiveCameras {
            guard (0...1000).contains(maxMaskedLiveCameras) else { throw ValidationError("--max-masked-live-cameras must be between 0 and 1000") }
            configuration.maxMaskedLiveCameras = maxMaskedLiveCameras
        }
        if let maxTranscodedLiveCameras {
            guard (0...1000).contains(maxTranscodedLiveCameras) else { throw ValidationError("--max-transcoded-live-cameras must be between 0 and 1000") }
            configuration.maxTranscodedLiveCameras = maxTranscodedLiveCameras
        }
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): configuration.tls = (cert, key)
        case (nil, nil): break
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        if secureCookies { configuration.auth.secureCookies = true }
        if configuration.tls == nil && !ListenAddress.isLoopback(listen.host) {
            guard allowPlainHTTP else {
                throw ValidationError("--listen \(listen.host) is reachable from the network over plain HTTP: give --tls-cert and --tls-key, or put a TLS proxy in front and add --allow-plain-http (with --secure-cookies)")
            }
            logger.warning("listening on a network address over plain HTTP: passwords, cookies and video cross the network unencrypted", metadata: ["listen": "\(listen.host)"])
        }
        guard let nodeRole = NodeReport.Role(rawValue: role) else { throw ValidationError("--role must be all, recorder or api") }
        var nodeName = ""
        if dataOptions.catalog != nil {
            nodeName = node ?? ProcessInfo.processInfo.hostName
            guard !nodeName.isEmpty, nodeName.utf8.count <= 100, nodeName.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ValidationError("--node must be 1 to 100 letters, digits, '-', '_' or '.'")
            }
            guard (1...100_000).contains(capacity) else { throw ValidationError("--capacity must be between 1 and 100000") }
            guard (3...600).contains(leaseSeconds) else { throw ValidationError("--lease-seconds must be between 3 and 600") }
            var address = "\(listen.host):\(listen.port)"
            if let advertise {
                let parts = advertise.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
                guard advertise.utf8.count <= 300, let colon = parts.lastIndex(of: ":"), colon != parts.startIndex,
                      let port = Int(parts[parts.index(after: colon)...]), (1...65_535).contains(port) else {
                    throw ValidationError("--advertise must be HOST:PORT or https://HOST:PORT, such as 10.0.0.5:8080")
                }
                address = advertise
            } else if ["0.0.0.0", "::", "[::]"].contains(listen.host) {
                throw ValidationError("--listen \(listen.host) is every address: give --advertise HOST:PORT, the address other nodes reach this one at")
            }
            configuration.cluster = ClusterSettings(role: nodeRole, address: address, capacity: capacity,
                                                    leaseTime: .milliseconds(Int(leaseSeconds * 1000)))
        } else if node != nil || role != "all" {
            throw ValidationError("--node and --role name a node of a cluster: give --catalog postgres://… too")
        }
        let server = try AulaApp(configuration: configuration, catalog: try await dataOptions.openCatalog(node: nodeName, logger: logger), logger: logger)
        let scheme = configuration.tls == nil ? "http" : "https"
        do {
            try await server.run { port in
                // After the recorder has started: a bcrypt hash must not delay recording.
                do {
                    if let password = try await server.accounts.ensureAdministrator() {
                        // Printed once, to the terminal of whoever started the first run, never logged.
                        say("""
                            First start: created the administrator "admin" with the one-time password
                                \(password)
                            Sign in and choose a new password; it is not shown again.
                            """)
                    }
                } catch {
                    logger.error("could not create the first administrator", metadata: ["error": "\(error)"])
                }
                logger.notice("Aula is listening", metadata: ["url": "\(scheme)://\(listen.host):\(port)/"])
            }
        } catch let e as ServerSetupError {
            throw ValidationError(e.description)
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
