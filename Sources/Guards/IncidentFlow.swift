import Foundation

/// What a guard or an operator does to an incident (`POST /api/incidents/{id}/{action}`).
public enum IncidentAction: String, Sendable, CaseIterable {
    /// The offered guard takes it.
    case accept
    /// The offered guard passes it on: the next nearest is offered it.
    case decline
    /// The guard who accepted sets off.
    case depart
    /// The guard is there.
    case arrive
    /// Done, with a short report: by the guard on scene, or by an operator at any time.
    case clear
    /// Called off by an operator.
    case cancel
}

/// Why a step was refused; the routes turn it into 404 or 409.
public struct IncidentRefusal: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case notFound, conflict, invalid }
    public var kind: Kind
    public var description: String
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

extension Incident {
    /// Whether a step with this idempotency key was taken already.
    public func hasStep(key: String?) -> Bool {
        guard let key else { return false }
        return steps.contains { $0.key == key }
    }

    /// Takes `action` by `user` (a guard when `asGuard`), or refuses it. States: new → offered →
    /// accepted → en route → on scene → cleared, or cancelled from any open state.
    public mutating func apply(_ action: IncidentAction, by user: String, asGuard: Bool, atMicros: Int64, key: String?, note: String?) throws {
        func require(_ states: Set<State>, _ what: String) throws {
            guard states.contains(state) else {
                throw IncidentRefusal(.conflict, "incident \(id) is \(state.rawValue): it cannot be \(what) now")
            }
        }
        func requireOwnGuard() throws {
            guard asGuard else { throw IncidentRefusal(.conflict, "only the guard holding incident \(id) can do this; operators dispatch or cancel") }
            guard guardName == user else { throw IncidentRefusal(.notFound, "no such incident") }
        }
        switch action {
        case .accept:
            try requireOwnGuard()
            try require([.offered], "accepted")
            state = .accepted
            offerExpiresMicros = nil
        case .decline:
            try requireOwnGuard()
            try require([.offered], "declined")
            passedBy.append(user)
            state = .new
            guardName = nil
            offerExpiresMicros = nil
            distanceMetres = nil
        case .depart:
            try requireOwnGuard()
            try require([.accepted], "set off to")
            state = .enRoute
        case .arrive:
            try requireOwnGuard()
            try require([.accepted, .enRoute], "arrived at")
            state = .onScene
        case .clear:
            if asGuard {
                try requireOwnGuard()
                try require([.onScene], "cleared by its guard before they arrive")
            } else {
                try require(Set(State.allCases.filter(\.isOpen)), "cleared")
            }
            state = .cleared
            offerExpiresMicros = nil
            if let note, !note.isEmpty { report = note }
        case .cancel:
            guard !asGuard else { throw IncidentRefusal(.conflict, "only operators cancel incidents") }
            try require(Set(State.allCases.filter(\.isOpen)), "cancelled")
            state = .cancelled
            offerExpiresMicros = nil
        }
        let name = switch action {
        case .accept: "accepted"
        case .decline: "declined"
        case .depart: "departed"
        case .arrive: "arrived"
        case .clear: "cleared"
        case .cancel: "cancelled"
        }
        steps.append(Step(action: name, state: state, atMicros: atMicros, by: user, guardName: action == .decline ? user : guardName, key: key, note: note))
    }

    /// Offers the incident to `guardName` until `expires`.
    public mutating func offer(to guardName: String, distance: Double, routed: Bool, atMicros: Int64, expiresMicros: Int64, by: String, action: String = "offered") {
        self.guardName = guardName
        self.distanceMetres = distance
        self.routed = routed
        self.offerExpiresMicros = expiresMicros
        state = .offered
        steps.append(Step(action: action, state: .offered, atMicros: atMicros, by: by, guardName: guardName))
    }

    /// The offer ran out: the guard is passed over, the incident waits for the next.
    public mutating func lapse(atMicros: Int64) {
        guard state == .offered, let guardName else { return }
        passedBy.append(guardName)
        steps.append(Step(action: "lapsed", state: .new, atMicros: atMicros, by: "aula", guardName: guardName))
        self.guardName = nil
        state = .new
        offerExpiresMicros = nil
        distanceMetres = nil
    }

    /// Nobody available accepted: the operators are told (once).
    public mutating func escalate(atMicros: Int64) {
        guard !escalated else { return }
        escalated = true
        steps.append(Step(action: "escalated", state: state, atMicros: atMicros, by: "aula"))
    }
}
