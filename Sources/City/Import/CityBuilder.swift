import Foundation

/// Turns raw features into a ``CityModel``: classifies them by their tags (the same rules for OSM
/// and GeoJSON), projects them to metres and derives enclosed courtyards.
struct CityBuilder {
    let options: ImportOptions

    /// `highway` values that are points or areas in OSM, never street centrelines.
    static let nonStreetHighways: Set<String> = [
        "street_lamp", "bus_stop", "crossing", "traffic_signals", "elevator", "platform", "proposed",
        "construction", "rest_area", "services", "turning_circle", "turning_loop", "mini_roundabout",
        "stop", "give_way", "motorway_junction", "speed_camera", "milestone", "emergency_bay",
    ]

    /// Whether an area with these tags is wanted at all; relations are assembled only then.
    func wantsArea(_ tags: [String: String]) -> Bool {
        isBuilding(tags) || schoolKind(tags) != nil || isCourtyard(tags) || isDistrict(tags)
    }

    func isBuilding(_ tags: [String: String]) -> Bool {
        if let k = tags["aula:kind"] { return k == "building" }
        guard let b = tags["building"] else { return false }
        return b != "no"
    }

    func schoolKind(_ tags: [String: String]) -> SchoolGround.Kind? {
        if let k = tags["aula:kind"] { return SchoolGround.Kind(rawValue: k) }
        return tags["amenity"].flatMap(SchoolGround.Kind.init(rawValue:))
    }

    func isCourtyard(_ tags: [String: String]) -> Bool {
        if let k = tags["aula:kind"] { return k == "courtyard" }
        return options.courtyardTags.contains { $0.matches(tags) }
    }

    func isDistrict(_ tags: [String: String]) -> Bool {
        if let k = tags["aula:kind"] { return k == "district" }
        if tags["boundary"] == "administrative", let level = tags["admin_level"].flatMap({ Int($0) }),
            level >= options.minimumDistrictAdminLevel
        {
            return true
        }
        return tags["place"].map(options.districtPlaces.contains) ?? false
    }

    func streetClass(_ tags: [String: String]) -> String? {
        if let k = tags["aula:kind"] {
            guard k == "street" || k == "main street" else { return nil }
            return tags["highway"] ?? (k == "main street" ? "primary" : "street")
        }
        guard let h = tags["highway"], !CityBuilder.nonStreetHighways.contains(h), tags["area"] != "yes"
        else { return nil }
        return h
    }

    func isLamp(_ tags: [String: String]) -> Bool {
        if let k = tags["aula:kind"] { return k == "lamp" }
        return tags["highway"] == "street_lamp"
    }

    /// Height in metres from `height` ("12", "12 m", "12.5"), else levels × metresPerLevel.
    func height(_ tags: [String: String]) -> Double {
        if let h = tags["height"], let v = Double(h.replacingOccurrences(of: "m", with: "").trimmed), v > 0 {
            return v
        }
        if let l = tags["building:levels"], let v = Double(l.trimmed), v > 0 { return v * options.metresPerLevel }
        return options.defaultBuildingHeight
    }

    func build(_ features: [RawFeature], warnings initialWarnings: [String]) throws -> CityModel {
        var warnings = initialWarnings
        // Centre on the built city, not on the far ends of boundaries and coastlines an extract drags in.
        let built = features.filter { isBuilding($0.tags) || streetClass($0.tags) != nil }
        let origin = options.projectionOrigin ?? CityBuilder.centre(of: built.isEmpty ? features : built)
        let projection = LocalProjection(origin: origin)
        var city = CityModel(projection: projection)

        for f in features {
            let tags = f.tags
            switch f.geometry {
            case .point(let g):
                if isLamp(tags) {
                    let position = projection.project(g)
                    try Self.checkExtent([position], f.source)
                    city.streetLights.append(StreetLight(source: f.source, position: position))
                }
            case .line(let coords):
                let pts = coords.map(projection.project)
                if let cls = streetClass(tags) {
                    try Self.checkExtent(pts, f.source)
                    guard pts.count >= 2 else { throw ImportError(element: f.source, reason: "street has fewer than 2 nodes") }
                    city.streets.append(
                        Street(source: f.source, name: tags["name"], highwayClass: cls,
                               isMain: options.mainStreetClasses.contains(cls) || tags["aula:kind"] == "main street",
                               line: pts))
                }
                if wantsArea(tags) {
                    guard coords.count >= 4, coords.first == coords.last else {
                        // A broken outline in OSM itself (real extracts have them): leave the
                        // building out and say so, rather than refuse the whole city.
                        if isBuilding(tags) {
                            let reason = coords.first == coords.last ? "building outline has fewer than 3 distinct nodes" : "building outline is not closed"
                            warnings.append(ImportWarning.skipped(f.source, reason))
                        } else if streetClass(tags) == nil {
                            // A district or school drawn as an open line is only a label.
                            warnings.append(ImportWarning.skipped(f.source, "open way tagged as an area"))
                        }
                        continue
                    }
                    try addArea(Polygon(ring: pts), f, to: &city, warnings: &warnings)
                }
            case .area(let rings):
                try addArea(Polygon(rings: rings.map { $0.map(projection.project) }), f, to: &city, warnings: &warnings)
            }
        }
        if options.deriveEnclosedCourtyards {
            city.courtyards += CourtyardDeriver(
                minimumArea: options.minimumCourtyardArea, maximumArea: options.maximumCourtyardArea
            ).courtyards(between: city.buildings)
        }
        city.warnings = warnings
        return city
    }

    private func addArea(_ polygon: Polygon, _ f: RawFeature, to city: inout CityModel, warnings: inout [String]) throws {
        let tags = f.tags
        guard !polygon.isEmpty else {
            warnings.append(ImportWarning.skipped(f.source, "area has no ring of 3 or more points"))
            return
        }
        if wantsArea(tags) { try Self.checkExtent(polygon.rings.joined(), f.source) }
        if isBuilding(tags) {
            let box = polygon.boundingBox
            let span = max(box.maxX - box.minX, box.maxY - box.minY)
            guard span <= Self.maximumBuildingSpan else {
                throw ImportError(element: f.source, reason: "building outline spans \(Int(span.rounded())) m; no building is wider than \(Int(Self.maximumBuildingSpan)) m")
            }
        }
        if isBuilding(tags) { city.buildings.append(Building(source: f.source, footprint: polygon, height: height(tags))) }
        if let kind = schoolKind(tags) {
            city.schoolGrounds.append(SchoolGround(source: f.source, name: tags["name"], kind: kind, area: polygon))
        }
        if isCourtyard(tags) { city.courtyards.append(Courtyard(source: f.source, origin: .tagged, area: polygon)) }
        if isDistrict(tags) { city.districts.append(District(source: f.source, name: tags["name"] ?? f.source, area: polygon)) }
    }

    /// How far from the city's centre (the projection origin) a feature may lie: a city, not a
    /// country. Farther away a coordinate is a mistake or an attack, and the grids that index
    /// buildings and yards in cells of 50–100 m would need millions of cells for that one feature
    /// (a single stray node once made an import take gigabytes; Fuzz/, docs/security.md).
    static let maximumDistanceFromCentre = 100_000.0
    /// The widest building outline accepted; the longest real buildings are under 2 km.
    static let maximumBuildingSpan = 3_000.0

    /// Throws when a point of the feature lies farther than ``maximumDistanceFromCentre``.
    static func checkExtent(_ points: some Sequence<Point>, _ source: String) throws(ImportError) {
        for p in points where max(abs(p.x), abs(p.y)) > maximumDistanceFromCentre {
            let kilometres = Int((p.x * p.x + p.y * p.y).squareRoot() / 1000)
            throw ImportError(element: source, reason: "lies \(kilometres) km from the city's centre; an import covers at most \(Int(maximumDistanceFromCentre / 1000)) km around it")
        }
    }

    /// Centre of the extent of all coordinates, the natural origin for a city-sized projection.
    static func centre(of features: [RawFeature]) -> GeoCoordinate {
        var minLat = Double.infinity, maxLat = -Double.infinity, minLon = Double.infinity, maxLon = -Double.infinity
        func add(_ g: GeoCoordinate) {
            minLat = min(minLat, g.latitude); maxLat = max(maxLat, g.latitude)
            minLon = min(minLon, g.longitude); maxLon = max(maxLon, g.longitude)
        }
        for f in features {
            switch f.geometry {
            case .point(let g): add(g)
            case .line(let l): l.forEach(add)
            case .area(let rings): rings.joined().forEach(add)
            }
        }
        guard minLat.isFinite else { return GeoCoordinate(latitude: 0, longitude: 0) }
        return GeoCoordinate(latitude: (minLat + maxLat) / 2, longitude: (minLon + maxLon) / 2)
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
