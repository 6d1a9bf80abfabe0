// CityBench: coverage speed on the real Monaco extract, side by side with shapely.
//
//   swift run -c release --scratch-path .build-city CityBench [path/to/city.osm.gz] [cameras]
//   swift run -c release --scratch-path .build-city CityBench import path/to/city.osm.pbf   # import only
//
// Prints a Markdown table; docs/coverage.md keeps the latest figures.
import City
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "import" {
    try runImportOnly(arguments[2])
    exit(0)
}
let path = arguments.count > 1 ? arguments[1] : "../shared/data/osm/monaco.osm.gz"
let cameraCount = arguments.count > 2 ? Int(arguments[2]) ?? 500 : 500
guard let data = FileManager.default.contents(atPath: path) else {
    print("CityBench: cannot read \(path) (run from the package root, with shared/ beside it)")
    exit(1)
}

var city: CityModel!
let importTime = try seconds { city = try OSMImporter.importCity(from: data) }
let cameras = SampleCameras.generate(for: city, count: cameraCount, seed: 2024)

var engine: CoverageEngine!
let prepareTime = seconds { engine = CoverageEngine(city: city) }
var fullTimes: [Double] = []
for _ in 0..<5 { fullTimes.append(try seconds { try engine.setCameras(cameras) }) }
var reportTime = 0.0
var report: CoverageReport!
reportTime = seconds { report = engine.report() }

// Move or turn one camera at a time, 200 times, each followed by a fresh report.
var moveTimes: [Double] = []
var rng = SystemRandomNumberGenerator()
for k in 0..<200 {
    var spec = cameras[(k * 37) % cameras.count]
    if case .local(let p) = spec.position {
        spec.position = .local(Point(x: p.x + Double.random(in: -5...5, using: &rng), y: p.y + Double.random(in: -5...5, using: &rng)))
    }
    spec.heading += Double.random(in: -30...30, using: &rng)
    moveTimes.append(try seconds {
        try engine.upsertCamera(spec)
        _ = engine.report()
    })
}

// shapely on the same scene, for a side-by-side figure.
var shapelyTime: Double?
var shapelyJSON: [String: Any] = [:]
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("citybench-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
let input = dir.appendingPathComponent("in.json")
let output = dir.appendingPathComponent("out.json")
try JSONEncoder().encode(ReferenceScene(city: city, cameras: cameras)).write(to: input)
let python = Process()
python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
python.arguments = ["python3", "scripts/coverage_reference.py", input.path, output.path]
if (try? python.run()) != nil {
    python.waitUntilExit()
    if python.terminationStatus == 0, let d = try? Data(contentsOf: output),
        let json = try? JSONSerialization.jsonObject(with: d) as? [String: Any]
    {
        shapelyTime = json["seconds"] as? Double
        shapelyJSON = json
    }
}
try? FileManager.default.removeItem(at: dir)

func f(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
print("""
    Monaco extract: \(city.buildings.count) buildings, \(city.streets.count) streets (\(city.streets.filter { $0.isMain }.count) main), \
    \(city.courtyards.count) courtyards, \(city.schoolGrounds.count) school grounds, \(city.districts.count) districts; \(cameras.count) cameras

    | step | time |
    |---|---|
    | import .osm.gz (gunzip, parse, project, derive courtyards) | \(f(importTime)) |
    | prepare engine (index walls, split streets and areas by district) | \(f(prepareTime)) |
    | full coverage, \(cameras.count) cameras (median of 5) | \(f(median(fullTimes))) |
    | report (sums) | \(f(reportTime)) |
    | one camera moved + report (median / max of 200) | \(f(median(moveTimes))) / \(f(moveTimes.max()!)) |
    | shapely reference, same scene | \(shapelyTime.map(f) ?? "not run (python3 + shapely missing)") |

    City-wide: main streets \(String(format: "%.1f", report.city.mainStreets.coveredPercent)) % of \
    \(Int(report.city.mainStreets.total)) m, courtyards \(String(format: "%.1f", report.city.courtyards.coveredPercent)) % of \
    \(Int(report.city.courtyards.total)) m², school grounds \(String(format: "%.1f", report.city.schoolGrounds.coveredPercent)) % of \
    \(Int(report.city.schoolGrounds.total)) m²
    """)

// Aula against shapely, per district and city-wide (covered percent).
func percent(_ any: Any?, _ key: String) -> String {
    guard let figures = any as? [String: Any], let m = figures[key] as? [String: Double], let total = m["total"],
        let covered = m["covered"], total > 0
    else { return "–" }
    return String(format: "%.2f", 100 * covered / total)
}
func ours(_ m: CoverageMeasure) -> String { m.total > 0 ? String(format: "%.2f", m.coveredPercent) : "–" }
let theirDistricts = (shapelyJSON["districts"] as? [[String: Any]]) ?? []
print("\n| area | main streets % (Aula / shapely) | courtyards % (Aula / shapely) |")
print("|---|---|---|")
for (i, d) in report.districts.enumerated() {
    let t = i < theirDistricts.count ? theirDistricts[i]["figures"] : nil
    print("| \(d.name) | \(ours(d.figures.mainStreets)) / \(percent(t, "mainStreets")) | \(ours(d.figures.courtyards)) / \(percent(t, "courtyards")) |")
}
print("| city | \(ours(report.city.mainStreets)) / \(percent(shapelyJSON["city"], "mainStreets")) | \(ours(report.city.courtyards)) / \(percent(shapelyJSON["city"], "courtyards")) |")
