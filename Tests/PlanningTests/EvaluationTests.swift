import City
import Foundation
import Testing
@testable import Planning

@Suite struct EvaluationTests {
    @Test func relativeEffectSizeByHand() throws {
        // a = 100 before, b = 60 after in the pilot; c = 200, d = 190 in the controls.
        let res = try #require(RelativeEffectSize(a: 100, b: 60, c: 200, d: 190))
        #expect(abs(res.value - (100.0 * 190) / (60 * 200)) < 1e-12)
        let v = 1.0 / 100 + 1.0 / 60 + 1.0 / 200 + 1.0 / 190
        #expect(abs(res.logVariance - v) < 1e-15)
        #expect(abs(res.lower95 - exp(log(res.value) - 1.959963984540054 * v.squareRoot())) < 1e-12)
        #expect(abs(res.upper95 - exp(log(res.value) + 1.959963984540054 * v.squareRoot())) < 1e-12)
        #expect(res.isSignificant)
        #expect(abs(res.reductionPercent - 100 * (1 - 1 / res.value)) < 1e-12)
        #expect(RelativeEffectSize(a: 0, b: 1, c: 1, d: 1) == nil)
    }

    struct DiDInput: Encodable {
        struct Row: Encodable {
            var count: Double
            var treated: Int
            var post: Int
        }
        var rows: [Row]
    }

    struct DiDOutput: Decodable {
        var params: [Double]
        var se: [Double]
        var seHC1: [Double]
    }

    func scenario() -> (SyntheticOffences.Scenario, CityModel) {
        // A synthetic street grid: 2 km square, main streets every 200 m.
        var streets: [Street] = []
        for k in 0...10 {
            let v = Double(k) * 200
            streets.append(Street(source: "h\(k)", name: "H\(k)", highwayClass: "primary", isMain: true,
                                  line: [Point(x: 0, y: v), Point(x: 2000, y: v)]))
            streets.append(Street(source: "v\(k)", name: "V\(k)", highwayClass: "residential", isMain: false,
                                  line: [Point(x: v, y: 0), Point(x: v, y: 2000)]))
        }
        let city = CityModel(projection: testProjection, streets: streets)
        return (SyntheticOffences.generate(city: city), city)
    }

    @Test func syntheticPilotEvaluatedAndCheckedAgainstStatsmodels() throws {
        let (scenario, city) = scenario()
        #expect(scenario.offences.allSatisfy { $0.synthetic && $0.id.hasPrefix("synthetic-") })
        #expect(scenario.label.contains("SYNTHETIC"))
        #expect(scenario.offences.count > 1500)
        // Night-heavy: more offences 20–02 h than 06–12 h.
        let hours = scenario.offences.map { CivilTime.hourOfDay($0.time) }
        #expect(hours.filter { $0 >= 20 || $0 < 2 }.count > 2 * hours.filter { $0 >= 6 && $0 < 12 }.count)

        let study = PilotStudy(pilot: scenario.pilot, start: scenario.pilotStart, controls: scenario.controls)
        let e = PilotEvaluation.evaluate(scenario.offences, projection: city.projection, study: study)
        #expect(e.series.months.count == 24)
        #expect(e.series.pilot.reduce(0, +) == e.pilot.before + e.pilot.after)
        let res = try #require(e.relativeEffectSize)
        #expect(res.value > 1.3 && res.isSignificant, "RES \(res.value) [\(res.lower95), \(res.upper95)]")
        print("synthetic pilot: RES \(res.value) [\(res.lower95), \(res.upper95)]")
        let did = try #require(e.differenceInDifferences)
        #expect(did.estimate < 0 && abs(did.tStatistic) > 2)
        print("synthetic pilot: DiD \(did.estimate) ± \(did.standardError), t \(did.tStatistic); WDQ \(e.displacement.wdq ?? .nan)")
        #expect(did.observations == 24 * 3)

        // The same regression in statsmodels.
        var rows: [DiDInput.Row] = []
        for m in e.series.months.indices {
            let post = m >= e.series.startIndex ? 1 : 0
            rows.append(.init(count: Double(e.series.pilot[m]), treated: 1, post: post))
            for c in e.series.controlsByArea { rows.append(.init(count: Double(c[m]), treated: 0, post: post)) }
        }
        let theirs = try runReference("did", DiDInput(rows: rows), as: DiDOutput.self)
        for k in 0..<4 {
            #expect(abs(did.coefficients[k] - theirs.params[k]) <= 1e-9, "coefficient \(k)")
            #expect(abs(did.standardErrors[k] - theirs.se[k]) <= 1e-9, "SE \(k)")
            #expect(abs(did.robustStandardErrors[k] - theirs.seHC1[k]) <= 1e-9, "HC1 SE \(k)")
        }

        // Suggested controls: hot spots elsewhere with before counts like the pilot's.
        let suggested = PilotEvaluation.suggestControls(scenario.offences, projection: city.projection, study: study, count: 2)
        #expect(suggested.count == 2)
        let probe = PilotEvaluation.evaluate(scenario.offences, projection: city.projection,
                                             study: PilotStudy(pilot: scenario.pilot, start: scenario.pilotStart, controls: suggested))
        for c in probe.controls { #expect(abs(c.before - e.pilot.before) <= e.pilot.before / 2, "\(c.name): \(c.before) vs \(e.pilot.before)") }
    }

    @Test func weightedDisplacementQuotientByHand() throws {
        // Pilot: 10 m square at the origin; buffer 20 m; one control far away.
        let pilot = StudyArea.square(name: "pilot", centre: Point(x: 0, y: 0), side: 10)
        let control = StudyArea.square(name: "control", centre: Point(x: 500, y: 0), side: 10)
        let start = CivilTime.microseconds(year: 2025, month: 1, day: 1)
        let before = start - 40 * CivilTime.microsecondsPerDay
        var offences: [Offence] = []
        func put(_ n: Int, _ p: Point, _ t: Int64) {
            for _ in 0..<n { offences.append(Offence(id: "o\(offences.count)", time: t, location: .local(p), type: "theft")) }
        }
        put(20, Point(x: 1, y: 1), before); put(10, Point(x: 1, y: 1), start + 1)       // R: 20 → 10
        put(8, Point(x: 15, y: 0), before); put(12, Point(x: 15, y: 0), start + 1)     // D: 8 → 12
        put(40, Point(x: 500, y: 0), before); put(40, Point(x: 500, y: 0), start + 1)  // C: 40 → 40
        put(5, Point(x: 40, y: 0), start + 1)                                          // beyond the buffer
        let e = PilotEvaluation.evaluate(offences, projection: testProjection,
                                         study: PilotStudy(pilot: pilot, start: start, controls: [control], bufferWidth: 20))
        #expect(e.pilot.before == 20 && e.pilot.after == 10)
        #expect(e.displacement.buffer.before == 8 && e.displacement.buffer.after == 12)
        let success = 10.0 / 40 - 20.0 / 40
        let moved = 12.0 / 40 - 8.0 / 40
        #expect(abs(try #require(e.displacement.wdq) - moved / success) < 1e-12)
        #expect(e.displacement.interpretation.contains("displacement"))
        #expect(e.series.labels.first == "2024-01" && e.series.labels[e.series.startIndex] == "2025-01")
    }

    @Test func programmeAndReport() throws {
        let problem = try randomInstance(seed: 3, sites: 12, headings: 4, demand: 300)
        var p = problem
        // Two districts by site position.
        for k in p.sites.indices { p.sites[k].district = p.sites[k].position.x < 110 ? 0 : 1 }
        p.districtNames = ["West", "East"]
        let solution = MaximalCovering.solve(p, budget: .cameras(5))
        let programme = PhasedProgramme.build(problem: p, solution: solution)
        #expect(programme.cameraCount == solution.chosen.count)
        #expect(abs(programme.final.weighted - solution.coveredPercent) < 1e-9)
        #expect(programme.phases.count <= 2)
        if programme.phases.count == 2 { #expect(programme.phases[0].gainPerCost >= programme.phases[1].gainPerCost - 1e-9) }
        let summed = programme.phases.reduce(0) { $0 + $1.added.weighted }
        #expect(abs(summed - programme.final.weighted) < 1e-9)
        let text = PlanReport.markdown(programme, budget: .cameras(5), solution: solution, projection: testProjection)
        #expect(text.hasPrefix("# Camera placement programme"))
        #expect(text.contains("| phase | district |"))
        #expect(text.contains("## Phase 1: "))
        #expect(PlanReport.fmt(-0.004, 2) == "0.00" && PlanReport.fmt(12.345, 1) == "12.3" && PlanReport.fmt(-3.5, 0) == "-4")
    }
}
