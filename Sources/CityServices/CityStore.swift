import Catalog
import City
import Foundation
import Planning
import Synchronization

/// The imported city, the offence register and the last plan, kept as whole documents in the
/// catalogue (``DocumentStore``), so that every node sharing it sees the same city.
///
/// A document is replaced whole in one transaction, so a reader (the server, while the command line
/// imports) sees the old one or the new one, never half of either; an import that fails saves
/// nothing. Readers poll the revision, which grows at every save, and read the document again only
/// when it changed.
public struct CityStore: Sendable {
    let documents: any DocumentStore

    public init(_ documents: any DocumentStore) {
        self.documents = documents
    }

    /// A city as imported: the model in local metres plus where it came from.
    public struct StoredCity: Codable, Sendable {
        public var name: String
        /// The file it was imported from (name only).
        public var source: String
        /// Microseconds since the epoch.
        public var importedAt: Int64
        public var model: CityModel

        public init(name: String, source: String, importedAt: Int64, model: CityModel) {
            self.name = name
            self.source = source
            self.importedAt = importedAt
            self.model = model
        }
    }

    /// The offence register, with the synthetic demo scenario when the demo data was generated.
    public struct StoredOffences: Codable, Sendable {
        public var offences: [Offence]
        public var scenario: DemoScenario?

        public init(offences: [Offence] = [], scenario: DemoScenario? = nil) {
            self.offences = offences
            self.scenario = scenario
        }
    }

    /// The pilot of the synthetic demo data, so the UI can offer to evaluate it.
    public struct DemoScenario: Codable, Sendable {
        public var label: String
        public var pilot: StudyArea
        public var controls: [StudyArea]
        public var pilotStart: Int64
    }

    static let city = "city", offences = "offences", report = "last-plan"

    public func loadCity() async throws -> StoredCity? {
        guard let document = try await documents.document(named: Self.city) else { return nil }
        return try JSONDecoder().decode(StoredCity.self, from: document.body)
    }

    public func saveCity(_ city: StoredCity) async throws {
        try await documents.saveDocument(named: Self.city, body: try JSONEncoder().encode(city))
    }

    /// The city's revision (nil when none was imported), so a running server notices an import.
    public func cityRevision() async throws -> Int64? { try await documents.documentRevision(named: Self.city) }

    public func offencesRevision() async throws -> Int64? { try await documents.documentRevision(named: Self.offences) }

    public func loadOffences() async throws -> StoredOffences {
        guard let document = try await documents.document(named: Self.offences) else { return StoredOffences() }
        return try JSONDecoder().decode(StoredOffences.self, from: document.body)
    }

    public func saveOffences(_ offences: StoredOffences) async throws {
        try await documents.saveDocument(named: Self.offences, body: try JSONEncoder().encode(offences))
    }

    /// Changes the register in one transaction with reading it (see ``DocumentStore/updateDocument(named:_:)``);
    /// returns the register as saved and its revision.
    @discardableResult
    public func updateOffences(_ change: @escaping @Sendable (inout StoredOffences) throws -> Void) async throws -> (register: StoredOffences, revision: Int64) {
        let saved = Mutex(StoredOffences())
        let revision = try await documents.updateDocument(named: Self.offences) { body in
            var register = try body.map { try JSONDecoder().decode(StoredOffences.self, from: $0) } ?? StoredOffences()
            try change(&register)
            saved.withLock { $0 = register }
            return try JSONEncoder().encode(register)
        }
        return (saved.withLock { $0 }, revision)
    }

    public func loadReport() async throws -> String? {
        try await documents.document(named: Self.report).map { String(decoding: $0.body, as: UTF8.self) }
    }

    public func saveReport(_ markdown: String) async throws {
        try await documents.saveDocument(named: Self.report, body: Data(markdown.utf8))
    }
}
