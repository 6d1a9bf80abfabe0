/// Motion in one alert zone of one camera, from the first moving picture to the last.
///
/// Value type and `Codable`, so persistence (a catalogue table), the API (JSON) and alert delivery
/// can take it as it is. Times are media time in 90 kHz ticks, as everywhere in Aula; the recorder
/// maps them to wall time the same way it does for recordings.
public struct MotionEvent: Sendable, Hashable, Codable {
    /// Counts up per detector (per camera and run).
    public var sequence: Int
    public var zone: String
    /// The first analysed picture of the motion that became this event.
    public var start: Int64
    /// When the event was raised: `start` plus the minimum duration, rounded to analysed pictures.
    /// This is the earliest time an alert can go out.
    public var confirmed: Int64
    /// The last analysed picture with motion in the zone; nil while the event is open.
    public var end: Int64?
    /// Largest share of the zone's area in motion in any picture of the event (0…1).
    public var peakScore: Double
    /// Bounding box of the motion at the peak, normalised (x0, y0, x1, y1).
    public var peakBox: [Double]
    /// A small greyscale JPEG of the picture at confirmation, privacy masks blacked out.
    public var thumbnail: [UInt8]?

    public init(sequence: Int, zone: String, start: Int64, confirmed: Int64, end: Int64? = nil, peakScore: Double, peakBox: [Double], thumbnail: [UInt8]? = nil) {
        self.sequence = sequence
        self.zone = zone
        self.start = start
        self.confirmed = confirmed
        self.end = end
        self.peakScore = peakScore
        self.peakBox = peakBox
        self.thumbnail = thumbnail
    }
}

/// What a detector reports after a picture.
public enum MotionEventUpdate: Sendable, Hashable {
    /// An event was raised (alert now); its `end` is nil.
    case started(MotionEvent)
    /// An event ended; carries the final peak and end.
    case ended(MotionEvent)

    public var event: MotionEvent {
        switch self {
        case .started(let e), .ended(let e): e
        }
    }
}
