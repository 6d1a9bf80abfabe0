import Alerts
import Catalog
import Foundation
import Logging
import ServiceLifecycle

/// Moves offers on when they run out, offers waiting incidents when a guard becomes free, and
/// turns alerts of cameras whose post dispatches by itself into incidents (docs/guards.md). Every
/// node runs one; each change is decided on the record, so an offer moves on once in the cluster,
/// and an alert becomes one incident (keyed by the alert).
public struct DispatchMonitor: Service {
    let guards: GuardService
    let alerts: AlertHub
    let logger: Logger

    public init(guards: GuardService, alerts: AlertHub, logger: Logger) {
        self.guards = guards
        self.alerts = alerts
        self.logger = logger
    }

    public func run() async throws {
        let system = User(name: "aula", role: .administrator, passwordHash: "")
        let (stream, cancel) = alerts.subscribe(user: system)
        defer { cancel() }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await notice in stream.cancelOnGracefulShutdown() where notice.alert.acknowledgedMicros == nil {
                    do { _ = try await guards.incidentFromAlert(notice.alert) } catch {
                        logger.warning("alert \(notice.alert.id) could not become an incident: \(error)")
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    do {
                        try await guards.flushPositions()
                        try await guards.lapseExpiredOffers()
                    } catch {
                        logger.warning("dispatch: positions or offers could not be handled: \(error)")
                    }
                    try? await Task.sleep(for: guards.settings.tick)
                }
                // The last positions reported before the stop.
                try? await guards.flushPositions()
                cancel()
            }
        }
    }
}
