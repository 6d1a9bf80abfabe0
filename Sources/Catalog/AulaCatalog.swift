import AulaSecurity
import Foundation
import Media

/// The catalogue as the rest of Aula sees it: one backend (chosen once, where the process is
/// composed) with what every backend needs done the same way kept above it:
///
/// - camera passwords are sealed (AES-GCM, `SecretBox`) before the backend sees them and opened
///   when read, so no backend stores a camera password in the clear;
/// - the audit trail is chained here (``AuditStore/appendAudit(actor:client:action:target:detail:timeMicros:)``):
///   a backend stores entries and the head, it does not compute them.
///
/// Everything else is passed through unchanged.
public final class AulaCatalog: CatalogBackend {
    /// The database behind the catalogue. Only fixtures and the conformance suite use it directly.
    public let backend: any CatalogBackend
    let secrets: SecretBox
    /// Signs and checks requests between nodes of one cluster, with a key derived from the same
    /// `secrets.key` every node shares (docs/cluster.md).
    public var peerSignature: PeerSignature { PeerSignature(secrets: secrets) }

    public init(backend: any CatalogBackend, secrets: SecretBox) {
        self.backend = backend
        self.secrets = secrets
    }

    /// Nodes and camera leases, when the backend is shared by several nodes (nil: one node
    /// records every camera).
    public var cluster: (any ClusterStore)? { backend as? any ClusterStore }

    // MARK: Cameras (passwords sealed)

    public func cameras() async throws -> [Camera] { try await backend.cameras().map(opened) }
    public func camera(id: Int64) async throws -> Camera? { try await backend.camera(id: id).map(opened) }
    public func insert(_ camera: Camera) async throws -> Camera { try opened(try await backend.insert(try sealed(camera))) }
    public func update(_ camera: Camera) async throws -> Camera? { try await backend.update(try sealed(camera)).map(opened) }
    public func delete(id: Int64) async throws -> Bool { try await backend.delete(id: id) }

    /// A sealed value that no longer opens (wrong key, edited row) is an error, never silently an
    /// empty password.
    func opened(_ camera: Camera) throws -> Camera {
        var c = camera
        c.password = try camera.password.map { try secrets.open($0) }
        c.subStream?.password = try camera.subStream?.password.map { try secrets.open($0) }
        return c
    }

    func sealed(_ camera: Camera) throws -> Camera {
        var c = camera
        c.password = try camera.password.map { try secrets.seal($0) }
        c.subStream?.password = try camera.subStream?.password.map { try secrets.seal($0) }
        return c
    }

    // MARK: Recordings

    public func commit(_ recordings: [Recording]) async throws { try await backend.commit(recordings) }
    public func sampleEntryID(codec: VideoCodec, parameterSets: ParameterSets) async throws -> Int64 {
        try await backend.sampleEntryID(codec: codec, parameterSets: parameterSets)
    }
    public func sampleEntry(id: Int64) async throws -> SampleEntry? { try await backend.sampleEntry(id: id) }
    public func recordings(camera: Int64, stream: RecordedStream, from start90k: Int64, to end90k: Int64) async throws -> [Recording] {
        try await backend.recordings(camera: camera, stream: stream, from: start90k, to: end90k)
    }
    public func allRecordingLocations() async throws -> [(camera: Int64, id: Int64, bytes: Int64)] { try await backend.allRecordingLocations() }
    public func maxRecordingID() async throws -> Int64 { try await backend.maxRecordingID() }
    public func document(named name: String) async throws -> StoredDocument? { try await backend.document(named: name) }
    public func documentRevision(named name: String) async throws -> Int64? { try await backend.documentRevision(named: name) }
    @discardableResult
    public func saveDocument(named name: String, body: Data) async throws -> Int64 { try await backend.saveDocument(named: name, body: body) }
    @discardableResult
    public func updateDocument(named name: String, _ change: @escaping @Sendable (Data?) throws -> Data) async throws -> Int64 {
        try await backend.updateDocument(named: name, change)
    }
    public func insertRecord(kind: String, key: String?, fields: RecordFields) async throws -> (record: StoredRecord, created: Bool) {
        try await backend.insertRecord(kind: kind, key: key, fields: fields)
    }
    public func record(kind: String, id: Int64) async throws -> StoredRecord? { try await backend.record(kind: kind, id: id) }
    public func record(kind: String, key: String) async throws -> StoredRecord? { try await backend.record(kind: kind, key: key) }
    public func records(kind: String, tag: String?, from: Int64, to: Int64, limit: Int) async throws -> [StoredRecord] {
        try await backend.records(kind: kind, tag: tag, from: from, to: to, limit: limit)
    }
    public func updateRecord(kind: String, id: Int64, _ change: @escaping @Sendable (StoredRecord) throws -> RecordFields?) async throws -> StoredRecord? {
        try await backend.updateRecord(kind: kind, id: id, change)
    }
    public func deleteRecord(kind: String, id: Int64) async throws -> Bool { try await backend.deleteRecord(kind: kind, id: id) }
    @discardableResult
    public func replaceRecords(kind: String, _ records: [(id: Int64, fields: RecordFields)]) async throws -> Int {
        try await backend.replaceRecords(kind: kind, records)
    }
    public func reserveRecordingIDs(count: Int, atLeast minimum: Int64) async throws -> Range<Int64> {
        try await backend.reserveRecordingIDs(count: count, atLeast: minimum)
    }
    @discardableResult
    public func moveToGarbage(ids: [Int64]) async throws -> Int { try await backend.moveToGarbage(ids: ids) }
    public func garbage() async throws -> [(camera: Int64, id: Int64)] { try await backend.garbage() }
    public func removeGarbage(ids: [Int64]) async throws { try await backend.removeGarbage(ids: ids) }
    public func streamUsage() async throws -> [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] {
        try await backend.streamUsage()
    }
    public func oldestRecordings(limit: Int) async throws -> [Recording] { try await backend.oldestRecordings(limit: limit) }
    public func recordings(camera: Int64, stream: RecordedStream, endingBefore end90k: Int64) async throws -> [Recording] {
        try await backend.recordings(camera: camera, stream: stream, endingBefore: end90k)
    }
    public func maxAgeDays() async throws -> [Int64: Int] { try await backend.maxAgeDays() }
    public func setMaxAgeDays(_ days: Int?, camera: Int64) async throws { try await backend.setMaxAgeDays(days, camera: camera) }

    // MARK: Accounts

    public func users() async throws -> [User] { try await backend.users() }
    public func user(named name: String) async throws -> User? { try await backend.user(named: name) }
    public func userCount() async throws -> Int { try await backend.userCount() }
    public func insert(_ user: User) async throws -> User { try await backend.insert(user) }
    public func update(_ user: User) async throws -> Bool { try await backend.update(user) }
    public func deleteUser(id: Int64) async throws -> Bool { try await backend.deleteUser(id: id) }
    public func createSession(digest: String, userID: Int64, csrf: String, expiresAt: Int64) async throws {
        try await backend.createSession(digest: digest, userID: userID, csrf: csrf, expiresAt: expiresAt)
    }
    public func session(digest: String) async throws -> (user: User, csrf: String)? { try await backend.session(digest: digest) }
    public func deleteSession(digest: String) async throws { try await backend.deleteSession(digest: digest) }
    public func deleteSessions(userID: Int64, keeping: String?) async throws { try await backend.deleteSessions(userID: userID, keeping: keeping) }
    public func addAPIToken(digest: String, userID: Int64, label: String, expiresAt: Int64?) async throws {
        try await backend.addAPIToken(digest: digest, userID: userID, label: label, expiresAt: expiresAt)
    }
    public func deleteAPITokens(userID: Int64) async throws -> Int { try await backend.deleteAPITokens(userID: userID) }
    public func user(tokenDigest: String) async throws -> User? { try await backend.user(tokenDigest: tokenDigest) }

    // MARK: Audit (chained by the AuditStore extension, above the backend)

    public func appendAudit(link: @escaping @Sendable (AuditHead?, AuditHead?) throws -> AuditEntry) async throws -> AuditEntry {
        try await backend.appendAudit(link: link)
    }
    public func auditPage(fromMicros: Int64?, toMicros: Int64?, afterID: Int64, limit: Int) async throws -> [AuditEntry] {
        try await backend.auditPage(fromMicros: fromMicros, toMicros: toMicros, afterID: afterID, limit: limit)
    }
    public func auditHead() async throws -> AuditHead? { try await backend.auditHead() }

    // MARK: Evidence locks

    public func evidenceLocks() async throws -> [EvidenceLock] { try await backend.evidenceLocks() }
    public func insert(_ lock: EvidenceLock) async throws -> EvidenceLock { try await backend.insert(lock) }
    public func deleteEvidenceLock(id: Int64) async throws -> Bool { try await backend.deleteEvidenceLock(id: id) }

    // MARK: Motion settings, events and alerts

    public func motionConfigurations() async throws -> [Int64: String] { try await backend.motionConfigurations() }
    public func motionConfiguration(camera: Int64) async throws -> String? { try await backend.motionConfiguration(camera: camera) }
    public func setMotionConfiguration(_ json: String?, camera: Int64) async throws { try await backend.setMotionConfiguration(json, camera: camera) }
    public func insertMotionEvent(_ event: StoredMotionEvent, thumbnail: [UInt8]?) async throws -> Int64 {
        try await backend.insertMotionEvent(event, thumbnail: thumbnail)
    }
    public func finishMotionEvent(id: Int64, end90k: Int64, peakScore: Double, box: [Double]) async throws {
        try await backend.finishMotionEvent(id: id, end90k: end90k, peakScore: peakScore, box: box)
    }
    public func motionEvents(cameras: [Int64]?, zone: String?, start90k: Int64, end90k: Int64, limit: Int) async throws -> [StoredMotionEvent] {
        try await backend.motionEvents(cameras: cameras, zone: zone, start90k: start90k, end90k: end90k, limit: limit)
    }
    public func motionEvent(id: Int64) async throws -> (event: StoredMotionEvent, thumbnail: [UInt8]?)? { try await backend.motionEvent(id: id) }
    public func insertAlert(_ alert: StoredAlert) async throws -> StoredAlert { try await backend.insertAlert(alert) }
    public func alerts(openOnly: Bool, limit: Int) async throws -> [StoredAlert] { try await backend.alerts(openOnly: openOnly, limit: limit) }
    public func alert(id: Int64) async throws -> StoredAlert? { try await backend.alert(id: id) }
    public func acknowledgeAlert(id: Int64, by user: String, atMicros: Int64) async throws -> StoredAlert? {
        try await backend.acknowledgeAlert(id: id, by: user, atMicros: atMicros)
    }
    public func escalateAlerts(raisedBefore beforeMicros: Int64, atMicros: Int64) async throws -> [StoredAlert] {
        try await backend.escalateAlerts(raisedBefore: beforeMicros, atMicros: atMicros)
    }
}
