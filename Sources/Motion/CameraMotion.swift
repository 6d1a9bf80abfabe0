import Foundation

/// What is stored per camera for motion: on or off, the configuration (settings and zones, whose
/// privacy zones mask footage whether analysis is on or off), and the zone schedules are read in.
public struct CameraMotion: Codable, Sendable {
    public var enabled: Bool
    public var configuration: MotionConfiguration
    /// IANA name of the zone schedules are read in; nil: the server's default.
    public var timeZone: String?

    public init(enabled: Bool, configuration: MotionConfiguration, timeZone: String? = nil) {
        self.enabled = enabled
        self.configuration = configuration
        self.timeZone = timeZone
    }

    /// The zone schedules are read in. A stored name the system no longer knows (a changed
    /// time zone database) falls back to the default rather than stopping analysis.
    public func scheduleTimeZone(default zone: TimeZone) -> TimeZone {
        timeZone.flatMap(ScheduleTimeZone.named) ?? zone
    }
}
