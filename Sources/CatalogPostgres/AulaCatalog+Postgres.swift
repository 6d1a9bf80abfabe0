import AulaSecurity
import Catalog
import Foundation
import Logging

extension AulaCatalog {
    /// A shared catalogue in PostgreSQL. Camera passwords are sealed with the key in `keyFile`
    /// (made on first use): every node of a cluster needs the same key file (docs/cluster.md), and
    /// the database alone, or a dump of it, never holds a camera password in the clear.
    public static func openPostgres(_ location: PostgresLocation, node: String = "", keyFile: String, logger: Logger = Logger(label: "aula.catalog")) async throws -> AulaCatalog {
        try FileManager.default.createDirectory(atPath: (keyFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let secrets = try SecretBox(keyFile: keyFile)
        return AulaCatalog(backend: try await PostgresCatalog.open(location, node: node, logger: logger), secrets: secrets)
    }
}
