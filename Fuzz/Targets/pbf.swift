// Fuzz target "pbf": OSM PBF (`.osm.pbf`) on arbitrary bytes: block framing, BlobHeader and Blob,
// bounded zlib inflation, HeaderBlock, PrimitiveBlock (string table, granularity, offsets, dense
// and plain nodes, ways, relations, all delta-coded), then relation assembly and the city builder.
// Never traps; memory stays bounded (at most 256 MiB inflated per input, 32 MiB per block).
@testable import City

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let doc = try? PBFReader.read(bytes, maximumInflatedSize: 256 << 20) else { return 0 }
    for (id, g) in doc.nodes { fuzzRequire(g.isValid, "node \(id) read with invalid coordinates \(g)") }
    let builder = CityBuilder(options: ImportOptions())
    var warnings: [String] = []
    if let features = try? OSMImporter.features(of: doc, builder: builder, warnings: &warnings) {
        _ = try? builder.build(features, warnings: warnings)
    }
    return 0
}
