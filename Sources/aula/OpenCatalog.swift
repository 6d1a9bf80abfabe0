import ArgumentParser
import Catalog
import CatalogSQLite

/// `--data`, shared by every command that works on a data folder.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder for the catalogue, keys and recordings.")
    var data: String = "./aula-data"
}

/// The one place where the process chooses its catalogue backend: the embedded SQLite file in the
/// data folder. (A shared PostgreSQL catalogue for several nodes will be chosen here too.)
func openCatalog(data: String) throws -> AulaCatalog {
    try AulaCatalog.openSQLite(directory: data)
}
