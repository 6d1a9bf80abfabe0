import City
import Foundation
import Randomness
import Testing
@testable import Planning

@Suite struct HotspotTests {
    struct GiInput: Encodable {
        struct Weights: Encodable {
            var kind: String
            var threshold: Double?
            var k: Int?
        }
        var points: [[Double]]
        var values: [Double]
        var weights: Weights
    }

    struct GiOutput: Decodable {
        var z: [Double]
        var pOneSided: [Double]
        var g: [Double]
    }

    /// Clustered points: a few Gaussian blobs plus background, seeded.
    func clustered(_ n: Int, seed: UInt64, in box: BoundingBox) -> [Point] {
        var rng = SeededRandom(seed: seed)
        let centres = (0..<3).map { _ in
            Point(x: box.minX + rng.unit() * (box.maxX - box.minX), y: box.minY + rng.unit() * (box.maxY - box.minY))
        }
        return (0..<n).map { _ in
            if rng.unit() < 0.3 {
                return Point(x: box.minX + rng.unit() * (box.maxX - box.minX), y: box.minY + rng.unit() * (box.maxY - box.minY))
            }
            let c = centres[rng.below(centres.count)]
            return Point(x: c.x + 40 * rng.normal(), y: c.y + 40 * rng.normal())
        }
    }

    struct Case {
        var label: String
        var values: [Double]
        var points: [Point]
        var weights: SpatialWeights
    }

    /// All comparisons in one run of the script: importing esda takes seconds.
    @Test func giStarMatchesEsda() throws {
        var cases: [Case] = []
        do {
            let box = BoundingBox(minX: 0, minY: 0, maxX: 1000, maxY: 750)
            let grid = AnalysisGrid(covering: box, cellSize: 50)
            let counts = grid.counts(of: clustered(600, seed: 7, in: box))
            let centres = (0..<grid.count).map(grid.centre)
            cases.append(Case(label: "grid, queen", values: counts, points: centres, weights: .distanceBand(threshold: 75)))
            cases.append(Case(label: "grid, 120 m band", values: counts, points: centres, weights: .distanceBand(threshold: 120)))
        }
        do {
            // k nearest on a square grid has ties at the edge that libpysal's k-d tree breaks its own
            // way; a tiny jitter (millimetres) makes the neighbour sets unambiguous.
            let box = BoundingBox(minX: 0, minY: 0, maxX: 800, maxY: 600)
            let grid = AnalysisGrid(covering: box, cellSize: 40)
            let counts = grid.counts(of: clustered(500, seed: 11, in: box))
            let jittered = (0..<grid.count).map { i in
                let p = grid.centre(i)
                return Point(x: p.x + Double(i % 7) * 0.013, y: p.y + Double(i % 5) * 0.011)
            }
            cases.append(Case(label: "grid, 8 nearest", values: counts, points: jittered, weights: .kNearest(k: 8)))
        }
        do {
            var rng = SeededRandom(seed: 99)
            let locations = (0..<400).map { _ in Point(x: rng.unit() * 2000, y: rng.unit() * 1500) }
            let values = locations.map { p in
                Double(Int(8 * exp(-(p.distance(to: Point(x: 500, y: 500)) / 300)) + 2 * rng.unit()))
            }
            cases.append(Case(label: "points, 160 m band", values: values, points: locations, weights: .distanceBand(threshold: 160)))
            cases.append(Case(label: "points, 6 nearest", values: values, points: locations, weights: .kNearest(k: 6)))
        }
        let input = cases.map { c -> GiInput in
            let w: GiInput.Weights = switch c.weights {
            case .distanceBand(let t): .init(kind: "distance", threshold: t)
            case .kNearest(let k): .init(kind: "knn", k: k)
            }
            return GiInput(points: c.points.map { [$0.x, $0.y] }, values: c.values, weights: w)
        }
        struct Batch<T: Encodable>: Encodable { var cases: [T] }
        struct Results: Decodable { var results: [GiOutput] }
        let answers = try runReference("gistar", Batch(cases: input), as: Results.self).results
        try #require(answers.count == cases.count)
        for (c, theirs) in zip(cases, answers) {
            let ours = GetisOrd.giStar(values: c.values, locations: c.points, weights: c.weights)
            try #require(theirs.z.count == ours.count)
            var worst = 0.0
            for i in ours.indices {
                worst = max(worst, abs(ours[i].z - theirs.z[i]))
                #expect(abs(ours[i].pOneSided - theirs.pOneSided[i]) <= 1e-9, "\(c.label): cell \(i) p")
                #expect(abs(ours[i].g - theirs.g[i]) <= 1e-12, "\(c.label): cell \(i) G")
            }
            #expect(worst <= 1e-6, "\(c.label): largest |z − z_esda| = \(worst)")
            // The data must have teeth: some significant hot spots.
            #expect(ours.contains { $0.classification == .hot99 }, "\(c.label)")
        }
    }

    @Test func quarticKernelIntegratesToCount() {
        let grid = AnalysisGrid(origin: Point(x: 0, y: 0), cellSize: 5, columns: 80, rows: 80)
        let points = [Point(x: 200, y: 200), Point(x: 150, y: 230), Point(x: 260, y: 180)]
        let surface = KernelDensity.surface(of: points, grid: grid, bandwidth: 60)
        let integral = surface.values.reduce(0, +) * 25
        #expect(abs(integral - 3) < 0.01, "∫ density = \(integral)")
        let c = grid.centre(grid.cell(containing: Point(x: 201, y: 201))!)
        let direct = KernelDensity.density(at: c, of: points, bandwidth: 60)
        #expect(abs(surface.values[grid.cell(containing: c)!] - direct) < 1e-15)
        #expect(KernelDensity.quartic(distance: 0, bandwidth: 10) == 3 / (Double.pi * 100))
        #expect(KernelDensity.quartic(distance: 10, bandwidth: 10) == 0)
        #expect(abs(surface.value(at: c) - direct) < 1e-12)
    }

    @Test func periodAndTypeFilter() {
        let t0 = CivilTime.microseconds(year: 2025, month: 1, day: 1)
        let day = CivilTime.microsecondsPerDay
        var offences: [Offence] = []
        for k in 0..<40 {
            offences.append(Offence(id: "a\(k)", time: t0 + Int64(k) * day, location: .local(Point(x: 100 + Double(k % 5), y: 100)),
                                    type: k % 2 == 0 ? "theft" : "vandalism"))
        }
        for k in 0..<10 {
            offences.append(Offence(id: "b\(k)", time: t0 + Int64(k) * day,
                                    location: .local(Point(x: Double(k) * 90, y: Double(k % 3) * 120)), type: "theft"))
        }
        let filter = OffenceFilter(from: t0, until: t0 + 20 * day, types: ["theft"])
        let result = Hotspots.grid(offences, filter: filter, projection: testProjection,
                                   options: HotspotOptions(cellSize: 50, bandwidth: 100))
        #expect(result.offenceCount == 20)
        #expect(result.counts.reduce(0, +) == 20)
        let hot = result.grid.cell(containing: Point(x: 102, y: 100))!
        #expect(result.counts[hot] == 10)
        #expect(result.giStar[hot].z > 3)
        #expect(result.giStar[hot].classification == .hot99)
        #expect(result.density.values.indices.max { result.density.values[$0] < result.density.values[$1] } == hot)
    }

    @Test func streetSegments() {
        let city = tinyCity()
        let offences = (0..<30).map { k in
            Offence(id: "o\(k)", time: 0, location: .local(Point(x: 80 + Double(k % 10), y: k < 25 ? 2 : 40)), type: "theft")
        }
        let result = Hotspots.streets(offences, city: city, segmentLength: 20, snapDistance: 15,
                                      weights: .distanceBand(threshold: 25))
        #expect(result.unsnapped == 5)
        #expect(result.segments.map(\.count).reduce(0, +) == 25)
        let best = result.giStar.indices.max { result.giStar[$0].z < result.giStar[$1].z }!
        #expect(result.segments[best].street == 0)
        #expect(result.segments[best].midpoint.x > 70)
    }
}
