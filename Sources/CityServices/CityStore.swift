import City
import Foundation
import Planning

/// The imported city, the offence register and the last plan, kept as JSON files under
/// `<data>/city/`.
///
/// Every file is written whole to a temporary name and then renamed over the old one, so a reader
/// (the server, while the CLI imports) sees the old file or the new one, never half of either; an
/// import that fails writes nothing.
public struct CityStore: Sendable {
    public let directory: String

    public init(dataDirectory: String) {
        directory = (dataDirectory as NSString).appendingPathComponent("city")
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

    var cityPath: String { (directory as NSString).appendingPathComponent("city.json") }
    var offencesPath: String { (directory as NSString).appendingPathComponent("offences.json") }
    var reportPath: String { (directory as NSString).appendingPathComponent("last-plan.md") }

    public func loadCity() throws -> StoredCity? {
        guard let data = FileManager.default.contents(atPath: cityPath) else { return nil }
        return try JSONDecoder().decode(StoredCity.self, from: data)
    }

    public func saveCity(_ city: StoredCity) throws {
        try write(try JSONEncoder().encode(city), to: cityPath)
    }

    /// When city.json last changed (nil when there is none), so a running server notices an import.
    public func cityStamp() -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: cityPath))?[.modificationDate] as? Date
    }

    public func offencesStamp() -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: offencesPath))?[.modificationDate] as? Date
    }

    public func loadOffences() throws -> StoredOffences {
        guard let data = FileManager.default.contents(atPath: offencesPath) else { return StoredOffences() }
        return try JSONDecoder().decode(StoredOffences.self, from: data)
    }

    public func saveOffences(_ offences: StoredOffences) throws {
        try write(try JSONEncoder().encode(offences), to: offencesPath)
    }

    public func loadReport() -> String? {
        FileManager.default.contents(atPath: reportPath).map { String(decoding: $0, as: UTF8.self) }
    }

    public func saveReport(_ markdown: String) throws {
        try write(Data(markdown.utf8), to: reportPath)
    }

    /// Write to a temporary file in the same folder, flush it, then rename over `path`.
    private func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
