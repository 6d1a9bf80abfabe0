import Catalog
import Foundation
import Logging
import Synchronization

/// Raises, delivers, acknowledges and escalates alerts (docs/motion.md, "Alerts").
///
/// Every alert is stored and audited before it is sent. Each connected client (an operator's
/// alert page, a guard's phone) is a subscriber with its user: it receives only the alerts of
/// cameras that user may watch live (guards: the cameras granted to them; operators: every camera
/// not denied to them), and server-wide alerts (disk pressure) only if it is not a guard.
/// A slow subscriber never holds the others up: its queue keeps the newest 256 messages.
public final class AlertHub: Sendable {
    public let catalog: AulaCatalog
    let logger: Logger
    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextSubscriber = Atomic<Int>(1)
    /// What was sent lately (an alert's id and state), so that each state of an alert reaches
    /// subscribers once, whether this node changed it or another node did (``deliver(id:)``).
    private let sent = Mutex(SentAlerts())

    struct SentAlerts {
        var keys: Set<String> = []
        var order: [String] = []
        /// Returns whether `key` is new (and remembers it; the oldest go beyond 4096).
        mutating func insert(_ key: String) -> Bool {
            guard keys.insert(key).inserted else { return false }
            order.append(key)
            if order.count > 4096 { keys.remove(order.removeFirst()) }
            return true
        }
    }

    struct Subscriber {
        var user: User
        var continuation: AsyncStream<AlertNotice>.Continuation
    }

    public init(catalog: AulaCatalog, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// Stores, audits and sends a new alert.
    @discardableResult
    public func raise(_ kind: StoredAlert.Kind, camera: Int64?, zone: String? = nil, eventID: Int64? = nil, message: String) async throws -> StoredAlert {
        let saved = try await catalog.insertAlert(StoredAlert(kind: kind, cameraID: camera, zone: zone, eventID: eventID, message: message, raisedMicros: Self.now()))
        try await catalog.appendAudit(actor: "aula", client: "local", action: "alert.raise", target: "/api/alerts/\(saved.id)",
                                      detail: "\(kind.rawValue)\(camera.map { " camera \($0)" } ?? ""): \(message)")
        await broadcast(saved)
        return saved
    }

    /// Acknowledges an alert for `user` (the route records the acknowledgement in the audit trail).
    public func acknowledge(id: Int64, by user: String) async throws -> StoredAlert? {
        guard let alert = try await catalog.acknowledgeAlert(id: id, by: user, atMicros: Self.now()) else { return nil }
        await broadcast(alert)
        return alert
    }

    /// Escalates open alerts older than `after`: marked, audited, sent again flagged.
    public func escalateDue(after: Duration) async throws {
        let now = Self.now()
        let micros = after.components.seconds * 1_000_000 + after.components.attoseconds / 1_000_000_000_000
        for alert in try await catalog.escalateAlerts(raisedBefore: now - micros, atMicros: now) {
            try await catalog.appendAudit(actor: "aula", client: "local", action: "alert.escalate", target: "/api/alerts/\(alert.id)",
                                          detail: "not acknowledged after \(micros / 1_000_000) s: \(alert.message)")
            await broadcast(alert)
        }
    }

    /// An alert another node of the cluster raised, escalated or acknowledged (its change notice
    /// names it): read from the shared catalogue and sent to this node's subscribers, once.
    public func deliver(id: Int64) async throws {
        guard let alert = try await catalog.alert(id: id) else { return }
        await broadcast(alert)
    }

    /// Alerts as the API shows them, with camera names, limited to what `user` may see.
    public func visible(_ alerts: [StoredAlert], to user: User) async throws -> [AlertNotice] {
        let cameras = Dictionary(try await catalog.cameras().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return alerts.filter { Self.may(user, see: $0, camera: $0.cameraID.flatMap { cameras[$0] }) }
            .map { AlertNotice(alert: $0, cameraName: $0.cameraID.flatMap { cameras[$0]?.name }) }
    }

    /// Whether `user` receives `alert`. Alerts of a deleted camera go to operators only.
    public static func may(_ user: User, see alert: StoredAlert, camera: Camera?) -> Bool {
        switch user.role {
        case .administrator: return true
        case .operator: return camera.map { user.may(.live, $0) } ?? true
        case .guard: return camera.map { user.may(.live, $0) } ?? false
        case .analyst, .auditor: return false
        }
    }

    /// A stream of the alerts `user` may see, from now on; cancel it with the returned closure.
    public func subscribe(user: User) -> (stream: AsyncStream<AlertNotice>, cancel: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream<AlertNotice>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = nextSubscriber.wrappingAdd(1, ordering: .relaxed).oldValue
        subscribers.withLock { $0[id] = Subscriber(user: user, continuation: continuation) }
        let cancel: @Sendable () -> Void = { [weak self] in
            self?.subscribers.withLock { $0.removeValue(forKey: id) }?.continuation.finish()
        }
        continuation.onTermination = { _ in cancel() }
        return (stream, cancel)
    }

    /// Subscribers, for tests and status.
    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    private func broadcast(_ alert: StoredAlert) async {
        let key = "\(alert.id):\(alert.escalatedMicros != nil):\(alert.acknowledgedMicros != nil)"
        guard sent.withLock({ $0.insert(key) }) else { return }
        let camera: Camera?
        do { camera = try await alert.cameraID.asyncMap { try await catalog.camera(id: $0) } ?? nil } catch {
            logger.error("alert camera lookup failed", metadata: ["error": "\(error)"])
            camera = nil
        }
        let json = AlertNotice(alert: alert, cameraName: camera?.name)
        subscribers.withLock { all in
            for subscriber in all.values where Self.may(subscriber.user, see: alert, camera: camera) {
                subscriber.continuation.yield(json)
            }
        }
    }

    public static func now() -> Int64 { CatalogClock.nowMicros() }
}

/// An alert with the name of its camera, as subscribers receive it.
public struct AlertNotice: Sendable {
    public var alert: StoredAlert
    public var cameraName: String?
}

extension Optional {
    public func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
