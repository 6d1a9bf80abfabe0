import Randomness

/// Deterministic camera layouts for demos, benchmarks and the reference comparison: the same seed
/// gives the same cameras on every machine.
public enum SampleCameras {
    /// `count` cameras on a city: half on the sides of streets looking along them, half on building
    /// walls looking away from them. None stands inside a building. Varied FOV (including some 360°
    /// domes) and range.
    public static func generate(for city: CityModel, count: Int, seed: UInt64) -> [CameraViewSpec] {
        var rng = SeededRandom(seed: seed)
        let obstacles = ObstacleIndex(buildings: city.buildings)
        let segments = city.streets.flatMap { s in zip(s.line, s.line.dropFirst()).filter { $0.0.distance(to: $0.1) > 2 } }
        let walls = obstacles.walls.filter { $0.0.distance(to: $0.1) > 3 }
        var out: [CameraViewSpec] = []
        var attempts = 0
        while out.count < count, attempts < count * 50, !(segments.isEmpty && walls.isEmpty) {
            attempts += 1
            let onStreet = walls.isEmpty || (!segments.isEmpty && out.count % 2 == 0)
            let position: Point
            var heading: Double
            if onStreet {
                let (a, b) = segments[rng.below(segments.count)]
                let d = b - a
                let along = a + d * rng.unit()
                let normal = Point(x: -d.y, y: d.x) * (1 / d.length)
                let side: Double = rng.unit() < 0.5 ? -1 : 1
                position = along + normal * (side * (3 + 4 * rng.unit()))
                heading = d.bearingDegrees + (rng.unit() < 0.5 ? 0 : 180) + (rng.unit() - 0.5) * 60
            } else {
                let (a, b) = walls[rng.below(walls.count)]
                let d = b - a
                let mid = a + d * (0.2 + 0.6 * rng.unit())
                let normal = Point(x: -d.y, y: d.x) * (1 / d.length)
                // The wall's outside is whichever side is not inside a building.
                var out1 = mid + normal * 1.5
                var facing = normal
                if obstacles.isInsideBuilding(out1) {
                    out1 = mid - normal * 1.5
                    facing = normal * -1
                }
                position = out1
                heading = facing.bearingDegrees + (rng.unit() - 0.5) * 90
            }
            guard !obstacles.isInsideBuilding(position) else { continue }
            heading = (heading.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
            let dome = rng.unit() < 0.1
            let fov = dome ? 360 : 50 + 70 * rng.unit()
            let range = 20 + 40 * rng.unit()
            out.append(CameraViewSpec(id: "cam-\(out.count + 1)", position: .local(position), heading: heading,
                                      fieldOfView: fov, range: range, mountingHeight: 3 + 3 * rng.unit()))
        }
        return out
    }
}

