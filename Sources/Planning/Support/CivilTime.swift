/// Calendar arithmetic on microseconds since the Unix epoch, in UTC (or a fixed offset), without
/// `Date`: the register stores time as integers (ARCHITECTURE.md, decision 3), and a month index is
/// all the evaluation needs.
public enum CivilTime {
    public static let microsecondsPerSecond: Int64 = 1_000_000
    public static let microsecondsPerDay: Int64 = 86_400 * 1_000_000

    /// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        // Shift the year to start in March so the leap day is the last day of the "year".
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The (year, month, day) of a day count since 1970-01-01.
    public static func date(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Whether the date exists (31.02 does not).
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Microseconds since the epoch of a UTC wall time.
    public static func microseconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0,
                                    second: Int = 0) -> Int64 {
        let d = days(year: year, month: month, day: day)
        return (d * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * microsecondsPerSecond
    }

    /// Floor division that rounds towards minus infinity (times before 1970 stay in their day).
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Months since January 1970 of a time (UTC): a compact, sortable month key.
    public static func monthIndex(_ time: Int64) -> Int {
        let (y, m, _) = date(days: floorDiv(time, microsecondsPerDay))
        return (y - 1970) * 12 + (m - 1)
    }

    /// The first instant of a month index.
    public static func startOfMonth(_ index: Int) -> Int64 {
        let y = 1970 + Int((Double(index) / 12).rounded(.down))
        let m = index - (y - 1970) * 12 + 1
        return microseconds(year: y, month: m, day: 1)
    }

    /// "2025-03" for a month index.
    public static func monthLabel(_ index: Int) -> String {
        let y = 1970 + Int((Double(index) / 12).rounded(.down))
        let m = index - (y - 1970) * 12 + 1
        return "\(y)-\(m < 10 ? "0" : "")\(m)"
    }

    /// Hour of day 0–23 (UTC).
    public static func hourOfDay(_ time: Int64) -> Int {
        let s = time / microsecondsPerSecond
        let r = s - floorDiv(s, 86_400) * 86_400
        return Int(r / 3600)
    }

    /// ISO 8601 "2025-03-04T21:15:00Z" (seconds precision).
    public static func iso8601(_ time: Int64) -> String {
        let dayCount = floorDiv(time, microsecondsPerDay)
        let (y, m, d) = date(days: dayCount)
        let secs = Int(floorDiv(time, microsecondsPerSecond) - dayCount * 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }
}
