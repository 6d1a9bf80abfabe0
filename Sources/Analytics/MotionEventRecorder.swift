import Alerts
import Catalog
import Logging
import Motion

/// Stores motion events and raises their alerts. Events come only from alert zones, and only
/// start inside a zone's schedule (the detector gates them), so every started event is an alert.
public struct MotionEventRecorder: Sendable {
    let catalog: AulaCatalog
    let alerts: AlertHub
    let logger: Logger

    public init(catalog: AulaCatalog, alerts: AlertHub, logger: Logger) {
        self.catalog = catalog
        self.alerts = alerts
        self.logger = logger
    }

    /// Records `updates` of `camera`; `open` maps the detector's sequence to the stored event id.
    /// Returns how many events started.
    func record(camera: Int64, updates: [MotionEventUpdate], clock: WallClock, open: inout [Int: Int64]) async -> Int {
        var started = 0
        for update in updates {
            let e = update.event
            do {
                switch update {
                case .started:
                    let stored = StoredMotionEvent(cameraID: camera, zone: e.zone, start90k: clock.wall90k(media: e.start), confirmed90k: clock.wall90k(media: e.confirmed),
                                                   peakScore: e.peakScore, box: e.peakBox)
                    let id = try await catalog.insertMotionEvent(stored, thumbnail: e.thumbnail)
                    open[e.sequence] = id
                    started += 1
                    try await alerts.raise(.motion, camera: camera, zone: e.zone, eventID: id, message: "motion in zone \(e.zone)")
                case .ended:
                    guard let id = open.removeValue(forKey: e.sequence) else { continue }
                    try await catalog.finishMotionEvent(id: id, end90k: clock.wall90k(media: e.end ?? e.confirmed), peakScore: e.peakScore, box: e.peakBox)
                }
            } catch {
                logger.error("cannot store a motion event", metadata: ["camera": "\(camera)", "error": "\(error)"])
            }
        }
        return started
    }
}
