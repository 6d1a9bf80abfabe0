import ArgumentParser
import Catalog
import CatalogPostgres
import CatalogSQLite
import Logging

/// `--data` and `--catalog`, shared by every command that works on a node's data.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder for the catalogue (unless --catalog names one), keys and recordings.")
    var data: String = "./aula-data"

    @Option(help: ArgumentHelp(
        "A shared PostgreSQL catalogue for several nodes: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]. Default: catalog.sqlite in --data.",
        discussion: "The password may come from AULA_CATALOG_PASSWORD instead. Every node needs the same secrets.key in its --data folder (docs/cluster.md)."))
    var catalog: String?

    func validate() throws {
        if let catalog {
            do { _ = try PostgresLocation(url: catalog) } catch let error as PostgresCatalogError { throw ValidationError(error.message) }
        }
    }

    func openCatalog(node: String = "", logger: Logger = Logger(label: "aula.catalog")) async throws -> AulaCatalog {
        try await aula.openCatalog(data: data, catalog: catalog, node: node, logger: logger)
    }
}

/// The one place where the process chooses its catalogue backend: the embedded SQLite file in the
/// data folder, or the PostgreSQL database that `catalog` names (with the key that seals camera
/// passwords still in the data folder).
func openCatalog(data: String, catalog: String? = nil, node: String = "", logger: Logger = Logger(label: "aula.catalog")) async throws -> AulaCatalog {
    if let catalog {
        return try await AulaCatalog.openPostgres(try PostgresLocation(url: catalog), node: node, keyFile: data + "/secrets.key", logger: logger)
    }
    return try AulaCatalog.openSQLite(directory: data)
}
