/// A motion event as the catalogue keeps it: wall times in 90 kHz ticks since the Unix epoch (like
/// recordings, so that a clip is a recording range), the thumbnail fetched separately.
public struct StoredMotionEvent: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var cameraID: Int64
    public var zone: String
    public var start90k: Int64
    /// When the event was raised (the alert time).
    public var confirmed90k: Int64
    /// Nil while the event is open.
    public var end90k: Int64?
    public var peakScore: Double
    /// Normalised box at the peak (x0, y0, x1, y1), empty when unknown.
    public var box: [Double]

    public init(id: Int64 = 0, cameraID: Int64, zone: String, start90k: Int64, confirmed90k: Int64, end90k: Int64? = nil, peakScore: Double, box: [Double]) {
        self.id = id
        self.cameraID = cameraID
        self.zone = zone
        self.start90k = start90k
        self.confirmed90k = confirmed90k
        self.end90k = end90k
        self.peakScore = peakScore
        self.box = box
    }
}

/// An alert to operators and guards (docs/motion.md, "Alerts"). Times in microseconds since the epoch.
public struct StoredAlert: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case motion, cameraOffline, cameraOnline, recordingStalled, recordingResumed, diskPressure, diskPressureCleared
        /// A node could not reach the shared catalogue for a while and recorded on (raised when it
        /// answers again: an alert is stored in the catalogue).
        case catalogueOutage
        /// A guard pressed the panic button (the message carries where they were).
        case panic
        /// An incident that no guard on duty accepted (docs/guards.md).
        case incidentUnanswered
        /// Whether an unacknowledged alert of this kind escalates (good news does not: a camera
        /// back online, recording resumed, disk pressure over; nor a catalogue outage that is over).
        public var escalates: Bool { ![.cameraOnline, .recordingResumed, .diskPressureCleared, .catalogueOutage].contains(self) }
    }

    public var id: Int64
    public var kind: Kind
    /// Nil for server-wide alerts (disk pressure).
    public var cameraID: Int64?
    public var zone: String?
    public var eventID: Int64?
    public var message: String
    public var raisedMicros: Int64
    public var escalatedMicros: Int64?
    public var acknowledgedBy: String?
    public var acknowledgedMicros: Int64?

    public var isOpen: Bool { acknowledgedMicros == nil }

    public init(id: Int64 = 0, kind: Kind, cameraID: Int64?, zone: String? = nil, eventID: Int64? = nil, message: String, raisedMicros: Int64,
                escalatedMicros: Int64? = nil, acknowledgedBy: String? = nil, acknowledgedMicros: Int64? = nil) {
        self.id = id
        self.kind = kind
        self.cameraID = cameraID
        self.zone = zone
        self.eventID = eventID
        self.message = message
        self.raisedMicros = raisedMicros
        self.escalatedMicros = escalatedMicros
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedMicros = acknowledgedMicros
    }
}
