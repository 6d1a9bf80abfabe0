import Alerts
import Catalog
import City
import CityServices
import Foundation
import Logging
import Planning
import Synchronization

/// Posts, shifts, duty, the equipment ledger and incidents with their dispatch, kept as records in
/// the catalogue (``RecordStore``), so that every node of a cluster sees the same (docs/guards.md).
///
/// Each change of an incident is decided on the record as it is at that moment: the service reads
/// it, works out the change (the next guard by route needs the duty records and the street
/// graph), and stores it only if nobody changed the incident meanwhile (its revision), else starts
/// again. So a decline and a time-out, or two nodes' monitors, never both move an offer on.
public final class GuardService: Sendable {
    public let catalog: AulaCatalog
    let alerts: AlertHub
    let city: CityStore
    let logger: Logger
    public let settings: GuardSettings
    private let routing = Mutex<(revision: Int64, city: RoutingCity?)?>(nil)
    /// Positions reported to this node and not stored yet, by guard (with the duty record's id).
    private let pending = Mutex<[String: (id: Int64, duty: Duty)]>([:])
    /// Each guard's duty as this node last stored it, and when.
    private let known = Mutex<[String: (id: Int64, duty: Duty, storedMicros: Int64)]>([:])
    /// Who hears of incidents as this node changes them (the guards' duty streams).
    private let listeners = Mutex<[Int: AsyncStream<Incident>.Continuation]>([:])
    private let nextListener = Mutex(0)

    /// Each incident's revision as this node last told its listeners of it (``announce(_:revision:)``),
    /// so that the dispatch monitor's tick tells them of changes made on other nodes too.
    private let told = Mutex(ToldRevisions())

    /// Every incident as this node stores a change of it, from now on, and as another node's
    /// change is seen at the dispatch monitor's next tick (``announceChangesElsewhere(_:)``);
    /// cancel with the closure.
    public func incidentChanges() -> (stream: AsyncStream<Incident>, cancel: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream<Incident>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let id = nextListener.withLock { n in
            n += 1
            return n
        }
        listeners.withLock { $0[id] = continuation }
        let cancel: @Sendable () -> Void = { [weak self] in self?.listeners.withLock { $0.removeValue(forKey: id) }?.finish() }
        continuation.onTermination = { _ in cancel() }
        return (stream, cancel)
    }

    func announce(_ incident: Incident, revision: Int64) {
        guard told.withLock({ $0.note(incident, revision: revision) }) else { return }
        for continuation in listeners.withLock({ Array($0.values) }) { continuation.yield(incident) }
    }

    /// Tells this node's listeners of the changes other nodes of a cluster made since the last
    /// tick: incidents open now at a newer revision than this node told, and those that closed
    /// since (read once more). One node alone finds nothing to tell: it told every change it made.
    func announceChangesElsewhere(_ open: [StoredRecord]) async throws {
        let (changed, closed) = told.withLock { $0.tick(open: open.map { ($0.id, $0.revision) }) }
        for record in open where changed.contains(record.id) { announce(try Self.incident(record), revision: record.revision) }
        for id in closed {
            if let record = try await catalog.record(kind: Kind.incident, id: id) { announce(try Self.incident(record), revision: record.revision) }
            told.withLock { $0.incidents?[id]?.open = false }
        }
    }

    public init(catalog: AulaCatalog, alerts: AlertHub, city: CityStore, settings: GuardSettings = GuardSettings(), logger: Logger) {
        self.catalog = catalog
        self.alerts = alerts
        self.city = city
        self.settings = settings
        self.logger = logger
    }

    enum Kind {
        static let post = "guards.post"
        static let shift = "guards.shift"
        static let duty = "guards.duty"
        static let equipment = "guards.equipment"
        static let incident = "guards.incident"
        static let photo = "guards.photo"
        /// The record keys of an incident's photos, one per place (key: the incident's id).
        static let photoPlaces = "guards.photo-places"
        static let checkpoint = "guards.checkpoint"
        static let scan = "guards.scan"
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func decode<T: Decodable>(_ type: T.Type, _ record: StoredRecord) throws -> T {
        try JSONDecoder().decode(T.self, from: record.body)
    }

    public static func nowMicros() -> Int64 { CatalogClock.nowMicros() }

    // MARK: Routing

    /// The imported city's walking graph, rebuilt when the city changes (nil: no city imported).
    public func routingCity() async throws -> RoutingCity? {
        guard let revision = try await city.cityRevision() else { return nil }
        if let cached = routing.withLock({ $0 }), cached.revision == revision { return cached.city }
        let model = try await city.loadCity()?.model
        let built = model.map(RoutingCity.init(model:))
        routing.withLock { $0 = (revision, built) }
        return built
    }

    // MARK: Posts

    public func posts() async throws -> [Post] {
        try await catalog.records(kind: Kind.post).map { record in
            var post = try Self.decode(Post.self, record)
            post.id = record.id
            return post
        }.sorted { $0.id < $1.id }
    }

    public func post(id: Int64) async throws -> Post? {
        try await catalog.record(kind: Kind.post, id: id).map { record in
            var post = try Self.decode(Post.self, record)
            post.id = record.id
            return post
        }
    }

    public func addPost(_ post: Post) async throws -> Post {
        let record = try await catalog.insertRecord(kind: Kind.post, key: nil, fields: RecordFields(tag: "", time: 0, body: try Self.encoder.encode(post))).record
        var saved = post
        saved.id = record.id
        return saved
    }

    public func updatePost(_ post: Post) async throws -> Post? {
        guard try await catalog.updateRecord(kind: Kind.post, id: post.id, { _ in
            RecordFields(tag: "", time: 0, body: try Self.encoder.encode(post))
        }) != nil else { return nil }
        return post
    }

    public func deletePost(id: Int64) async throws -> Bool { try await catalog.deleteRecord(kind: Kind.post, id: id) }

    // MARK: Shifts

    public func shifts(from: Int64, to: Int64) async throws -> [Shift] {
        // Shifts are stored by their start; one that started up to a day before `from` may still run.
        try await catalog.records(kind: Kind.shift, tag: nil, from: from.subtractingClamped(86_400_000_000), to: to, limit: 10_000).map { record in
            var shift = try Self.decode(Shift.self, record)
            shift.id = record.id
            return shift
        }.filter { $0.endMicros > from }.sorted { ($0.startMicros, $0.id) < ($1.startMicros, $1.id) }
    }

    public func addShift(_ shift: Shift) async throws -> Shift {
        let record = try await catalog.insertRecord(kind: Kind.shift, key: nil,
                                                    fields: RecordFields(tag: shift.guardName, time: shift.startMicros, body: try Self.encoder.encode(shift))).record
        var saved = shift
        saved.id = record.id
        return saved
    }

    /// Replaces a shift (post, guard, start and end); nil when there is no such shift.
    public func updateShift(_ shift: Shift) async throws -> Shift? {
        guard try await catalog.updateRecord(kind: Kind.shift, id: shift.id, { _ in
            RecordFields(tag: shift.guardName, time: shift.startMicros, body: try Self.encoder.encode(shift))
        }) != nil else { return nil }
        return shift
    }

    public func deleteShift(id: Int64) async throws -> Bool { try await catalog.deleteRecord(kind: Kind.shift, id: id) }

    // MARK: Duty

    /// Duty records as stored, with positions reported to this node and not stored yet.
    public func duties() async throws -> [Duty] {
        let unstored = pending.withLock { $0 }
        return try await catalog.records(kind: Kind.duty).map { record in
            let duty = try Self.decode(Duty.self, record)
            return unstored[duty.guardName]?.duty ?? duty
        }.sorted { $0.guardName < $1.guardName }
    }

    public func duty(of guardName: String) async throws -> Duty? {
        if let unstored = pending.withLock({ $0[guardName] }) { return unstored.duty }
        return try await catalog.record(kind: Kind.duty, key: guardName).map { try Self.decode(Duty.self, $0) }
    }

    /// A guard starts or ends duty, or reports where they are; answers the duty and whether it
    /// started or ended. The post is the one the guard belongs to (the first, when several).
    ///
    /// A report that only moves the position (the phone sends one every few seconds) is kept in
    /// memory and stored with the others in one batch (``flushPositions()``, every tick of the
    /// dispatch monitor): 500 phones cost a transaction every half second, not a hundred a second.
    /// Starting or ending duty is stored at once, and so is a report when this node has not stored
    /// the guard's duty the full way for ten minutes (which also picks up a changed post).
    public func setDuty(guardName: String, onDuty: Bool, position: Duty.Position?) async throws -> (duty: Duty, changed: Bool) {
        let now = Self.nowMicros()
        if let position {
            let kept: Duty? = known.withLock { known in
                guard let cached = known[guardName], cached.duty.onDuty == onDuty, now - cached.storedMicros < Self.restoreAfterMicros else { return nil }
                var duty = cached.duty
                duty.position = position
                known[guardName]?.duty = duty
                pending.withLock { $0[guardName] = (cached.id, duty) }
                return duty
            }
            if let kept { return (kept, false) }
        }
        let post = try await posts().first { $0.guards.contains(guardName) }?.id
        let before = try await catalog.record(kind: Kind.duty, key: guardName).map { try Self.decode(Duty.self, $0) }
        let fresh = Duty(guardName: guardName, onDuty: onDuty, sinceMicros: now, post: post, position: position)
        let inserted = try await catalog.insertRecord(kind: Kind.duty, key: guardName,
                                                      fields: RecordFields(tag: onDuty ? "on" : "off", time: now, body: try Self.encoder.encode(fresh)))
        var stored = fresh
        if !inserted.created {
            let unstored = pending.withLock { $0[guardName]?.duty.position }
            let updated = try await catalog.updateRecord(kind: Kind.duty, id: inserted.record.id) { record in
                var duty = try Self.decode(Duty.self, record)
                if duty.onDuty != onDuty { duty.sinceMicros = now }
                duty.onDuty = onDuty
                duty.post = post
                if let position = position ?? unstored { duty.position = position }
                return RecordFields(tag: onDuty ? "on" : "off", time: now, body: try Self.encoder.encode(duty))
            }
            stored = try updated.map { try Self.decode(Duty.self, $0) } ?? fresh
        }
        let id = inserted.record.id
        known.withLock { $0[guardName] = (id, stored, now) }
        pending.withLock { $0[guardName] = nil }
        return (stored, (before?.onDuty ?? false) != stored.onDuty)
    }

    /// How long a guard's duty goes on being updated only in memory (and by the batches) before a
    /// report is stored the full way again, picking up a changed post.
    static let restoreAfterMicros: Int64 = 600_000_000

    /// Stores the positions reported since the last call, in one transaction.
    public func flushPositions() async throws {
        let batch = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await catalog.replaceRecords(kind: Kind.duty, try batch.values.map { entry in
                (entry.id, RecordFields(tag: entry.duty.onDuty ? "on" : "off", time: entry.duty.position?.atMicros ?? Self.nowMicros(),
                                        body: try Self.encoder.encode(entry.duty)))
            })
        } catch {
            // Kept for the next flush, unless a newer report came meanwhile.
            pending.withLock { pending in pending.merge(batch) { newer, _ in newer } }
            throw error
        }
    }

    // MARK: Equipment

    public func equipment(holder: String? = nil) async throws -> [EquipmentItem] {
        try await catalog.records(kind: Kind.equipment, tag: holder, from: .min, to: .max, limit: 100_000).map(Self.item).sorted { $0.number < $1.number }
    }

    public func equipmentItem(id: Int64) async throws -> EquipmentItem? {
        try await catalog.record(kind: Kind.equipment, id: id).map(Self.item)
    }

    public func equipmentItem(number: String) async throws -> EquipmentItem? {
        try await catalog.record(kind: Kind.equipment, key: number).map(Self.item)
    }

    static func item(_ record: StoredRecord) throws -> EquipmentItem {
        var item = try decode(EquipmentItem.self, record)
        item.id = record.id
        return item
    }

    /// Adds an item; nil when its inventory number is taken.
    public func addEquipment(_ item: EquipmentItem, by user: String) async throws -> EquipmentItem? {
        var item = item
        item.history = [EquipmentItem.Event(action: "added", atMicros: Self.nowMicros(), by: user, holder: item.holder, condition: item.condition, note: "")]
        let result = try await catalog.insertRecord(kind: Kind.equipment, key: item.number,
                                                    fields: RecordFields(tag: item.holder, time: Self.nowMicros(), body: try Self.encoder.encode(item)))
        guard result.created else { return nil }
        return try Self.item(result.record)
    }

    /// Issues, returns, or notes the condition of an item, with its history.
    public func changeEquipment(id: Int64, action: String, holder: String?, condition: EquipmentItem.Condition?, note: String, by user: String) async throws -> EquipmentItem? {
        let now = Self.nowMicros()
        return try await catalog.updateRecord(kind: Kind.equipment, id: id) { record in
            var item = try Self.decode(EquipmentItem.self, record)
            if let holder { item.holder = holder }
            if let condition { item.condition = condition }
            item.history.append(EquipmentItem.Event(action: action, atMicros: now, by: user, holder: item.holder, condition: item.condition, note: note))
            return RecordFields(tag: item.holder, time: now, body: try Self.encoder.encode(item))
        }.map(Self.item)
    }

    // MARK: Incidents

    static func incident(_ record: StoredRecord) throws -> Incident {
        var incident = try decode(Incident.self, record)
        incident.id = record.id
        return incident
    }

    static func fields(_ incident: Incident) throws -> RecordFields {
        RecordFields(tag: incident.state.isOpen ? "open" : "closed", time: incident.createdMicros, body: try encoder.encode(incident))
    }

    public func incidents(openOnly: Bool, from: Int64 = .min, to: Int64 = .max, limit: Int = 1000) async throws -> [Incident] {
        try await catalog.records(kind: Kind.incident, tag: openOnly ? "open" : nil, from: from, to: to, limit: limit).map(Self.incident)
    }

    public func incident(id: Int64) async throws -> Incident? {
        try await catalog.record(kind: Kind.incident, id: id).map(Self.incident)
    }

    /// Stores a new incident and offers it to the nearest available guard. `key` makes a retried
    /// creation (a phone back online, another node seeing the same alert) the same incident.
    public func create(_ incident: Incident, key: String?) async throws -> (incident: Incident, created: Bool) {
        let (record, created) = try await catalog.insertRecord(kind: Kind.incident, key: key, fields: try Self.fields(incident))
        guard created else { return (try Self.incident(record), false) }
        try await catalog.appendAudit(actor: incident.createdBy, client: "local", action: "incident.create", target: "/api/incidents/\(record.id)",
                                      detail: "\(incident.source.rawValue): \(incident.summary)")
        if let offered = try await offerNext(id: record.id) { return (offered, true) }
        return (try Self.incident(record), true)
    }

    /// Changes an incident with `change` (which may need to look elsewhere first), stored only if
    /// nobody changed the incident since it was read; tried again on a conflict.
    func mutate(id: Int64, _ change: (Incident) async throws -> Incident?) async throws -> Incident? {
        try await changeIncident(id: id, change)?.incident
    }

    /// As ``mutate(id:_:)``, and whether this call stored the change (false: `change` found it no
    /// longer applied, because a decline, a time-out or another node got there first). What
    /// follows a change (its audit entry, the next offer) is done only by the call that stored it.
    func changeIncident(id: Int64, _ change: (Incident) async throws -> Incident?) async throws -> (incident: Incident, stored: Bool)? {
        for _ in 0..<16 {
            guard let record = try await catalog.record(kind: Kind.incident, id: id) else { return nil }
            let current = try Self.incident(record)
            guard let changed = try await change(current) else { return (current, false) }
            let fields = try Self.fields(changed)
            let seen = record.revision
            let stored = try await catalog.updateRecord(kind: Kind.incident, id: id) { now in now.revision == seen ? fields : nil }
            guard let stored else { return nil }
            // Stored as changed, unless someone changed the incident in between (then read again).
            if stored.body == fields.body {
                let incident = try Self.incident(stored)
                announce(incident, revision: stored.revision)
                return (incident, true)
            }
        }
        throw IncidentRefusal(.conflict, "incident \(id) changed too often to apply the change; try again")
    }

    /// Guards available for a new offer, by where their phones last were.
    func candidates(for incident: Incident) async throws -> [Dispatcher.Candidate] {
        let busy = Set(try await incidents(openOnly: true).filter { $0.id != incident.id && $0.state.holdsGuard }.compactMap(\.guardName))
        let now = Self.nowMicros()
        return try await duties().compactMap { duty in
            guard duty.onDuty, let position = duty.position, !busy.contains(duty.guardName),
                  !incident.passedBy.contains(duty.guardName),
                  now - position.atMicros <= settings.positionFreshMicros else { return nil }
            return Dispatcher.Candidate(guardName: duty.guardName, latitude: position.latitude, longitude: position.longitude)
        }
    }

    /// Offers a waiting incident to the nearest available guard; escalates to the operators when
    /// there is none. Answers the incident as stored.
    @discardableResult
    public func offerNext(id: Int64) async throws -> Incident? {
        var escalateNow = false
        let outcome = try await changeIncident(id: id) { incident in
            escalateNow = false
            guard incident.state == .new else { return nil }
            let candidates = try await candidates(for: incident)
            let ranked = Dispatcher.rank(latitude: incident.latitude, longitude: incident.longitude, candidates: candidates, city: try await routingCity())
            var changed = incident
            let now = Self.nowMicros()
            if let best = ranked.first {
                changed.offer(to: best.guardName, distance: best.distance, routed: best.routed, atMicros: now,
                              expiresMicros: now + settings.offerTimeoutMicros, by: "aula")
            } else {
                guard !incident.escalated else { return nil }
                changed.escalate(atMicros: now)
                escalateNow = true
            }
            return changed
        }
        guard let outcome else { return nil }
        let result = outcome.incident
        // When another call (a decline's, another node's monitor) offered it first, that offer
        // stands and was audited there.
        if outcome.stored {
            // A panic needs no second alert: the panic alert reached the operators already.
            if escalateNow && result.source != .panic {
                try await alerts.raise(.incidentUnanswered, camera: nil, message: "incident \(id) (\(result.summary)): no guard on duty accepted it")
            } else if result.state == .offered, let guardName = result.guardName {
                try await catalog.appendAudit(actor: "aula", client: "local", action: "incident.offer", target: "/api/incidents/\(id)",
                                              detail: "offered to \(guardName), \(Int(result.distanceMetres ?? 0)) m\(result.routed ? " by route" : " in a straight line")")
            }
        }
        return result
    }

    /// A step by a guard or an operator (accept, decline, depart, arrive, clear, cancel). A step
    /// whose idempotency key was taken already changes nothing and answers the incident as it is.
    public func act(id: Int64, _ action: IncidentAction, by user: String, asGuard: Bool, key: String?, note: String?) async throws -> Incident? {
        let result = try await mutate(id: id) { incident in
            if incident.hasStep(key: key) { return nil }
            var changed = incident
            try changed.apply(action, by: user, asGuard: asGuard, atMicros: Self.nowMicros(), key: key, note: note)
            return changed
        }
        if action == .decline, let result, result.state == .new { return try await offerNext(id: id) }
        // The alert an incident came from is dealt with when the incident is cleared: acknowledged
        // by whoever cleared it, so that it neither escalates nor keeps the operators' list busy.
        if action == .clear, let result, result.state == .cleared, let alertID = result.alertID {
            _ = try await alerts.acknowledge(id: alertID, by: user)
        }
        return result
    }

    /// An operator offers the incident to a guard of their choice (dispatch or re-dispatch).
    public func dispatch(id: Int64, to guardName: String, by user: String) async throws -> Incident? {
        guard let duty = try await duty(of: guardName), duty.onDuty else {
            throw IncidentRefusal(.invalid, "guard \(guardName) is not on duty")
        }
        let city = try await routingCity()
        return try await mutate(id: id) { incident in
            guard [.new, .offered, .accepted, .enRoute].contains(incident.state) else {
                throw IncidentRefusal(.conflict, "incident \(id) is \(incident.state.rawValue): it cannot be dispatched now")
            }
            var changed = incident
            let ranked = duty.position.map {
                Dispatcher.rank(latitude: incident.latitude, longitude: incident.longitude,
                                candidates: [Dispatcher.Candidate(guardName: guardName, latitude: $0.latitude, longitude: $0.longitude)], city: city)
            }?.first
            let now = Self.nowMicros()
            changed.passedBy.removeAll { $0 == guardName }
            changed.offer(to: guardName, distance: ranked?.distance ?? 0, routed: ranked?.routed ?? false, atMicros: now,
                          expiresMicros: now + settings.offerTimeoutMicros, by: user, action: "dispatched")
            return changed
        }
    }

    /// Offers that ran out pass to the next guard. Run by every node's monitor; an offer moves on
    /// once, whichever node sees it first.
    public func lapseExpiredOffers() async throws {
        let now = Self.nowMicros()
        // One read per tick serves the three passes: each change re-reads its incident anyway.
        let records = try await catalog.records(kind: Kind.incident, tag: "open", from: .min, to: .max, limit: 1000)
        try await announceChangesElsewhere(records)
        let open = try records.map(Self.incident)
        for incident in open where incident.state == .offered && (incident.offerExpiresMicros ?? .max) <= now {
            let lapsed = try await changeIncident(id: incident.id) { current in
                guard current.state == .offered, let expires = current.offerExpiresMicros, expires <= Self.nowMicros() else { return nil }
                var changed = current
                changed.lapse(atMicros: Self.nowMicros())
                return changed
            }
            // Only the call that stored the lapse: when the guard declined meanwhile (or another
            // monitor lapsed it), the offer was not left to run out, and that call moves it on.
            if let lapsed, lapsed.stored, lapsed.incident.state == .new {
                try await catalog.appendAudit(actor: "aula", client: "local", action: "incident.lapse", target: "/api/incidents/\(incident.id)",
                                              detail: "\(incident.guardName ?? "?") did not answer within \(settings.offerTimeoutMicros / 1_000_000) s")
                try await offerNext(id: incident.id)
            }
        }
        // Incidents still waiting (nobody was free before) are offered again when someone is.
        for incident in open where incident.state == .new {
            try await offerNext(id: incident.id)
        }
    }

    /// Enters a cleared incident into the offence register (id `incident-ID`, the incident's
    /// place and creation time, a link to it), so that hot spots, planning and the pilot's
    /// evaluation count what the guards found. Once per incident.
    public func registerOffence(incidentID: Int64, type: String, status: OffenceStatus) async throws -> Offence {
        guard let incident = try await incident(id: incidentID) else { throw IncidentRefusal(.notFound, "no such incident") }
        guard incident.state == .cleared else {
            throw IncidentRefusal(.conflict, "incident \(incidentID) is \(incident.state.rawValue): only a cleared incident is entered as an offence")
        }
        let offence = Offence(id: "incident-\(incidentID)", time: incident.createdMicros,
                              location: .geo(GeoCoordinate(latitude: incident.latitude, longitude: incident.longitude)),
                              type: type, status: status, footageLinks: ["/api/incidents/\(incidentID)"], address: incident.summary)
        try await city.updateOffences { register in
            guard !register.offences.contains(where: { $0.id == offence.id }) else {
                throw IncidentRefusal(.conflict, "incident \(incidentID) is in the offence register already (\(offence.id))")
            }
            register.offences.append(offence)
        }
        return offence
    }

    /// A guard's panic button: an incident at their position and an alert to every operator.
    public func panic(guardName: String, latitude: Double, longitude: Double, key: String?) async throws -> Incident {
        let now = Self.nowMicros()
        var incident = Incident(source: .panic, latitude: latitude, longitude: longitude, summary: "panic: \(guardName)", createdMicros: now, createdBy: guardName)
        incident.passedBy = [guardName]
        let (created, isNew) = try await create(incident, key: key.map { "panic:\(guardName):\($0)" })
        if isNew {
            try await alerts.raise(.panic, camera: nil, message: String(format: "PANIC: %@ at %.6f, %.6f (incident %lld)", guardName, latitude, longitude, created.id))
        }
        incident = created
        return incident
    }

    /// Makes an incident of an alert of a camera whose post dispatches by itself.
    public func incidentFromAlert(_ alert: StoredAlert) async throws -> Incident? {
        guard [.motion, .cameraOffline].contains(alert.kind), let cameraID = alert.cameraID,
              let post = try await posts().first(where: { $0.autoDispatch && $0.cameras.contains(cameraID) }),
              let camera = try await catalog.camera(id: cameraID) else { return nil }
        // One open incident per camera: later alerts of a camera someone is already sent to are
        // the same call (as dispatch systems merge alarms of one source), not a queue of new ones.
        if try await incidents(openOnly: true).contains(where: { $0.cameraID == cameraID }) { return nil }
        let incident = Incident(source: alert.kind == .motion ? .motion : .cameraDark, cameraID: cameraID, alertID: alert.id,
                                latitude: camera.latitude, longitude: camera.longitude, district: camera.district, post: post.id,
                                summary: "\(camera.name): \(alert.message)", createdMicros: Self.nowMicros(), createdBy: "aula")
        return try await create(incident, key: "alert:\(alert.id)").incident
    }
}

/// How dispatch behaves (docs/guards.md).
public struct GuardSettings: Sendable {
    /// How long an offered guard has to accept before the next is offered the incident.
    public var offerTimeoutMicros: Int64 = 60_000_000
    /// A position older than this does not count: the guard is not offered incidents.
    public var positionFreshMicros: Int64 = 120_000_000
    /// How often offers are checked for their time-out.
    public var tick: Duration = .milliseconds(500)

    public init() {}
}

extension Int64 {
    func subtractingClamped(_ other: Int64) -> Int64 {
        let (value, overflow) = subtractingReportingOverflow(other)
        return overflow ? .min : value
    }
}

/// The revisions of incidents that listeners were told of, for ``GuardService/announceChangesElsewhere(_:)``.
struct ToldRevisions {
    struct Told {
        var revision: Int64
        var open: Bool
        var tick: Int
    }
    /// Nil until the first tick, which only takes note (a node just started tells nothing old).
    var incidents: [Int64: Told]?
    var ticks = 0
    /// Closed incidents are forgotten after this many ticks without news of them.
    static let memory = 240

    /// Notes a change told to the listeners; false when they were told of it (or of a newer one) already.
    mutating func note(_ incident: Incident, revision: Int64) -> Bool {
        guard incidents != nil else { return true }
        if let told = incidents![incident.id], told.revision >= revision { return false }
        incidents![incident.id] = Told(revision: revision, open: incident.state.isOpen, tick: ticks)
        return true
    }

    /// The open incidents read at a tick, by id and revision: which of them changed since the
    /// listeners were told, and which incidents told as open are no longer open (to be read).
    mutating func tick(open: [(id: Int64, revision: Int64)]) -> (changed: Set<Int64>, closed: [Int64]) {
        ticks += 1
        guard var known = incidents else {
            incidents = Dictionary(open.map { ($0.id, Told(revision: $0.revision, open: true, tick: ticks)) }, uniquingKeysWith: { a, _ in a })
            return ([], [])
        }
        var changed = Set<Int64>()
        for (id, revision) in open {
            if let told = known[id], told.revision >= revision { known[id]!.tick = ticks } else { changed.insert(id) }
        }
        let now = Set(open.map(\.id))
        let closed = known.filter { $0.value.open && !now.contains($0.key) }.map(\.key)
        known = known.filter { now.contains($0.key) || $0.value.open || ticks - $0.value.tick < Self.memory }
        incidents = known
        return (changed, closed)
    }
}
