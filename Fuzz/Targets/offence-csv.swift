// Fuzz target "offence-csv": OffenceCSVImporter (CSV parser, date and time formats, coordinates,
// address matching) on arbitrary text. The first input byte picks one of four column mappings:
//   0: ";", police reference, "dd.MM.yyyy HH:mm", latitude/longitude, type, status, footage
//   1: ",", separate date and time columns, one address column matched on a small map
//   2: tab, no header, ISO 8601 time, street and house number columns
//   3: ",", the first line is the date-time pattern itself (as a user's mapping file gives it),
//      then a CSV with columns t, x, y (local metres), type
// Never traps; an imported offence has a time and an id.
import City
@testable import Planning

private let city: CityModel = {
    func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Polygon {
        Polygon(ring: [Point(x: x0, y: y0), Point(x: x1, y: y0), Point(x: x1, y: y1), Point(x: x0, y: y1)])
    }
    return CityModel(
        projection: LocalProjection(origin: GeoCoordinate(latitude: 47.78, longitude: 67.71)),
        buildings: [Building(source: "b1", footprint: rect(0, 10, 40, 30), height: 10)],
        streets: [Street(source: "s1", name: "Abai Street", highwayClass: "primary", isMain: true,
                         line: [Point(x: -20, y: 0), Point(x: 120, y: 0)]),
                  Street(source: "s2", name: "Satpayev Avenue", highwayClass: "residential", isMain: false,
                         line: [Point(x: 50, y: 0), Point(x: 50, y: 60)])])
}()
private let gazetteer = AddressGazetteer(city: city, addresses: [
    .init(street: "Abai Street", houseNumber: "12", point: Point(x: 10, y: 5)),
    .init(street: "Satpayev Avenue", houseNumber: "3A", point: Point(x: 52, y: 30)),
])
private let mappings: [OffenceCSVMapping] = [
    OffenceCSVMapping(
        delimiter: ";", id: "Ref", time: .single(column: "Date", format: DateTimeFormat("dd.MM.yyyy HH:mm", utcOffsetMinutes: 300)),
        place: .coordinates(latitude: "Lat", longitude: "Lon"), type: "Offence",
        typeValues: ["Vol": "theft", "Ұрлық": "theft", "Кража": "theft"],
        status: "Status", statusValues: ["раскрыто": .solved], footage: "Video"),
    OffenceCSVMapping(
        time: .separate(date: "date", dateFormat: DateTimeFormat("yyyy-MM-dd"), time: "time", timeFormat: "HH:mm"),
        place: .address(column: "address"), type: "type"),
    OffenceCSVMapping(
        delimiter: "\t", hasHeader: false, time: .single(column: "1", format: .iso8601),
        place: .addressParts(street: "2", houseNumber: "3"), type: "4"),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var cursor = FuzzCursor(fuzzInput(data, size))
    let mode = Int((cursor.byte() ?? 0) % 4)
    var text = String(decoding: cursor.rest(), as: UTF8.self)
    let mapping: OffenceCSVMapping
    if mode < 3 {
        mapping = mappings[mode]
    } else {
        let firstLine = text.prefix { $0 != "\n" }
        text = String(text.dropFirst(firstLine.count + 1))
        mapping = OffenceCSVMapping(
            time: .single(column: "t", format: DateTimeFormat(String(firstLine), utcOffsetMinutes: -720)),
            place: .local(x: "x", y: "y"), type: "type")
    }
    let importer = OffenceCSVImporter(mapping: mapping, gazetteer: gazetteer)
    if let offences = try? importer.importOffences(text) {
        fuzzRequire(offences.allSatisfy { !$0.id.isEmpty }, "an offence without an id")
    }
    return 0
}
