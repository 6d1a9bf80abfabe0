// Fuzz target "geojson": GeoJSONImporter on arbitrary bytes, both as a city and as user-drawn
// districts. Never traps.
@testable import City

private let projection = LocalProjection(origin: GeoCoordinate(latitude: 47.78, longitude: 67.71))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    _ = try? GeoJSONImporter.importCity(from: bytes)
    _ = try? GeoJSONImporter.districts(from: bytes, projection: projection)
    return 0
}
