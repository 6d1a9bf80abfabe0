import Foundation
import Guards
import Testing

@Suite struct IncidentFlowTests {
    static func fresh() -> Incident {
        var incident = Incident(source: .operator, latitude: 47.79, longitude: 67.71, summary: "fight at the gate", createdMicros: 1_000_000, createdBy: "olga")
        incident.id = 7
        return incident
    }

    @Test func aGuardTakesAnIncidentFromOfferToCleared() throws {
        var i = Self.fresh()
        i.offer(to: "asel", distance: 120, routed: true, atMicros: 2_000_000, expiresMicros: 62_000_000, by: "aula")
        try i.apply(.accept, by: "asel", asGuard: true, atMicros: 5_000_000, key: "k1", note: nil)
        try i.apply(.depart, by: "asel", asGuard: true, atMicros: 6_000_000, key: "k2", note: nil)
        try i.apply(.arrive, by: "asel", asGuard: true, atMicros: 95_000_000, key: "k3", note: nil)
        try i.apply(.clear, by: "asel", asGuard: true, atMicros: 400_000_000, key: "k4", note: "two teenagers, sent home")
        #expect(i.state == .cleared && i.report == "two teenagers, sent home")
        #expect(i.steps.map(\.action) == ["created", "offered", "accepted", "departed", "arrived", "cleared"])
        #expect(i.time(of: .accepted) == 5_000_000 && i.time(of: .onScene) == 95_000_000 && i.time(of: .cleared) == 400_000_000)
        #expect(i.hasStep(key: "k3") && !i.hasStep(key: "k9") && !i.hasStep(key: nil))
    }

    @Test func stepsOutOfOrderOrByAnotherAreRefused() throws {
        var i = Self.fresh()
        #expect(throws: IncidentRefusal.self) { try i.apply(.accept, by: "asel", asGuard: true, atMicros: 1, key: nil, note: nil) }
        i.offer(to: "asel", distance: 120, routed: true, atMicros: 2, expiresMicros: 3, by: "aula")
        // Another guard: as if the incident did not exist.
        #expect { try i.apply(.accept, by: "bolat", asGuard: true, atMicros: 4, key: nil, note: nil) } throws: { ($0 as? IncidentRefusal)?.kind == .notFound }
        #expect { try i.apply(.arrive, by: "asel", asGuard: true, atMicros: 4, key: nil, note: nil) } throws: { ($0 as? IncidentRefusal)?.kind == .conflict }
        #expect { try i.apply(.clear, by: "asel", asGuard: true, atMicros: 4, key: nil, note: nil) } throws: { ($0 as? IncidentRefusal)?.kind == .conflict }
        // An operator neither accepts for a guard nor is refused a cancel.
        #expect(throws: IncidentRefusal.self) { try i.apply(.accept, by: "olga", asGuard: false, atMicros: 4, key: nil, note: nil) }
        #expect(throws: IncidentRefusal.self) { try i.apply(.cancel, by: "asel", asGuard: true, atMicros: 4, key: nil, note: nil) }
        try i.apply(.cancel, by: "olga", asGuard: false, atMicros: 5, key: nil, note: "false alarm")
        #expect(i.state == .cancelled && !i.state.isOpen)
        #expect(throws: IncidentRefusal.self) { try i.apply(.cancel, by: "olga", asGuard: false, atMicros: 6, key: nil, note: nil) }
    }

    @Test func declinedAndLapsedGuardsArePassedOver() throws {
        var i = Self.fresh()
        i.offer(to: "asel", distance: 120, routed: true, atMicros: 2, expiresMicros: 3, by: "aula")
        try i.apply(.decline, by: "asel", asGuard: true, atMicros: 4, key: nil, note: nil)
        #expect(i.state == .new && i.guardName == nil && i.passedBy == ["asel"])
        i.offer(to: "bolat", distance: 300, routed: true, atMicros: 5, expiresMicros: 6, by: "aula")
        i.lapse(atMicros: 7)
        #expect(i.state == .new && i.passedBy == ["asel", "bolat"])
        #expect(i.steps.map(\.action) == ["created", "offered", "declined", "offered", "lapsed"])
        i.escalate(atMicros: 8)
        i.escalate(atMicros: 9)
        #expect(i.escalated && i.steps.filter { $0.action == "escalated" }.count == 1)
    }

    @Test func responseFiguresAreTheMedianAndNinetiethPercentileOfWhatTheTimesImply() throws {
        // Five incidents accepted 10, 20, 30, 40, 100 s after creation; arriving 60 s later each.
        var incidents: [Incident] = []
        for (n, accept) in [10, 20, 30, 40, 100].enumerated() {
            var i = Self.fresh()
            i.id = Int64(n)
            i.district = n < 3 ? "Old town" : "Station"
            i.offer(to: "g\(n)", distance: 1, routed: true, atMicros: 1_000_000, expiresMicros: 99_000_000, by: "aula")
            try i.apply(.accept, by: "g\(n)", asGuard: true, atMicros: 1_000_000 + Int64(accept) * 1_000_000, key: nil, note: nil)
            try i.apply(.arrive, by: "g\(n)", asGuard: true, atMicros: 1_000_000 + Int64(accept + 60) * 1_000_000, key: nil, note: nil)
            incidents.append(i)
        }
        let all = ResponseFigures.make(incidents, by: "all")
        let group = try #require(all.groups.first)
        #expect(group.incidents == 5 && group.cleared == 0)
        #expect(group.toAccept.median == 30)
        // numpy.percentile([10, 20, 30, 40, 100], 90) = 76.
        #expect(abs((group.toAccept.p90 ?? 0) - 76) < 1e-9)
        #expect(group.toArrive.median == 60 && group.toArrive.p90 == 60)
        #expect(group.onScene.count == 0 && group.onScene.median == nil)
        let byDistrict = ResponseFigures.make(incidents, by: "district")
        #expect(byDistrict.groups.map(\.key) == ["Old town", "Station"])
        #expect(byDistrict.groups.map(\.toAccept.median) == [20, 70])
        let byGuard = ResponseFigures.make(incidents, by: "guard")
        #expect(byGuard.groups.map(\.key) == ["g0", "g1", "g2", "g3", "g4"])
    }
}
