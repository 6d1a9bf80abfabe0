import Foundation

/// The time zone that motion schedules (`"22:00-06:00"`) are read in (docs/motion.md, "Time zones").
///
/// A site's cameras follow the site's clock, not the server's: a server in UTC, or in another city,
/// must still start the night watch at 22:00 where the cameras are. So the zone is explicit: the
/// server's default (`aula serve --time-zone`, the system zone when not given) and, per camera, the
/// `timeZone` of its motion settings. Only IANA names (`Asia/Almaty`, `Europe/Paris`, `UTC`) are
/// accepted: a fixed offset such as `UTC+5` does not follow the site's daylight saving time.
public enum ScheduleTimeZone {
    /// The zone with this IANA name, or nil when the system's time zone database does not know it.
    public static func named(_ identifier: String) -> TimeZone? {
        guard identifier == "UTC" || known.contains(identifier) else { return nil }
        return TimeZone(identifier: identifier)
    }

    /// The message for a name that is not a known zone (the caller names the field).
    public static func problem(_ identifier: String) -> String {
        "\"\(identifier)\" is not an IANA time zone known to this server (such as \"Asia/Almaty\" or \"UTC\")"
    }

    static let known = Set(TimeZone.knownTimeZoneIdentifiers)
}
