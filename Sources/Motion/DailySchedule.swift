import Foundation

/// When a zone raises alerts: time windows within a day, in the camera's local time.
///
/// A window may wrap midnight (22:00–06:00). An empty schedule means "always". Pure: the caller
/// says what local time it is, or passes a time zone.
public struct DailySchedule: Sendable, Hashable, Codable {
    /// A window from `start` (inclusive) to `end` (exclusive), in minutes after local midnight.
    public struct Window: Sendable, Hashable, Codable {
        public var start: Int
        public var end: Int
        /// Days of the week it applies to (1 = Sunday … 7 = Saturday, as `Calendar`), or all days
        /// when empty. For a window that wraps midnight, the day is the one it starts on.
        public var weekdays: Set<Int>

        public init(start: Int, end: Int, weekdays: Set<Int> = []) {
            self.start = start
            self.end = end
            self.weekdays = weekdays
        }
    }

    public var windows: [Window]

    /// Always active.
    public static let always = DailySchedule(validated: [])

    private init(validated windows: [Window]) { self.windows = windows }

    /// - Throws: ``MotionError`` naming `field` if a window's times are outside 0…1440, it is
    ///   empty (start equal to end), or a weekday is outside 1…7.
    public init(_ windows: [Window], field: String = "schedule") throws(MotionError) {
        for (i, w) in windows.enumerated() {
            guard (0..<1440).contains(w.start) else { throw .invalid("\(field)[\(i)].start", "must be minutes 0…1439 after midnight, got \(w.start)") }
            guard (0...1440).contains(w.end) else { throw .invalid("\(field)[\(i)].end", "must be minutes 0…1440 after midnight, got \(w.end)") }
            guard w.start != w.end % 1440 else { throw .invalid("\(field)[\(i)]", "starts and ends at the same time; leave the schedule empty for 'always'") }
            if let bad = w.weekdays.first(where: { !(1...7).contains($0) }) { throw .invalid("\(field)[\(i)].weekdays", "must be 1 (Sunday) … 7 (Saturday), got \(bad)") }
        }
        self.windows = windows
    }

    enum CodingKeys: String, CodingKey { case windows }

    /// Decodes and validates, naming the field by its place in the document. Accepts the text
    /// form too (`"22:00-06:00"`, several separated by commas; `""` for always), as the API does.
    public init(from decoder: any Decoder) throws {
        let field = fieldName(decoder.codingPath, fallback: "schedule")
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            try self.init(parsing: text, field: field)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(try container.decode([Window].self, forKey: .windows), field: field)
    }

    /// The text form, `"22:00-06:00"`, when no window is limited to weekdays (nil otherwise).
    public var text: String? {
        guard windows.allSatisfy(\.weekdays.isEmpty) else { return nil }
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return windows.map { "\(hm($0.start))-\(hm($0.end))" }.joined(separator: ",")
    }

    /// Parses "22:00-06:00" (several separated by commas).
    public init(parsing text: String, field: String = "schedule") throws(MotionError) {
        var windows: [Window] = []
        for (i, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() where !(text.trimmingCharacters(in: .whitespaces).isEmpty) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count == 2, let s = Self.minutes(ends[0]), let e = Self.minutes(ends[1]) else {
                throw .invalid("\(field)[\(i)]", "expected HH:MM-HH:MM, got \"\(part)\"")
            }
            windows.append(Window(start: s, end: e))
        }
        try self.init(windows, field: field)
    }

    private static func minutes(_ s: String) -> Int? {
        let hm = s.split(separator: ":")
        guard hm.count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
        return h * 60 + m
    }

    /// Whether the schedule is active at `minute` after local midnight on `weekday` (1…7).
    public func isActive(minute: Int, weekday: Int? = nil) -> Bool {
        if windows.isEmpty { return true }
        for w in windows {
            let end = w.end % 1440
            if w.start < end || (w.end == 1440) {
                if minute >= w.start && minute < (w.end == 1440 ? 1440 : end) && matches(w, weekday) { return true }
            } else {
                // Wraps midnight: the evening part belongs to this day, the morning part to the day before.
                if minute >= w.start && matches(w, weekday) { return true }
                if minute < end && matches(w, weekday.map { $0 == 1 ? 7 : $0 - 1 }) { return true }
            }
        }
        return false
    }

    /// Whether the schedule is active at Unix time `seconds` in `timeZone`.
    public func isActive(unixSeconds seconds: Int64, timeZone: TimeZone) -> Bool {
        if windows.isEmpty { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute, .weekday], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return isActive(minute: (c.hour ?? 0) * 60 + (c.minute ?? 0), weekday: c.weekday)
    }

    private func matches(_ w: Window, _ weekday: Int?) -> Bool {
        guard let weekday, !w.weekdays.isEmpty else { return true }
        return w.weekdays.contains(weekday)
    }
}
