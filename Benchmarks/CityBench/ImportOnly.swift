// `CityBench import FILE`: import one map file and nothing else, for the import figures of
// docs/performance.md ("OSM import (issue 20)"). One file per process, so that the peak memory
// printed (and the one `/usr/bin/time -v` reports) belongs to that file alone.
import City
import Foundation

func runImportOnly(_ path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
        print("CityBench: cannot read \(path)")
        exit(1)
    }
    let bytes = [UInt8](data)
    let format = OSMImporter.isPBF(bytes) ? "PBF" : (bytes.starts(with: [0x1F, 0x8B]) ? "XML, gzip" : "XML")
    // The first import is the one whose memory counts; four more give a median time.
    var times: [Double] = []
    var city: CityModel!
    for _ in 0..<5 { times.append(try seconds { city = try OSMImporter.importCity(from: bytes) }) }
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let kept = city.buildings.count + city.streets.count + city.schoolGrounds.count + city.streetLights.count
        + city.districts.count + city.courtyards.filter { $0.origin == .tagged }.count
    print("| \((path as NSString).lastPathComponent) | \(format), \(data.count / 1024) KiB | \(city.buildings.count) | \(city.streets.count) | "
          + "\(kept) | \(city.skippedFeatures.count) | \(city.cutStreets.count) | "
          + String(format: "%.0f ms | %.0f MiB |", median(times) * 1000, Double(usage.ru_maxrss) / 1024))
}
