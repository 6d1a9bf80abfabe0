import Catalog
import City
import Foundation
import Hummingbird
import Planning

extension CityRoutes {
    /// The signed-in user (every city route is behind ``AuthMiddleware``).
    static func user(_ context: Context) throws -> User {
        guard let user = (context as? any IdentifiedRequestContext)?.identity?.user else {
            throw ProblemDetails(status: .unauthorized, detail: "sign in first")
        }
        return user
    }

    func coverage(_ request: Request, context: Context) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let engine = try await service.engine(for: try Self.user(context)).engine
        var value = CityJSON.report(engine.report())
        value["cameras"] = .number(Double(engine.cameraIDs.count))
        value["areas"] = .array(engine.areaCoverage().map(CityJSON.area))
        value["computedMs"] = .num((clock.now - start).seconds * 1000, 10)
        return try Self.json(.object(value))
    }

    func coverageCameras(_ request: Request, context: Context) async throws -> Response {
        let (engine, names) = try await service.engine(for: try Self.user(context))
        let w = GeoJSONWriter(projection: engine.city.projection)
        let features: [GeoValue] = engine.cameraIDs.compactMap { id in
            guard let spec = engine.camera(id) else { return nil }
            return Self.cameraFeature(spec, view: engine.visibility(of: id), name: names[id], writer: w)
        }
        return try Self.json(GeoJSONWriter.collection(features))
    }

    static func overlap(_ a: BoundingBox, _ b: BoundingBox) -> Bool {
        a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY
    }

    static func cameraFeature(_ spec: CameraViewSpec, view: VisibilityPolygon?, name: String?, writer w: GeoJSONWriter) -> GeoValue {
        let origin = w.projection.unproject(spec.position.point(in: w.projection))
        let properties: [String: GeoValue] = [
            "id": .string(spec.id), "name": .optional(name), "heading": .num(spec.heading, 100),
            "fieldOfView": .num(spec.fieldOfView, 100), "range": .num(spec.range, 100),
            "lat": .number(origin.latitude), "lon": .number(origin.longitude),
            "visibleArea": .num(view?.polygon.area ?? 0, 10),
        ]
        guard let view, !view.polygon.isEmpty else {
            return ["type": "Feature", "geometry": .null, "properties": .object(properties)]
        }
        return w.area(view.polygon, properties)
    }

    func coverageStreets(_ request: Request, context: Context) async throws -> Response {
        let engine = try await service.engine(for: try Self.user(context)).engine
        let w = GeoJSONWriter(projection: engine.city.projection)
        let mainOnly = request.uri.queryParameters.get("main") == "true"
        let features = engine.streetCoverage().enumerated().compactMap { i, p -> GeoValue? in
            if mainOnly && !engine.city.streets[p.street].isMain { return nil }
            return CityJSON.piece(i, p, city: engine.city, writer: w)
        }
        return try Self.json(GeoJSONWriter.collection(features))
    }

    func coverageAt(_ request: Request, context: Context) async throws -> Response {
        var errors: [FieldError] = []
        func coordinate(_ key: String, _ limit: Double) -> Double? {
            guard let text = request.uri.queryParameters.get(key) else {
                errors.append(FieldError(field: key, message: "is required")); return nil
            }
            guard let v = Double(text), abs(v) <= limit else {
                errors.append(FieldError(field: key, message: "must be a number from -\(Int(limit)) to \(Int(limit))")); return nil
            }
            return v
        }
        let lat = coordinate("lat", 90), lon = coordinate("lon", 180)
        guard let lat, let lon, errors.isEmpty else { throw ProblemDetails.validation(errors) }
        let (engine, names) = try await service.engine(for: try Self.user(context))
        let p = engine.city.projection.project(GeoCoordinate(latitude: lat, longitude: lon))
        let district = engine.city.districts.first { $0.area.contains(p) }?.name
        let ids = engine.camerasSeeing(p)
        return try Self.json([
            "lat": .number(lat), "lon": .number(lon), "district": .optional(district),
            "cameras": .array(ids.map { ["id": .string($0), "name": .optional(names[$0])] }),
        ])
    }

    /// Recomputes coverage with one camera moved, turned or added, without saving anything.
    func preview(_ request: Request, context: Context) async throws -> Response {
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["cameraId", "location", "heading", "fieldOfView", "range", "mountingHeight"])
        var id: String?
        switch body.object["cameraId"] {
        case nil, .null?: id = nil
        case .number?: id = body.id("cameraId").map { String($0) }
        case .string(let s)? where s.utf8.count <= 40: id = s
        default: body.errors.append(FieldError(field: "cameraId", message: "must be a camera id"))
        }
        let location = body.location("location")
        let heading = body.number("heading"), fov = body.number("fieldOfView"), range = body.number("range")
        let height = body.number("mountingHeight")
        guard body.errors.isEmpty else { throw ProblemDetails.validation(CameraRoutes<Context>.unique(body.errors)) }
        let user = try Self.user(context)
        let (engine, _) = try await service.engine(for: user)
        var spec: CameraViewSpec
        if let id {
            guard let saved = engine.camera(id) else {
                throw ProblemDetails(status: .notFound, detail: "camera \(id) does not exist",
                                     errors: [FieldError(field: "cameraId", message: "is not a registered camera")])
            }
            spec = saved
        } else {
            guard location != nil else { throw ProblemDetails.validation([FieldError(field: "location", message: "is required for a new camera")]) }
            spec = CameraViewSpec(id: "preview", position: .local(Point(x: 0, y: 0)), heading: 0, fieldOfView: 90, range: 30)
        }
        if let location { spec.position = .geo(GeoCoordinate(latitude: location.lat, longitude: location.lon)) }
        if let heading { spec.heading = heading }
        if let fov { spec.fieldOfView = fov }
        if let range { spec.range = range }
        if let height { spec.mountingHeight = height }
        var errors: [FieldError] = []
        if !(0..<360).contains(spec.heading) { errors.append(FieldError(field: "heading", message: "must be in degrees from 0 (north) up to but not including 360")) }
        if !(spec.fieldOfView > 0 && spec.fieldOfView <= 360) { errors.append(FieldError(field: "fieldOfView", message: "must be more than 0 and at most 360 degrees")) }
        if !(spec.range > 0 && spec.range <= 2000) { errors.append(FieldError(field: "range", message: "must be more than 0 and at most 2000 metres")) }
        if !(spec.mountingHeight >= 0 && spec.mountingHeight <= 200) { errors.append(FieldError(field: "mountingHeight", message: "must be from 0 to 200 metres")) }
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }

        let result = try await service.preview(spec)
        let names = await service.cameraNames
        // Cameras the user may not see leave the figures, as in every other coverage answer.
        var copy = result.engine
        for hidden in try await service.hiddenCameras(for: user) where hidden != spec.id { _ = copy.removeCamera(hidden) }
        let w = GeoJSONWriter(projection: copy.city.projection)
        // Only the street pieces under the old or the new view can have changed.
        let boxes = result.touched
        let pieces = copy.streetCoverage().enumerated().compactMap { i, p -> GeoValue? in
            let box = BoundingBox(points: [p.from, p.to])
            guard boxes.contains(where: { Self.overlap($0, box) }) else { return nil }
            return CityJSON.piece(i, p, city: copy.city, writer: w)
        }
        var value = CityJSON.report(copy.report())
        value["saved"] = false
        value["cameraId"] = .string(spec.id)
        value["camera"] = Self.cameraFeature(spec, view: result.view, name: names[spec.id], writer: w)
        value["streets"] = GeoJSONWriter.collection(pieces)
        value["areas"] = .array(copy.areaCoverage().map(CityJSON.area))
        value["computedMs"] = .num(result.seconds * 1000, 100)
        return try Self.json(.object(value))
    }
}
