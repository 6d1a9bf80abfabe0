import Catalog
import City
import Foundation
import Hummingbird
import Planning

/// `/api/city`, `/api/coverage…`, `/api/offences`, `/api/hotspots`, `/api/plan`,
/// `/api/evaluation`: see docs/city-api.md.
struct CityRoutes<Context: RequestContext>: Sendable {
    let service: CityService
    /// Plans, hot spots and evaluations run there, off the cooperative pool.
    let heavy: HeavyWork

    func register(on routes: Routes<Context>) {
        routes.get("api/city", .roles(.operator, .analyst), "The imported city: name, extent, counts", use: summary)
        routes.get("api/city/geometry", .roles(.operator, .analyst), "The city's buildings, streets and courtyards (GeoJSON)", use: geometry)
        routes.get("api/coverage", .roles(.operator, .analyst), "Coverage of streets and courtyards, per district", use: coverage)
        routes.get("api/coverage/cameras", .roles(.operator, .analyst), "Each camera's view polygon and what it covers", use: coverageCameras)
        routes.get("api/coverage/streets", .roles(.operator, .analyst), APIDoc("Street segments seen and unseen", query: ["main": .string]), use: coverageStreets)
        routes.get("api/coverage/at", .roles(.operator, .analyst), APIDoc("Which cameras see a point", query: ["lat": .number, "lon": .number]), use: coverageAt)
        routes.post("api/coverage/preview", .roles(.analyst), APIDoc("Coverage if a camera were placed or turned so (nothing is saved)", body: .object(["cameraId": .integer, "location": .location, "heading": .number, "fieldOfView": .number, "range": .number, "mountingHeight": .number])), use: preview)
        routes.get("api/offences", .roles(.analyst), APIDoc("The offence register", query: ["from": .time, "to": .time, "types": .string, "start": .time, "end": .time]), use: listOffences)
        routes.post("api/offences", .roles(.analyst, audit: "offence.create"), APIDoc("Register an offence", body: .object(["time": .time, "location": .location, "type": .string, "status": .string, "address": .string, "footageLinks": .array(.string)])), use: addOffence)
        routes.get("api/hotspots", .roles(.analyst), APIDoc("Hot spots of offences (Getis-Ord Gi*)", query: ["from": .time, "to": .time, "types": .string, "cell": .number, "bandwidth": .number]), use: hotspots)
        routes.post("api/plan", .roles(.analyst), APIDoc("Where the next cameras go, for a number of cameras or a budget", body: .object(["cameras": .integer, "budget": .number, "fieldOfView": .number, "range": .number, "headings": .integer, "sites": .integer, "excludeCovered": .boolean, "title": .string])), use: plan)
        routes.get("api/plan/report", .roles(.analyst), APIDoc("The last plan as a printable report", answer: .file("text/plain")), use: planReport)
        routes.post("api/evaluation", .roles(.analyst), APIDoc("Before/after evaluation of a pilot area against control areas", body: .object(["pilot": .object(["name": .string, "ring": .array(.location)]), "start": .string, "suggestControls": .integer, "beforeMonths": .integer, "afterMonths": .integer, "bufferWidth": .number, "types": .array(.string)])), use: evaluation)
    }

    static func json(_ value: GeoValue, status: HTTPResponse.Status = .ok) throws -> Response {
        data(try CityJSON.encode(value), status: status)
    }

    static func data(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: City

    func summary(_ request: Request, context: Context) async throws -> Response {
        let stored = try await service.currentCity()
        let city = stored.model
        let writer = GeoJSONWriter(projection: city.projection)
        let box = city.extent
        let sw = city.projection.unproject(Point(x: box.minX, y: box.minY))
        let ne = city.projection.unproject(Point(x: box.maxX, y: box.maxY))
        let main = city.streets.filter(\.isMain)
        let value: GeoValue = [
            "name": .string(stored.name), "source": .string(stored.source),
            "importedAt": .string(CivilTime.iso8601(stored.importedAt)),
            "counts": [
                "buildings": .number(Double(city.buildings.count)), "streets": .number(Double(city.streets.count)),
                "mainStreets": .number(Double(main.count)), "courtyards": .number(Double(city.courtyards.count)),
                "taggedCourtyards": .number(Double(city.courtyards.filter { $0.origin == .tagged }.count)),
                "derivedCourtyards": .number(Double(city.courtyards.filter { $0.origin != .tagged }.count)),
                "schoolGrounds": .number(Double(city.schoolGrounds.count)), "streetLights": .number(Double(city.streetLights.count)),
                "districts": .number(Double(city.districts.count)),
            ],
            "lengths": ["mainStreets": .num(main.reduce(0) { $0 + $1.length }, 10),
                        "otherStreets": .num(city.streets.filter { !$0.isMain }.reduce(0) { $0 + $1.length }, 10)],
            "districts": .array(city.districts.map { ["name": .string($0.name), "source": .string($0.source), "area": .num($0.area.area, 1)] }),
            "projection": ["origin": ["lat": .number(city.projection.origin.latitude), "lon": .number(city.projection.origin.longitude)]],
            "bbox": .array([.number(sw.longitude), .number(sw.latitude), .number(ne.longitude), .number(ne.latitude)]),
            "centre": writer.position(Point(x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2)),
            "warnings": .array(city.warnings.map(GeoValue.string)),
            "attribution": "© OpenStreetMap contributors",
        ]
        return try Self.json(value)
    }

    /// Everything the map draws, in WGS84, built once per imported city.
    func geometry(_ request: Request, context: Context) async throws -> Response {
        let stored = try await service.currentCity()
        if let cached = await service.cachedGeometry() { return Self.data(cached) }
        let city = stored.model
        let w = GeoJSONWriter(projection: city.projection)
        var features: [GeoValue] = []
        for (i, d) in city.districts.enumerated() {
            features.append(w.area(d.area, ["kind": "district", "index": .number(Double(i)), "name": .string(d.name)]))
        }
        for (i, c) in city.courtyards.enumerated() {
            features.append(w.area(c.area, ["kind": "courtyard", "index": .number(Double(i)),
                                                                     "origin": .string(c.origin.rawValue), "area": .num(c.area.area, 10)]))
        }
        for (i, s) in city.schoolGrounds.enumerated() {
            features.append(w.area(s.area, ["kind": "schoolGround", "index": .number(Double(i)),
                                                                     "school": .string(s.kind.rawValue), "name": .optional(s.name)]))
        }
        for (i, b) in city.buildings.enumerated() {
            features.append(w.area(b.footprint, ["kind": "building", "index": .number(Double(i)),
                                                                          "height": .num(b.height, 10)]))
        }
        for (i, s) in city.streets.enumerated() {
            features.append(w.feature("LineString", w.line(s.line), ["kind": "street", "index": .number(Double(i)), "class": .string(s.highwayClass),
                                                                     "isMain": .bool(s.isMain), "name": .optional(s.name)]))
        }
        for (i, l) in city.streetLights.enumerated() {
            features.append(w.feature("Point", w.position(l.position), ["kind": "lamp", "index": .number(Double(i))]))
        }
        let data = try CityJSON.encode(GeoJSONWriter.collection(features, extra: ["name": .string(stored.name),
                                                                                   "attribution": "© OpenStreetMap contributors"]))
        await service.setGeometry(data)
        return Self.data(data)
    }
}
