import Foundation

/// A guards' post: a place they answer from, with the cameras it answers for and its guards
/// (docs/guards.md, "Posts and shifts").
public struct Post: Sendable, Codable, Equatable {
    public var id: Int64 = 0
    public var name: String
    public var latitude: Double
    public var longitude: Double
    public var district: String
    public var cameras: [Int64]
    /// User names of its guards.
    public var guards: [String]
    /// Whether motion alerts and "camera dark" alerts of its cameras become incidents by themselves.
    public var autoDispatch: Bool

    public init(name: String, latitude: Double, longitude: Double, district: String = "", cameras: [Int64] = [], guards: [String] = [], autoDispatch: Bool = false) {
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.district = district
        self.cameras = cameras
        self.guards = guards
        self.autoDispatch = autoDispatch
    }
}

/// One shift of the roster: a guard at a post from `start` to `end` (microseconds since 1970).
public struct Shift: Sendable, Codable, Equatable {
    public var id: Int64 = 0
    public var post: Int64
    public var guardName: String
    public var startMicros: Int64
    public var endMicros: Int64

    public init(post: Int64, guardName: String, startMicros: Int64, endMicros: Int64) {
        self.post = post
        self.guardName = guardName
        self.startMicros = startMicros
        self.endMicros = endMicros
    }
}

/// Where a guard is and whether they are on duty, as their phone last said.
public struct Duty: Sendable, Codable, Equatable {
    public struct Position: Sendable, Codable, Equatable {
        public var latitude: Double
        public var longitude: Double
        /// Metres, as the phone's geolocation reports it.
        public var accuracy: Double?
        public var atMicros: Int64

        public init(latitude: Double, longitude: Double, accuracy: Double? = nil, atMicros: Int64) {
            self.latitude = latitude
            self.longitude = longitude
            self.accuracy = accuracy
            self.atMicros = atMicros
        }
    }

    public var guardName: String
    public var onDuty: Bool
    /// When duty last started or ended.
    public var sinceMicros: Int64
    public var post: Int64?
    public var position: Position?

    public init(guardName: String, onDuty: Bool, sinceMicros: Int64, post: Int64? = nil, position: Position? = nil) {
        self.guardName = guardName
        self.onDuty = onDuty
        self.sinceMicros = sinceMicros
        self.post = post
        self.position = position
    }
}

/// An item of the equipment ledger: a uniform, a radio, a vehicle, office equipment; who holds it
/// and everything that happened to it (docs/guards.md, "Equipment").
public struct EquipmentItem: Sendable, Codable, Equatable {
    public enum Condition: String, Sendable, Codable, CaseIterable { case new, good, worn, damaged, lost, retired }

    public struct Event: Sendable, Codable, Equatable {
        /// `added`, `issued`, `returned`, `condition`, `note`.
        public var action: String
        public var atMicros: Int64
        public var by: String
        /// The holder after the event (`guard:NAME`, `post:ID`, or `store`).
        public var holder: String
        public var condition: Condition
        public var note: String
    }

    public var id: Int64 = 0
    public var kind: String
    /// Inventory number, unique in the ledger.
    public var number: String
    public var serial: String
    public var condition: Condition
    /// `guard:NAME`, `post:ID`, or `store` (in the office).
    public var holder: String
    public var history: [Event]

    public init(kind: String, number: String, serial: String, condition: Condition, holder: String = "store", history: [Event] = []) {
        self.kind = kind
        self.number = number
        self.serial = serial
        self.condition = condition
        self.holder = holder
        self.history = history
    }
}

/// A call for a guard: where, why, who was offered it, and each step with its time and who took it
/// (docs/guards.md, "Incidents").
public struct Incident: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable { case motion, cameraDark, `operator`, panic }

    public enum State: String, Sendable, Codable, CaseIterable {
        case new, offered, accepted, enRoute, onScene, cleared, cancelled
        public var isOpen: Bool { self != .cleared && self != .cancelled }
        /// Whether the guard named on the incident is held by it (not available for another).
        public var holdsGuard: Bool { [.offered, .accepted, .enRoute, .onScene].contains(self) }
    }

    public struct Step: Sendable, Codable, Equatable {
        /// `created`, `offered`, `declined`, `lapsed`, `accepted`, `departed`, `arrived`, `cleared`,
        /// `cancelled`, `escalated`, `dispatched`.
        public var action: String
        public var state: State
        public var atMicros: Int64
        public var by: String
        public var guardName: String?
        /// The client's idempotency key: a step sent twice (a phone back online) is taken once.
        public var key: String?
        public var note: String?
    }

    public var id: Int64 = 0
    public var source: Source
    public var cameraID: Int64?
    public var alertID: Int64?
    public var latitude: Double
    public var longitude: Double
    public var district: String
    public var post: Int64?
    public var summary: String
    public var state: State
    /// The guard offered the incident or holding it.
    public var guardName: String?
    public var offerExpiresMicros: Int64?
    /// Walking metres from the offered guard to the place when the offer was made (straight-line
    /// metres when no city is imported: `routed` false).
    public var distanceMetres: Double?
    public var routed: Bool
    /// Guards who declined or let the offer lapse: not offered it again.
    public var passedBy: [String]
    /// Nobody on duty accepted: the operators were alerted.
    public var escalated: Bool
    public var report: String?
    public var createdMicros: Int64
    public var createdBy: String
    public var steps: [Step]

    public init(source: Source, cameraID: Int64? = nil, alertID: Int64? = nil, latitude: Double, longitude: Double, district: String = "",
                post: Int64? = nil, summary: String, createdMicros: Int64, createdBy: String) {
        self.source = source
        self.cameraID = cameraID
        self.alertID = alertID
        self.latitude = latitude
        self.longitude = longitude
        self.district = district
        self.post = post
        self.summary = summary
        self.state = .new
        self.routed = false
        self.passedBy = []
        self.escalated = false
        self.createdMicros = createdMicros
        self.createdBy = createdBy
        self.steps = [Step(action: "created", state: .new, atMicros: createdMicros, by: createdBy)]
    }

    /// When the incident first reached `state` (nil: never).
    public func time(of state: State) -> Int64? { steps.first { $0.state == state }?.atMicros }
}
