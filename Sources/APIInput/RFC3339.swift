/// RFC 3339 times (`2026-11-24T22:00:00Z`, `…T22:00:00.250+05:00`) to and from integers, without
/// Foundation's formatters: strict, fast, and never outside ``InputLimits/years``.
public enum RFC3339 {
    /// Nanoseconds are not kept: a parsed time is whole seconds since the epoch plus a fraction.
    public struct Instant: Sendable, Equatable {
        public var seconds: Int64
        public var nanoseconds: Int64
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil for anything else, including a
    /// year outside 0001–9999, a day that does not exist or a leap second.
    public static func parse(_ text: String) -> Instant? {
        let s = Array(text.utf8)
        guard s.count >= 20, s.count <= 40 else { return nil }
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= s.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard s[k] >= 48, s[k] <= 57 else { return nil }
                v = v * 10 + Int(s[k] - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8...) -> Bool {
            guard i < s.count, c.contains(s[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
              expect(84, 116, 32), let hour = digits(2), expect(58), let minute = digits(2), expect(58), let second = digits(2) else { return nil }
        var nanos: Int64 = 0
        if i < s.count, s[i] == 46 {
            i += 1
            var count = 0
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                if count < 9 { nanos = nanos * 10 + Int64(s[i] - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanos *= 10 }
        }
        var offsetSeconds = 0
        if expect(90, 122) {
            offsetSeconds = 0
        } else if i < s.count, s[i] == 43 || s[i] == 45 {
            let sign = s[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(58), let om = digits(2), oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == s.count, InputLimits.years.contains(year), (1...12).contains(month),
              (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return Instant(seconds: seconds, nanoseconds: nanos)
    }

    /// Microseconds since the epoch, or nil (see ``parse(_:)``).
    public static func parseMicros(_ text: String) -> Int64? {
        parse(text).map { $0.seconds * 1_000_000 + $0.nanoseconds / 1000 }
    }

    /// `2026-11-24T22:00:00.000Z`, milliseconds rounded down. Values beyond year 9999 or before
    /// year 0001 (which no checked input produces) are clamped to those years rather than trapping.
    public static func format(micros: Int64) -> String {
        let lowest = Int64(daysFromCivil(year: 1, month: 1, day: 1)) * 86_400_000_000
        let highest = Int64(daysFromCivil(year: 10_000, month: 1, day: 1)) * 86_400_000_000 - 1
        let t = min(max(micros, lowest), highest)
        let millis = floorDiv(t, 1000)
        let seconds = floorDiv(millis, 1000), ms = Int(millis - seconds * 1000)
        let days = floorDiv(seconds, 86_400), inDay = Int(seconds - days * 86_400)
        let (y, m, d) = civil(fromDays: Int(days))
        func pad(_ v: Int, _ width: Int) -> String {
            let text = String(v)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(inDay / 3600, 2)):\(pad(inDay / 60 % 60, 2)):\(pad(inDay % 60, 2)).\(pad(ms, 3))Z"
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (the usual era-based algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Wall times as 90 kHz ticks since the Unix epoch (docs/time.md), to and from RFC 3339.
public enum Time90k {
    /// Ticks of an RFC 3339 time, rounded to the nearest tick; nil when it is not one.
    public static func parse(_ text: String) -> Int64? {
        RFC3339.parse(text).map { $0.seconds * 90_000 + ($0.nanoseconds * 9 + 50_000) / 100_000 }
    }

    /// Never overflows: ticks become microseconds by dividing first.
    public static func format(_ t: Int64) -> String { RFC3339.format(micros: micros(t)) }

    /// Microseconds of a tick count, clamped to ±5e16 ticks (about ±17,600 years), far beyond any
    /// time Aula accepts, so that the conversion cannot overflow.
    public static func micros(_ t: Int64) -> Int64 {
        let c = min(max(t, -50_000_000_000_000_000), 50_000_000_000_000_000)
        return c / 9 * 100 + c % 9 * 100 / 9
    }

    /// `20261124T220000Z`, for file names.
    public static func fileStamp(_ t: Int64) -> String {
        let text = format(t)   // 2026-11-24T22:00:00.000Z
        return text.prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
    }
}
