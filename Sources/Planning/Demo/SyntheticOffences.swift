import City
import Foundation
import Randomness

/// Realistic, clearly labelled synthetic offences for demos: every record has `synthetic == true`
/// and an id starting `synthetic-`. Offences cluster around a few hot spots on main streets,
/// mostly at night, over a background along all streets; in the pilot area they drop after the
/// pilot's start while the control areas stay flat. Seeded: the same options give the same data.
public enum SyntheticOffences {
    public struct Options: Sendable, Hashable, Codable {
        public var seed: UInt64 = 2025
        /// First month (months since January 1970; default January 2024).
        public var firstMonth = (2024 - 1970) * 12
        public var months = 24
        /// Pilot start, months after `firstMonth`.
        public var pilotStartOffset = 12
        public var hotspotCount = 5
        /// Expected offences per hot spot per month.
        public var hotspotRate: Double = 14
        /// Expected background offences per month over the whole city.
        public var backgroundRate: Double = 60
        /// Hot-spot spread (standard deviation), metres.
        public var hotspotSpread: Double = 35
        /// Share of offences removed in the pilot area after the start (0.4 = 40 % fewer).
        public var pilotReduction: Double = 0.4
        /// Side of the square pilot and control areas, metres.
        public var areaSide: Double = 200
        /// Minimum distance between hot spots, metres.
        public var hotspotSpacing: Double = 350
        /// Type mix (type, relative frequency).
        public var typeMix: [TypeShare] = [
            .init(type: "theft", share: 0.35), .init(type: "vandalism", share: 0.25), .init(type: "disorder", share: 0.15),
            .init(type: "vehicle crime", share: 0.1), .init(type: "assault", share: 0.08), .init(type: "burglary", share: 0.07),
        ]

        public init() {}
    }

    public struct TypeShare: Sendable, Hashable, Codable {
        public var type: String
        public var share: Double
        public init(type: String, share: Double) {
            self.type = type
            self.share = share
        }
    }

    /// The generated data and the story it tells.
    public struct Scenario: Sendable, Hashable, Codable {
        public var offences: [Offence]
        public var hotspots: [Point]
        public var pilot: StudyArea
        /// Microseconds since the epoch.
        public var pilotStart: Int64
        public var controls: [StudyArea]
        public var label: String
    }

    /// Relative frequency by hour of day: low in the morning, peaking late evening and at night.
    static let hourWeights: [Double] = [6, 6, 5, 4, 3, 2, 1, 1, 1.5, 2, 2, 2.5, 3, 3, 3, 3, 3.5, 4, 4.5, 5, 6, 7, 7, 6.5]

    public static func generate(city: CityModel, options: Options = Options()) -> Scenario {
        var rng = SeededRandom(seed: options.seed)
        // Where offences can happen: points along streets (main streets for hot spots).
        let streets = city.streets.filter { $0.length > 5 }
        let mains = streets.filter(\.isMain)
        let totalLength = streets.reduce(0) { $0 + $1.length }
        func streetPoint(_ list: [Street], _ total: Double) -> Point {
            var left = rng.unit() * total
            for s in list {
                if left <= s.length { return PlaneGeometry.point(along: s.line, at: left) }
                left -= s.length
            }
            return list.last.map { $0.line[0] } ?? Point(x: 0, y: 0)
        }
        let mainLength = mains.reduce(0) { $0 + $1.length }
        var hotspots: [Point] = []
        var attempts = 0
        while hotspots.count < options.hotspotCount, attempts < 10_000 {
            attempts += 1
            let p = mains.isEmpty ? streetPoint(streets, totalLength) : streetPoint(mains, mainLength)
            if hotspots.allSatisfy({ $0.distance(to: p) >= options.hotspotSpacing }) { hotspots.append(p) }
        }
        let pilot = StudyArea.square(name: "Pilot (synthetic)", centre: hotspots.first ?? Point(x: 0, y: 0), side: options.areaSide)
        let controls = hotspots.dropFirst().prefix(2).enumerated().map {
            StudyArea.square(name: "Control \($0.offset + 1) (synthetic)", centre: $0.element, side: options.areaSide)
        }
        let pilotStartMonth = options.firstMonth + options.pilotStartOffset
        let pilotStart = CivilTime.startOfMonth(pilotStartMonth)
        let hourTotal = hourWeights.reduce(0, +)
        let typeTotal = options.typeMix.reduce(0) { $0 + $1.share }

        var offences: [Offence] = []
        func poisson(_ lambda: Double) -> Int {
            // Knuth's method for the small rates used here; normal approximation for large ones.
            if lambda > 60 { return max(0, Int((lambda + lambda.squareRoot() * rng.normal()).rounded())) }
            let l = exp(-lambda)
            var k = 0
            var p = 1.0
            repeat { k += 1; p *= rng.unit() } while p > l
            return k - 1
        }
        for m in 0..<options.months {
            let month = options.firstMonth + m
            let monthStart = CivilTime.startOfMonth(month)
            let monthLength = CivilTime.startOfMonth(month + 1) - monthStart
            var places: [Point] = []
            for h in hotspots {
                for _ in 0..<poisson(options.hotspotRate) {
                    places.append(Point(x: h.x + options.hotspotSpread * rng.normal(), y: h.y + options.hotspotSpread * rng.normal()))
                }
            }
            for _ in 0..<poisson(options.backgroundRate) where !streets.isEmpty {
                let p = streetPoint(streets, totalLength)
                places.append(Point(x: p.x + 4 * rng.normal(), y: p.y + 4 * rng.normal()))
            }
            for p in places {
                if month >= pilotStartMonth, pilot.area.contains(p), rng.unit() < options.pilotReduction { continue }
                // Day uniform in the month, hour by the night-heavy profile.
                let day = Int64(rng.below(Int(monthLength / CivilTime.microsecondsPerDay)))
                var pick = rng.unit() * hourTotal
                var hour = 0
                while hour < 23, pick > hourWeights[hour] { pick -= hourWeights[hour]; hour += 1 }
                let time = monthStart + day * CivilTime.microsecondsPerDay
                    + Int64(hour) * 3_600_000_000 + Int64(rng.below(3600)) * 1_000_000
                var t = rng.unit() * typeTotal
                var type = options.typeMix.last?.type ?? "other"
                for share in options.typeMix {
                    if t <= share.share { type = share.type; break }
                    t -= share.share
                }
                offences.append(Offence(id: "", time: time, location: .local(p), type: type,
                                        status: rng.unit() < 0.2 ? .solved : .registered, synthetic: true))
            }
        }
        offences.sort { $0.time < $1.time }
        for k in offences.indices {
            var digits = String(k + 1)
            while digits.count < 6 { digits = "0" + digits }
            offences[k].id = "synthetic-" + digits
        }
        return Scenario(offences: offences, hotspots: hotspots, pilot: pilot, pilotStart: pilotStart, controls: controls,
                        label: "SYNTHETIC DEMO DATA (seed \(options.seed)) — not real offences")
    }
}
