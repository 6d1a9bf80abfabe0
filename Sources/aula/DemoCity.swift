import Catalog
import City
import CityServices
import Foundation
import Planning

/// The demo on a real map (issue 20): Monaco's extract is imported once, the labelled synthetic
/// offences and their pilot are generated on it, and the simulated cameras stand where a
/// "Safe Courtyard" pilot would put them: in the courtyards nearest the pilot area, looking across
/// them from a corner, and along the main streets beside it, looking along the street.
enum DemoCity {
    static let district = "Monaco (demo)"

    /// Where one simulated camera goes.
    struct Placement {
        var name: String
        var position: Point
        var heading: Double
        var range: Double
        var site: SiteKind
        var address: String
    }

    /// What the demo stands on: the city and its pilot's centre, in local metres.
    struct Prepared {
        var city: CityModel
        var pilotCentre: Point
        var placements: [Placement]
        var imported: Bool
    }

    /// The extract to import: `file` as given, else beside the repository this binary was built
    /// from (the README's command runs from the repository; a test may run from anywhere).
    static func locate(_ file: String) -> String? {
        if FileManager.default.fileExists(atPath: file) { return file }
        guard !file.hasPrefix("/") else { return nil }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let beside = repository.appendingPathComponent(file).standardizedFileURL.path
        return FileManager.default.fileExists(atPath: beside) ? beside : nil
    }

    /// Imports the city and the synthetic register when there are none yet (what a user imported
    /// stays), and places `cameras` cameras. Nil when there is no city and no extract to import.
    static func prepare(file: String, store: CityStore, cameras: Int) async throws -> Prepared? {
        var imported = false
        if try await store.loadCity() == nil {
            guard let path = locate(file) else { return nil }
            try await CityImport.importCity(file: path, name: district, into: store)
            imported = true
        }
        guard let stored = try await store.loadCity() else { return nil }
        if try await store.loadOffences().scenario == nil {
            try await CityImport.generateSyntheticOffences(into: store)
        }
        let register = try await store.loadOffences()
        let city = stored.model
        let centre = centroid(register.scenario?.pilot.area ?? Polygon(ring: []))
            ?? Point(x: (city.extent.minX + city.extent.maxX) / 2, y: (city.extent.minY + city.extent.maxY) / 2)
        return Prepared(city: city, pilotCentre: centre, placements: place(cameras, in: city, near: centre), imported: imported)
    }

    // MARK: Placement

    /// Half the cameras (rounded up) in courtyards, the rest along main streets, all as near the
    /// centre as the map allows and at least 40 m apart.
    static func place(_ count: Int, in city: CityModel, near centre: Point) -> [Placement] {
        var placed: [Placement] = []
        func farEnough(_ p: Point) -> Bool { placed.allSatisfy { $0.position.distance(to: p) >= 40 } }
        let courtyards = city.courtyards
            .filter { $0.area.area >= 150 && $0.area.area <= 6000 }
            .compactMap { yard in centroid(yard.area).map { (yard: yard, centre: $0) } }
            .sorted { $0.centre.distance(to: centre) < $1.centre.distance(to: centre) }
        for (yard, middle) in courtyards where placed.count < (count + 1) / 2 {
            guard let view = cornerView(of: yard.area, middle: middle), farEnough(view.position) else { continue }
            let street = nearestStreetName(to: middle, in: city)
            placed.append(Placement(name: "Courtyard \(placed.count + 1)" + (street.map { " off \($0)" } ?? ""),
                                    position: view.position, heading: view.heading, range: view.range, site: .courtyard,
                                    address: "courtyard" + (street.map { " off \($0)" } ?? "")))
        }
        let mains = city.streets.filter(\.isMain).isEmpty ? city.streets : city.streets.filter(\.isMain)
        let streets = mains.compactMap { street -> (street: Street, at: Point, heading: Double, distance: Double)? in
            guard let nearest = nearestPoint(on: street.line, to: centre) else { return nil }
            return (street, nearest.point, nearest.heading, nearest.point.distance(to: centre))
        }.sorted { $0.distance < $1.distance }
        var streetsUsed = Set<String>()
        for candidate in streets where placed.count < count {
            let key = candidate.street.name ?? candidate.street.source
            guard !streetsUsed.contains(key), farEnough(candidate.at),
                  !city.buildings.contains(where: { $0.footprint.contains(candidate.at) }) else { continue }
            streetsUsed.insert(key)
            let name = candidate.street.name ?? "main street"
            placed.append(Placement(name: "Street \(placed.count + 1): \(name)", position: candidate.at, heading: candidate.heading,
                                    range: 45, site: .street, address: name))
        }
        return placed
    }

    /// A camera on a corner of the courtyard's outline, a step inside, looking at its middle: the
    /// corner farthest from the middle that has its step inside the yard.
    static func cornerView(of area: Polygon, middle: Point) -> (position: Point, heading: Double, range: Double)? {
        guard let ring = area.rings.first, area.contains(middle) else { return nil }
        let corners = ring.sorted { $0.distance(to: middle) > $1.distance(to: middle) }
        for corner in corners {
            let reach = corner.distance(to: middle)
            guard reach > 4 else { continue }
            let step = min(2.0, reach / 4) / reach
            let position = Point(x: corner.x + (middle.x - corner.x) * step, y: corner.y + (middle.y - corner.y) * step)
            guard area.contains(position) else { continue }
            return (position, bearing(from: position, to: middle), min(45, max(20, reach * 2)))
        }
        return nil
    }

    /// The nearest point of a line and the bearing of the line there (towards its longer side).
    static func nearestPoint(on line: [Point], to p: Point) -> (point: Point, heading: Double)? {
        guard line.count >= 2 else { return nil }
        var best: (point: Point, heading: Double, distance: Double)?
        let total = zip(line, line.dropFirst()).reduce(0) { $0 + $1.0.distance(to: $1.1) }
        var walked = 0.0
        for (a, b) in zip(line, line.dropFirst()) {
            let dx = b.x - a.x, dy = b.y - a.y
            let length2 = dx * dx + dy * dy
            let t = length2 > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) : 0
            let q = Point(x: a.x + t * dx, y: a.y + t * dy)
            let d = q.distance(to: p)
            if best == nil || d < best!.distance {
                let along = walked + t * length2.squareRoot()
                // Look along the street towards the longer part, where there is more of it to see.
                let forward = along <= total / 2
                best = (q, forward ? bearing(from: a, to: b) : bearing(from: b, to: a), d)
            }
            walked += length2.squareRoot()
        }
        return best.map { ($0.point, $0.heading) }
    }

    static func nearestStreetName(to p: Point, in city: CityModel) -> String? {
        city.streets.compactMap { street -> (String, Double)? in
            guard let name = street.name, let q = nearestPoint(on: street.line, to: p) else { return nil }
            return (name, q.point.distance(to: p))
        }.min { $0.1 < $1.1 }?.0
    }

    /// The area-weighted centroid of the outer ring.
    static func centroid(_ polygon: Polygon) -> Point? {
        guard let ring = polygon.rings.first, ring.count >= 3 else { return nil }
        var a = 0.0, cx = 0.0, cy = 0.0
        for (p, q) in zip(ring, ring.dropFirst() + [ring[0]]) {
            let w = p.x * q.y - q.x * p.y
            a += w
            cx += (p.x + q.x) * w
            cy += (p.y + q.y) * w
        }
        guard abs(a) > 1e-9 else { return nil }
        return Point(x: cx / (3 * a), y: cy / (3 * a))
    }

    /// Degrees clockwise from north (local y is north, x is east).
    static func bearing(from a: Point, to b: Point) -> Double {
        let degrees = atan2(b.x - a.x, b.y - a.y) * 180 / .pi
        return degrees < 0 ? degrees + 360 : degrees
    }
}
