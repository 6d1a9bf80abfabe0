import Catalog
import CatalogSQLite

/// The one place where the process chooses its catalogue backend: the embedded SQLite file in the
/// data folder. (A shared PostgreSQL catalogue for several nodes will be chosen here too.)
func openCatalog(data: String) throws -> AulaCatalog {
    try AulaCatalog.openSQLite(directory: data)
}
