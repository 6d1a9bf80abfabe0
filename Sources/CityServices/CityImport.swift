import City
import Foundation
import Planning

/// A failed city command (import, plan) in words for the user; nothing was stored.
public struct CityCommandError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Imports into the catalogue, for `aula import` and the tests. All or nothing: the stored city or
/// register changes only when the whole input was read without an error.
public enum CityImport {
    /// Reads OpenStreetMap (XML `.osm`, `.osm.gz` or PBF `.osm.pbf`, told apart by their content)
    /// or GeoJSON (`.geojson`, `.json`) and stores the city. Broken features of a sound file are
    /// left out and named in the city's warnings; a file that is not a map stores nothing.
    @discardableResult
    public static func importCity(file: String, name: String, into store: CityStore,
                                  options: ImportOptions = ImportOptions()) async throws -> CityStore.StoredCity {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CityCommandError("cannot read \(file)")
        }
        let lower = file.lowercased()
        let bytes = [UInt8](data)
        let model: CityModel
        do {
            // By content first: a PBF is a PBF whatever its name; GeoJSON is known by its name.
            if !OSMImporter.isPBF(bytes), lower.hasSuffix(".geojson") || lower.hasSuffix(".json") {
                model = try GeoJSONImporter.importCity(from: data, options: options)
            } else {
                model = try OSMImporter.importCity(from: bytes, options: options)
            }
        } catch {
            throw CityCommandError("\((file as NSString).lastPathComponent): \(error.description); nothing was imported")
        }
        guard !model.buildings.isEmpty || !model.streets.isEmpty else {
            throw CityCommandError("\((file as NSString).lastPathComponent) holds no buildings and no streets; nothing was imported")
        }
        let stored = CityStore.StoredCity(name: name, source: (file as NSString).lastPathComponent,
                                          importedAt: Int64(Date().timeIntervalSince1970 * 1_000_000), model: model)
        try await store.saveCity(stored)
        return stored
    }

    /// Imports a police CSV export with a column mapping (JSON, see docs/city-api.md) into the
    /// register. With `replace` the register is replaced; otherwise the records are added and an id
    /// that is already registered is an error.
    @discardableResult
    public static func importOffences(csvFile: String, mappingFile: String, into store: CityStore,
                                      replace: Bool = false) async throws -> (added: Int, total: Int) {
        guard let mappingData = FileManager.default.contents(atPath: mappingFile) else {
            throw CityCommandError("cannot read \(mappingFile)")
        }
        let mapping: OffenceCSVMapping
        do { mapping = try JSONDecoder().decode(OffenceCSVMapping.self, from: mappingData) } catch {
            throw CityCommandError("\((mappingFile as NSString).lastPathComponent) is not a valid column mapping: \(describe(error))")
        }
        guard let csvData = FileManager.default.contents(atPath: csvFile) else {
            throw CityCommandError("cannot read \(csvFile)")
        }
        let city = try await store.loadCity()
        let offences: [Offence]
        do {
            offences = try OffenceCSVImporter(mapping: mapping, gazetteer: city.map { AddressGazetteer(city: $0.model) })
                .importOffences(String(decoding: csvData, as: UTF8.self))
        } catch {
            throw CityCommandError("\((csvFile as NSString).lastPathComponent) was not imported:\n\(error.description)")
        }
        let file = (csvFile as NSString).lastPathComponent
        let (register, _) = try await store.updateOffences { register in
            if replace {
                register = CityStore.StoredOffences(offences: offences)
            } else {
                let existing = Set(register.offences.map(\.id))
                let repeated = offences.filter { existing.contains($0.id) }.map(\.id)
                guard repeated.isEmpty else {
                    throw CityCommandError("\(file) was not imported: ids already registered: "
                                           + repeated.prefix(10).joined(separator: ", ") + (repeated.count > 10 ? " …" : "")
                                           + " (use --replace to replace the register)")
                }
                register.offences += offences
            }
        }
        return (offences.count, register.offences.count)
    }

    /// Replaces the synthetic records of the register with freshly generated demo offences on the
    /// imported city (real records are kept) and remembers the demo pilot.
    @discardableResult
    public static func generateSyntheticOffences(into store: CityStore, seed: UInt64 = 2025) async throws -> SyntheticOffences.Scenario {
        guard let city = try await store.loadCity() else {
            throw CityCommandError("no city is imported yet: run `aula import osm FILE --city NAME` first")
        }
        var options = SyntheticOffences.Options()
        options.seed = seed
        let scenario = SyntheticOffences.generate(city: city.model, options: options)
        try await store.updateOffences { register in
            register.offences = register.offences.filter { !$0.synthetic } + scenario.offences
            register.scenario = CityStore.DemoScenario(label: scenario.label, pilot: scenario.pilot, controls: scenario.controls,
                                                       pilotStart: scenario.pilotStart)
        }
        return scenario
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "\(path): ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}
