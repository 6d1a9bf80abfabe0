import ArgumentParser
import City
import CityServices
import Foundation
import Planning
import Server

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a city map or offence records into the data folder (all or nothing).",
        subcommands: [ImportMap.self, ImportOffences.self])
}

struct ImportMap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "osm",
        abstract: "Import city geometry from OpenStreetMap (.osm, .osm.gz, .osm.pbf) or GeoJSON (.geojson, .json).",
        discussion: """
            Replaces the imported city. A file that is not a map stores nothing and the failing line or block is named.
            Features broken in OpenStreetMap itself (an unclosed outline, a way through nodes the extract does not hold)
            are skipped and named in the warnings; streets cut at the extract's edge keep their pieces inside.
            """)

    @Argument(help: "The map file.")
    var file: String

    @Option(help: "Name of the city, shown in the UI and reports.")
    var city: String

    @OptionGroup var dataOptions: DataOptions
    var data: String { dataOptions.data }

    @Option(help: "Highway classes counted as main streets, comma-separated (default primary,secondary,tertiary).")
    var mainStreets: String?

    func run() async throws {
        var options = ImportOptions()
        if let mainStreets {
            options.mainStreetClasses = Set(mainStreets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        let clock = ContinuousClock()
        let start = clock.now
        let stored = try await CityImport.importCity(file: file, name: city, into: CityStore(try await dataOptions.openCatalog()), options: options)
        let m = stored.model
        say("Imported \(stored.name) from \(stored.source) in \(clock.now - start): \(m.buildings.count) buildings, "
            + "\(m.streets.count) streets (\(m.streets.filter(\.isMain).count) main), \(m.courtyards.count) courtyards, "
            + "\(m.schoolGrounds.count) school grounds, \(m.streetLights.count) street lights, \(m.districts.count) districts.")
        if !m.skippedFeatures.isEmpty || !m.cutStreets.isEmpty {
            say("  \(m.skippedFeatures.count) features skipped (broken, or past the extract's edge), "
                + "\(m.cutStreets.count) streets cut at the extract's edge (their pieces inside kept).")
        }
        for w in m.warnings.prefix(5) { say("  warning: \(w)") }
        if m.warnings.count > 5 { say("  … \(m.warnings.count - 5) more warnings") }
        say("Stored in the catalogue in \(data). Map data © OpenStreetMap contributors (ODbL) when from OSM.")
    }
}

struct ImportOffences: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offences",
        abstract: "Import offences from a police CSV export with a column mapping, or generate synthetic demo offences.",
        discussion: """
            CSV import is all or nothing: every bad value is listed with its line and column, and nothing is stored.
            --synthetic replaces earlier synthetic records with clearly labelled demo data on the imported city.
            """)

    @Argument(help: "The CSV file.")
    var file: String?

    @Option(help: "Column mapping (JSON; see docs/city-api.md).")
    var mapping: String?

    @Flag(help: "Generate synthetic demo offences instead (labelled, never real).")
    var synthetic = false

    @Option(help: "Seed of the synthetic offences.")
    var seed: UInt64 = 2025

    @Flag(help: "Replace the register instead of adding to it.")
    var replace = false

    @OptionGroup var dataOptions: DataOptions
    var data: String { dataOptions.data }

    func validate() throws {
        if synthetic {
            guard file == nil, mapping == nil else { throw ValidationError("--synthetic takes no CSV file or mapping") }
        } else {
            guard file != nil else { throw ValidationError("give a CSV file and --mapping, or --synthetic") }
            guard mapping != nil else { throw ValidationError("--mapping is required with a CSV file") }
        }
    }

    func run() async throws {
        if synthetic {
            let scenario = try await CityImport.generateSyntheticOffences(into: CityStore(try await dataOptions.openCatalog()), seed: seed)
            say("\(scenario.label): \(scenario.offences.count) offences around \(scenario.hotspots.count) hot spots; "
                + "pilot \"\(scenario.pilot.name)\" from \(String(CivilTime.iso8601(scenario.pilotStart).prefix(10))), "
                + "\(scenario.controls.count) control areas.")
            return
        }
        guard let file, let mapping else { return }
        let (added, total) = try await CityImport.importOffences(csvFile: file, mappingFile: mapping, into: CityStore(try await dataOptions.openCatalog()), replace: replace)
        say("Imported \(added) offences from \((file as NSString).lastPathComponent); the register holds \(total).")
    }
}
