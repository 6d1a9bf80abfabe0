import Foundation
import Motion
import Testing

@Suite struct DailyScheduleTests {
    @Test func nightWindowWrapsMidnight() throws {
        let night = try DailySchedule(parsing: "22:00-06:00")
        #expect(night.isActive(minute: 22 * 60))
        #expect(night.isActive(minute: 23 * 60 + 59))
        #expect(night.isActive(minute: 0))
        #expect(night.isActive(minute: 5 * 60 + 59))
        #expect(!night.isActive(minute: 6 * 60))
        #expect(!night.isActive(minute: 12 * 60))
        #expect(!night.isActive(minute: 21 * 60 + 59))
    }

    @Test func weekdaysApplyToTheDayTheWindowStarts() throws {
        // Friday night (weekday 6) until Saturday morning.
        let friday = try DailySchedule([.init(start: 22 * 60, end: 6 * 60, weekdays: [6])])
        #expect(friday.isActive(minute: 23 * 60, weekday: 6))
        #expect(friday.isActive(minute: 60, weekday: 7))
        #expect(!friday.isActive(minute: 60, weekday: 6))
        #expect(!friday.isActive(minute: 23 * 60, weekday: 5))
    }

    @Test func emptyScheduleIsAlwaysActive() {
        #expect(DailySchedule.always.isActive(minute: 0))
        #expect(DailySchedule.always.isActive(minute: 1439))
    }

    @Test func badTimesNameTheField() {
        #expect(throws: MotionError.self) { try DailySchedule(parsing: "25:00-06:00") }
        do {
            _ = try DailySchedule([.init(start: 0, end: 60), .init(start: 1500, end: 60)], field: "zones[3].schedule")
            Issue.record("accepted minute 1500")
        } catch {
            #expect(error.subject == "zones[3].schedule[1].start")
        }
        do {
            _ = try DailySchedule(parsing: "08:00-08:00")
            Issue.record("accepted an empty window")
        } catch {
            #expect(error.subject == "schedule[0]")
        }
    }

    @Test func unixTimeInATimeZone() throws {
        let night = try DailySchedule(parsing: "22:00-06:00")
        let utc = TimeZone(identifier: "UTC")!
        // 2026-11-25 23:30 UTC and 12:00 UTC.
        #expect(night.isActive(unixSeconds: 1_795_649_400, timeZone: utc))
        #expect(!night.isActive(unixSeconds: 1_795_608_000, timeZone: utc))
    }
}
