/// The camera registry, independent of the database behind it.
///
/// Implementations: `CatalogSQLite.SQLiteCatalog` (embedded default). Every method is atomic.
public protocol CameraStore: Sendable {
    func cameras() async throws -> [Camera]
    func camera(id: Int64) async throws -> Camera?
    /// Inserts a camera and returns it with its new id and timestamps.
    func insert(_ camera: Camera) async throws -> Camera
    /// Replaces a camera; returns nil when no camera has that id.
    func update(_ camera: Camera) async throws -> Camera?
    /// Deletes a camera; returns false when no camera had that id.
    func delete(id: Int64) async throws -> Bool
}
