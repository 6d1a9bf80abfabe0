/// Per-camera motion settings, stored as the JSON text the Motion module reads and writes (the
/// server validates it before storing; a value that no longer decodes leaves the camera masked).
public protocol MotionSettingsStore: Sendable {
    /// Every camera's settings.
    func motionConfigurations() async throws -> [Int64: String]
    func motionConfiguration(camera: Int64) async throws -> String?
    /// Stores (or, with nil, removes) a camera's settings.
    func setMotionConfiguration(_ json: String?, camera: Int64) async throws
}

/// Motion events with their thumbnails. Times in 90 kHz ticks since the Unix epoch.
public protocol MotionEventStore: Sendable {
    /// Inserts an event (open when `end90k` is nil) and returns its id, which the database assigns.
    func insertMotionEvent(_ event: StoredMotionEvent, thumbnail: [UInt8]?) async throws -> Int64
    /// Closes an event with its final end, peak and box.
    func finishMotionEvent(id: Int64, end90k: Int64, peakScore: Double, box: [Double]) async throws
    /// Events overlapping [start, end), newest first (by start, then id); `cameras` limits them to
    /// those cameras when given (an empty list gives nothing), `zone` to that zone.
    func motionEvents(cameras: [Int64]?, zone: String?, start90k: Int64, end90k: Int64, limit: Int) async throws -> [StoredMotionEvent]
    func motionEvent(id: Int64) async throws -> (event: StoredMotionEvent, thumbnail: [UInt8]?)?
}

/// Alerts to operators and guards. Times in microseconds since the Unix epoch.
public protocol AlertStore: Sendable {
    /// Inserts an alert and returns it with the id the database assigned.
    func insertAlert(_ alert: StoredAlert) async throws -> StoredAlert
    /// Alerts, newest first; only unacknowledged ones when `openOnly`.
    func alerts(openOnly: Bool, limit: Int) async throws -> [StoredAlert]
    func alert(id: Int64) async throws -> StoredAlert?
    /// Acknowledges an open alert; returns it as stored afterwards (unchanged when it was already
    /// acknowledged: the first acknowledgement stands), nil when there is no such alert.
    func acknowledgeAlert(id: Int64, by user: String, atMicros: Int64) async throws -> StoredAlert?
    /// Marks open, unescalated alerts of escalating kinds raised at or before `beforeMicros` as
    /// escalated at `atMicros`, and returns them; each alert escalates once.
    func escalateAlerts(raisedBefore beforeMicros: Int64, atMicros: Int64) async throws -> [StoredAlert]
}

extension MotionEventStore {
    public func motionEvents(cameras: [Int64]? = nil, zone: String? = nil, start90k: Int64 = .min, end90k: Int64 = .max) async throws -> [StoredMotionEvent] {
        try await motionEvents(cameras: cameras, zone: zone, start90k: start90k, end90k: end90k, limit: 1000)
    }
}

extension AlertStore {
    public func alerts(openOnly: Bool) async throws -> [StoredAlert] { try await alerts(openOnly: openOnly, limit: 500) }
}
