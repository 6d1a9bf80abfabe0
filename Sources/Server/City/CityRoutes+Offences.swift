import Catalog
import City
import Foundation
import Hummingbird
import Planning

extension CityRoutes {
    static func offenceJSON(_ o: Offence, projection: LocalProjection?) -> GeoValue {
        var value: [String: GeoValue] = [
            "id": .string(o.id), "time": .string(CivilTime.iso8601(o.time)), "type": .string(o.type),
            "status": .string(o.status.rawValue), "footageLinks": .array(o.footageLinks.map(GeoValue.string)),
            "address": .optional(o.address), "synthetic": .bool(o.synthetic),
        ]
        switch o.location {
        case .geo(let g):
            value["lat"] = .number(g.latitude)
            value["lon"] = .number(g.longitude)
        case .local(let p):
            if let projection {
                let g = projection.unproject(p)
                value["lat"] = .num(g.latitude, 1e7)
                value["lon"] = .num(g.longitude, 1e7)
            }
        }
        return .object(value)
    }

    static func areaJSON(_ a: StudyArea, writer: GeoJSONWriter) -> GeoValue {
        ["name": .string(a.name), "ring": (a.area.rings.first.map { writer.line($0) } ?? [])]
    }

    /// `from`, `to` (exclusive) and `types` (comma-separated) from the query.
    static func filter(_ request: Request) throws -> OffenceFilter {
        var errors: [FieldError] = []
        func time(_ key: String) -> Int64? {
            guard let text = request.uri.queryParameters.get(key), !text.isEmpty else { return nil }
            guard let t = RequestTime.parse(text) else {
                errors.append(FieldError(field: key, message: "must be a date (2025-01-31), a month (2025-01) or an RFC 3339 time"))
                return nil
            }
            return t
        }
        let from = time("from"), until = time("to")
        var types: Set<String>?
        if let text = request.uri.queryParameters.get("types"), !text.isEmpty {
            let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let unknown = list.filter { !OffenceTypeList.standard.contains($0) }
            if !unknown.isEmpty {
                errors.append(FieldError(field: "types", message: "unknown type \(unknown.joined(separator: ", ")); known: \(OffenceTypeList.standard.types.joined(separator: ", "))"))
            }
            types = Set(list)
        }
        if let from, let until, until <= from { errors.append(FieldError(field: "to", message: "must be later than from")) }
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        return OffenceFilter(from: from, until: until, types: types)
    }

    func listOffences(_ request: Request, context: Context) async throws -> Response {
        let filter = try Self.filter(request)
        let register = try await service.offences()
        let projection = try? await service.currentCity().model.projection
        let matching = register.offences.filtered(filter).sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        var value: [String: GeoValue] = [
            "count": .number(Double(matching.count)), "total": .number(Double(register.offences.count)),
            "syntheticCount": .number(Double(matching.filter(\.synthetic).count)),
            "types": .array(OffenceTypeList.standard.types.map(GeoValue.string)),
            "offences": .array(matching.map { Self.offenceJSON($0, projection: projection) }),
        ]
        if let s = register.scenario, let projection {
            let w = GeoJSONWriter(projection: projection)
            value["scenario"] = ["label": .string(s.label), "start": .string(CivilTime.iso8601(s.pilotStart)),
                                 "pilot": Self.areaJSON(s.pilot, writer: w), "controls": .array(s.controls.map { Self.areaJSON($0, writer: w) })]
        }
        return try Self.json(.object(value))
    }

    /// Registers one offence: `time`, `location` and `type` required; `id`, `status`, `address`,
    /// `footageLinks` optional.
    func addOffence(_ request: Request, context: Context) async throws -> Response {
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["id", "time", "location", "type", "status", "address", "footageLinks"])
        for key in ["time", "location", "type"] where !body.has(key) { body.errors.append(FieldError(field: key, message: "is required")) }
        var time: Int64?
        if case .some(.some(let text)) = body.string("time") {
            time = RequestTime.parse(text)
            if time == nil { body.errors.append(FieldError(field: "time", message: "must be an RFC 3339 time such as 2025-03-04T21:15:00Z")) }
        }
        let location = body.location("location")
        // An offence is recorded in the imported city (within 2 km of it), or it is a typo.
        if let location, let city = try? await service.currentCity().model {
            let p = city.projection.project(GeoCoordinate(latitude: location.lat, longitude: location.lon))
            let box = city.extent.grown(by: 2000)
            if !(p.x >= box.minX && p.x <= box.maxX && p.y >= box.minY && p.y <= box.maxY) {
                body.fail("location", "is outside the imported city (more than 2 km from its streets and buildings)")
            }
        }
        var type: String?
        if case .some(.some(let t)) = body.string("type") {
            type = t.lowercased()
            if !OffenceTypeList.standard.contains(t.lowercased()) {
                body.errors.append(FieldError(field: "type", message: "must be one of: \(OffenceTypeList.standard.types.joined(separator: ", "))"))
            }
        }
        var status = OffenceStatus.registered
        if case .some(.some(let s)) = body.string("status") {
            if let v = OffenceStatus(rawValue: s) { status = v } else {
                body.errors.append(FieldError(field: "status", message: "must be registered or solved"))
            }
        }
        var id: String?
        if case .some(.some(let s)) = body.string("id") {
            if s.isEmpty || s.count > 100 { body.errors.append(FieldError(field: "id", message: "must be 1–100 characters")) }
            if s.hasPrefix("synthetic-") { body.errors.append(FieldError(field: "id", message: "synthetic- ids are reserved for demo data")) }
            id = s
        }
        var address: String?
        if case .some(let a) = body.string("address", allowNull: true, maxLength: 500) { address = a }
        let links = body.strings("footageLinks", maxCount: 50, maxLength: 2000) ?? []
        guard body.errors.isEmpty, let time, let location, let type else {
            throw ProblemDetails.validation(CameraRoutes<Context>.unique(body.errors))
        }
        let offence = Offence(id: id ?? "api-\(UUID().uuidString.prefix(8).lowercased())", time: time,
                              location: .geo(GeoCoordinate(latitude: location.lat, longitude: location.lon)),
                              type: type, status: status, footageLinks: links, address: address)
        try await service.add(offence)
        return try Self.json(Self.offenceJSON(offence, projection: nil), status: .created)
    }
}
