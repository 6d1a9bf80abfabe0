// Fuzz target "osm": OSMImporter.importCity on arbitrary bytes (an uploaded .osm or .osm.gz):
// the XML scanner, the OSM document, relation assembly and the city builder. Never traps.
@testable import City

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? OSMImporter.importCity(from: fuzzInput(data, size))
    return 0
}
