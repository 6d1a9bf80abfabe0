import AulaSecurity
import Catalog
import Foundation

extension AulaCatalog {
    /// The embedded default: `catalog.sqlite` in `directory`, with the key that seals camera
    /// passwords in `secrets.key` beside it (0600, made on first use; docs/security.md).
    public static func openSQLite(directory: String) throws -> AulaCatalog {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let secrets = try SecretBox(keyFile: directory + "/secrets.key")
        return AulaCatalog(backend: try SQLiteCatalog(directory: directory, secrets: secrets), secrets: secrets)
    }
}
