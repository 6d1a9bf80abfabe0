/// A date/time pattern for CSV columns, such as `dd.MM.yyyy HH:mm` or `yyyy-MM-dd'T'HH:mm:ss`.
///
/// Fields: `yyyy` year, `MM`/`M` month, `dd`/`d` day, `HH`/`H` hour (0–23), `mm` minute, `ss`
/// second; anything else must match literally (`'…'` quotes letters). The special pattern `iso8601`
/// accepts `2025-03-04`, `2025-03-04T21:15`, `2025-03-04T21:15:30`, with an optional `Z` or
/// `±hh:mm`. Times without an offset are read at ``utcOffsetMinutes`` (a fixed offset: summer time
/// is not modelled; say `+60` for CET all year, or export UTC).
public struct DateTimeFormat: Sendable, Hashable, Codable {
    public var pattern: String
    /// Minutes east of UTC of the wall times in the file.
    public var utcOffsetMinutes: Int

    public init(_ pattern: String, utcOffsetMinutes: Int = 0) {
        self.pattern = pattern
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    public static let iso8601 = DateTimeFormat("iso8601")

    private enum Token: Hashable {
        case year, month, day, hour, minute, second
        case literal(Character)
    }

    private var tokens: [Token] {
        var out: [Token] = []
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                i += 1
                while i < chars.count, chars[i] != "'" { out.append(.literal(chars[i])); i += 1 }
                i += 1
                continue
            }
            var run = 1
            while i + run < chars.count, chars[i + run] == c { run += 1 }
            switch c {
            case "y": out.append(.year)
            case "M": out.append(.month)
            case "d": out.append(.day)
            case "H": out.append(.hour)
            case "m": out.append(.minute)
            case "s": out.append(.second)
            default:
                for _ in 0..<run { out.append(.literal(c)) }
            }
            i += run
        }
        return out
    }

    /// Microseconds since the epoch, or nil when the text does not match or names no real date
    /// (31.02.2025, 24:00, 12:60).
    public func parse(_ text: String) -> Int64? {
        let s = Array(text.trimmingSpaces)
        if pattern == "iso8601" { return parseISO(s) }
        var values: [Token: Int] = [:]
        var i = 0
        for t in tokens {
            if case .literal(let c) = t {
                guard i < s.count, s[i] == c else { return nil }
                i += 1
                continue
            }
            let maxDigits = t == .year ? 4 : 2
            var n = 0, digits = 0
            while i < s.count, digits < maxDigits, let d = s[i].wholeNumberValue, s[i].isASCII {
                n = n * 10 + d
                digits += 1
                i += 1
            }
            guard digits > 0, t != .year || digits == 4 else { return nil }
            values[t] = n
        }
        guard i == s.count, let y = values[.year], let mo = values[.month], let d = values[.day] else { return nil }
        return build(y, mo, d, values[.hour] ?? 0, values[.minute] ?? 0, values[.second] ?? 0, utcOffsetMinutes)
    }

    private func build(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ se: Int, _ offset: Int) -> Int64? {
        guard CivilTime.isValid(year: y, month: mo, day: d), (0..<24).contains(h), (0..<60).contains(mi),
              (0..<60).contains(se) else { return nil }
        return CivilTime.microseconds(year: y, month: mo, day: d, hour: h, minute: mi, second: se)
            - Int64(offset) * 60 * CivilTime.microsecondsPerSecond
    }

    private func parseISO(_ s: [Character]) -> Int64? {
        var i = 0
        func number(_ count: Int) -> Int? {
            guard i + count <= s.count else { return nil }
            var n = 0
            for k in i..<(i + count) {
                guard s[k].isASCII, let d = s[k].wholeNumberValue else { return nil }
                n = n * 10 + d
            }
            i += count
            return n
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = number(4), expect("-"), let mo = number(2), expect("-"), let d = number(2) else { return nil }
        var h = 0, mi = 0, se = 0
        var offset = utcOffsetMinutes
        if i < s.count, s[i] == "T" || s[i] == " " {
            i += 1
            guard let hh = number(2), expect(":"), let mm = number(2) else { return nil }
            h = hh
            mi = mm
            if i < s.count, s[i] == ":" {
                i += 1
                guard let ss = number(2) else { return nil }
                se = ss
                if i < s.count, s[i] == "." {   // fractions of a second are dropped
                    i += 1
                    while i < s.count, s[i].isASCII, s[i].isNumber { i += 1 }
                }
            }
            if i < s.count, s[i] == "Z" {
                i += 1
                offset = 0
            } else if i < s.count, s[i] == "+" || s[i] == "-" {
                let sign = s[i] == "-" ? -1 : 1
                i += 1
                guard let oh = number(2), expect(":"), let om = number(2) else { return nil }
                offset = sign * (oh * 60 + om)
            }
        }
        guard i == s.count else { return nil }
        return build(y, mo, d, h, mi, se, offset)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
