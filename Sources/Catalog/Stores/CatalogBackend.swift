/// Everything Aula keeps, as one database offers it: a backend (SQLite now, PostgreSQL for several
/// nodes) implements every store, and `CatalogConformanceTests` holds each backend to the same
/// behaviour. Callers do not use a backend directly: ``AulaCatalog`` wraps it, sealing camera
/// passwords and chaining the audit trail above it, once for every backend.
public protocol CatalogBackend: CameraStore, RecordingStore, AccountStore, AuditStore, EvidenceLockStore,
                                MotionSettingsStore, MotionEventStore, AlertStore, DocumentStore,
                                RecordStore {}
