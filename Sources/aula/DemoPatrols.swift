import Catalog
import Foundation
import Guards
import Logging

/// The demo's patrols (docs/guards.md, "The demo"): guards played by the demo itself, so that the
/// dispatch board and the response figures have something true to show before anyone picks up a
/// phone. A patrol is on duty at its place, accepts what it is offered after a few seconds, walks
/// there at a brisk pace, looks around and clears it with a short report, and goes back.
///
/// Patrols stand down while a person is on duty as a guard (from /guard.html), so that every
/// incident goes to that person: the demo is there to be tried.
struct DemoPatrols: Sendable {
    struct Patrol: Sendable {
        var name: String
        var latitude: Double
        var longitude: Double
    }

    let guards: GuardService
    let patrols: [Patrol]
    /// Names of guards who are people (their duty makes the patrols stand down).
    let people: Set<String>
    let logger: Logger
    /// How long a patrol takes to accept, to look around on scene.
    var acceptAfter: Duration = .seconds(4)
    var onScene: Duration = .seconds(8)
    /// Metres per second on the way (a brisk walk; the demo's district is small).
    var pace = 2.0

    func run() async {
        let (changes, cancel) = guards.incidentChanges()
        defer { cancel() }
        await withDiscardingTaskGroup { group in
            group.addTask { await keepDuty() }
            // One answer per offer (an offer is known by its incident and its time-out).
            var answered = Set<String>()
            for await incident in changes {
                guard incident.state == .offered, let name = incident.guardName,
                      let patrol = patrols.first(where: { $0.name == name }),
                      answered.insert("\(incident.id):\(incident.offerExpiresMicros ?? 0)").inserted else { continue }
                group.addTask { await answer(incident, as: patrol) }
            }
        }
    }

    /// On duty (with a fresh position) while no person is; off duty when one is and the patrol
    /// holds no incident.
    func keepDuty() async {
        while !Task.isCancelled {
            do {
                let duties = try await guards.duties()
                let personOnDuty = duties.contains { $0.onDuty && people.contains($0.guardName) }
                let busy = Set(try await guards.incidents(openOnly: true).filter(\.state.holdsGuard).compactMap(\.guardName))
                for patrol in patrols where !busy.contains(patrol.name) {
                    _ = try await guards.setDuty(guardName: patrol.name, onDuty: !personOnDuty,
                                                 position: position(patrol.latitude, patrol.longitude))
                }
            } catch {
                logger.warning("demo patrols: \(error)")
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    func answer(_ offered: Incident, as patrol: Patrol) async {
        let id = offered.id
        do {
            try await Task.sleep(for: acceptAfter)
            guard try await step(id, .accept, patrol) else { return }
            guard try await step(id, .depart, patrol) else { return }
            // Along the straight line to the place, a position every two seconds.
            let metres = offered.distanceMetres ?? 100
            let seconds = max(4, min(30, metres / pace))
            let legs = max(1, Int(seconds / 2))
            for leg in 1...legs {
                try await Task.sleep(for: .seconds(seconds / Double(legs)))
                let f = Double(leg) / Double(legs)
                _ = try await guards.setDuty(guardName: patrol.name, onDuty: true, position: position(
                    patrol.latitude + (offered.latitude - patrol.latitude) * f, patrol.longitude + (offered.longitude - patrol.longitude) * f))
                guard try await guards.incident(id: id)?.state == .enRoute else { return }
            }
            guard try await step(id, .arrive, patrol) else { return }
            try await Task.sleep(for: onScene)
            _ = try await step(id, .clear, patrol, note: "Demo patrol: looked around the courtyard; nobody there any more.")
            _ = try await guards.setDuty(guardName: patrol.name, onDuty: true, position: position(patrol.latitude, patrol.longitude))
        } catch is CancellationError {
        } catch {
            logger.warning("demo patrol \(patrol.name), incident \(id): \(error)")
        }
    }

    /// One step by the patrol; false when the incident moved on without it (cancelled, taken over).
    func step(_ id: Int64, _ action: IncidentAction, _ patrol: Patrol, note: String? = nil) async throws -> Bool {
        do {
            let after = try await guards.act(id: id, action, by: patrol.name, asGuard: true, key: "demo-patrol:\(id):\(action.rawValue)", note: note)
            return after != nil && after?.guardName == patrol.name
        } catch let refusal as IncidentRefusal {
            logger.info("demo patrol \(patrol.name) could not \(action.rawValue) incident \(id): \(refusal)")
            return false
        }
    }

    func position(_ latitude: Double, _ longitude: Double) -> Duty.Position {
        Duty.Position(latitude: latitude, longitude: longitude, accuracy: 10, atMicros: GuardService.nowMicros())
    }
}
