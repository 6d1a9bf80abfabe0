import Catalog
import Foundation
import PropertyBased
import Testing
@testable import APIInput

/// The one parsing layer for ids, numbers, times and ranges (issue 15, class 1).
@Suite struct APIInputTests {
    /// Every millisecond of RFC 3339's years formats and parses back to itself, in ticks and micros.
    @Test func timesRoundTripOverEveryYear() async {
        let lowest = Int64(RFC3339.daysFromCivil(year: 1, month: 1, day: 1)) * 86_400_000
        let highest = Int64(RFC3339.daysFromCivil(year: 10_000, month: 1, day: 1)) * 86_400_000 - 1
        await propertyCheck(count: 2000, input: Gen.int64(in: lowest...highest)) { millis in
            let text = RFC3339.format(micros: millis * 1000)
            #expect(RFC3339.parseMicros(text) == millis * 1000, "\(text)")
            #expect(Time90k.parse(text) == millis * 90, "\(text)")
            #expect(Time90k.format(millis * 90) == text)
        }
    }

    /// The formatter agrees with Foundation's over the years both handle.
    @Test func formattingAgreesWithFoundation() async {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        await propertyCheck(count: 500, input: Gen.int64(in: 0...(4_102_444_800_000))) { millis in
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            #expect(RFC3339.format(micros: millis * 1000) == formatter.string(from: date))
        }
    }

    @Test(arguments: [
        "99999-01-01T00:00:00Z", "+99999-01-01T00:00:00Z", "0000-12-31T23:59:59Z", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00.Z", "2026-01-01", "", "1e19", "-1", "2026-01-01T00:00:00Z ", String(repeating: "9", count: 100_000),
    ])
    func refusedTimes(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
        #expect(Time90k.parse(text) == nil)
    }

    @Test func acceptedTimes() {
        #expect(Time90k.parse("1970-01-01T00:00:00Z") == 0)
        #expect(Time90k.parse("1970-01-01T00:00:01.5+00:00") == 135_000)
        #expect(Time90k.parse("1970-01-01T05:00:00+05:00") == 0)
        #expect(Time90k.parse("2028-02-29t12:00:00z") != nil)
        #expect(Time90k.parse("0001-01-01T00:00:00Z") == -62_135_596_800 * 90_000)
        let last: Int64 = 253_402_300_800 * 90_000
        #expect(Time90k.parse("9999-12-31T23:59:59.999999999Z").map { $0 - last } == 0)
    }

    /// Formatting never traps, whatever the tick count (a corrupt catalogue row, a camera's clock).
    @Test(arguments: [Int64.min, Int64.min + 1, -1, 0, Int64.max])
    func formattingExtremesClamps(_ t: Int64) {
        #expect(Time90k.format(t).hasSuffix("Z"))
        #expect(RFC3339.format(micros: t).count == 24)
    }

    @Test func ids() {
        for bad in ["1e19", "-1", "0", "18446744073709551616", "9223372036854775807", "9007199254740992", "0x10", "+1", " 1", "1 ", "", "١"] {
            #expect(PathID.parse(bad) == nil, "\(bad)")
        }
        #expect(PathID.parse("9007199254740991") == 9_007_199_254_740_991)
        #expect(PathID.parse("17") == 17)
    }

    @Test func jsonFieldsNameEveryBadValue() throws {
        let parsed = try #require(JSONValue.parse(Array(#"{"a": 1e19, "b": -1, "c": 2.5, "d": 18446744073709551616, "e": "x", "f": 7, "t": "99999-01-01T00:00:00Z", "u": "2026-01-01T00:00:00Z"}"#.utf8)))
        guard case .object(let object) = parsed else { Issue.record("not an object"); return }
        var body = JSONFields(object)
        #expect(body.id("a") == nil)
        #expect(body.id("b") == nil)
        #expect(body.integer("c", in: 0...10) == nil)
        #expect(body.integer("d", in: Int64.min...Int64.max) == nil)
        #expect(body.integer("e", in: 0...10) == nil)
        #expect(body.integer("f", in: 0...10) == 7)
        #expect(body.time90k("t") == nil)
        #expect(body.time90k("u") == Time90k.parse("2026-01-01T00:00:00Z"))
        #expect(body.errors.map(\.field) == ["a", "b", "c", "d", "e", "t"])
    }

    @Test func deepOrHugeDocumentsAreRefusedNotRecursedInto() {
        #expect(JSONValue.parse(Array(String(repeating: "[", count: 100_000).utf8)) == nil)
        #expect(JSONValue.parse(Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8)) == nil)
        #expect(JSONValue.parse(Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8)) != nil)
        #expect(JSONValue.parse(Array(#"{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}"#.utf8)) != nil)
        #expect(JSONValue.parse(Array("1e400".utf8)) == nil)
    }

    /// The hand-written parser against Foundation's `JSONDecoder` (what `parse` used before) on
    /// 30,000 documents: random values written with random spacing and escapes, and the same with
    /// a byte deleted, inserted or changed, or cut short. Both must accept the same documents and
    /// read the same values.
    @Test func theParserReadsWhatFoundationReads() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        let pieces = ["a", "é", "ж", "қ", "😀", "\\n", "\\\"", "\\u0041", "\\u00e9", "\\ud83d\\ude00", "\\/", " ", "\\t", "x y"]
        let numbers = ["0", "-0", "1", "-17", "2.5", "1e3", "1E-3", "6.02e23", "-1.5e+10", "123456789012345678", "0.1", "1e19", "3.14159"]
        func space() -> String { ["", " ", "\n", "\t ", "  "][next(5)] }
        func write(_ depth: Int) -> String {
            switch next(depth > 3 ? 4 : 6) {
            case 0: return numbers[next(numbers.count)]
            case 1: return "\"" + (0..<next(4)).map { _ in pieces[next(pieces.count)] }.joined() + "\""
            case 2: return ["true", "false", "null"][next(3)]
            case 3: return "\"k\(next(9))\""
            case 4: return "[" + (0..<next(4)).map { _ in space() + write(depth + 1) + space() }.joined(separator: ",") + "]"
            default:
                return "{" + (0..<next(4)).map { k in space() + "\"f\(k)\"" + space() + ":" + space() + write(depth + 1) }.joined(separator: ",") + "}"
            }
        }
        let noise: [UInt8] = Array("{}[]\",:0-e.\\ tu".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF]
        func foundation(_ bytes: [UInt8]) -> JSONValue? {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return nil }
            if case .number(let n) = value, !n.isFinite { return nil }
            return value
        }
        // Foundation's one leniency found here: a comma before `]` or `}` (RFC 8259 has none).
        func trailingComma(_ bytes: [UInt8]) -> Bool {
            var inString = false, escaped = false, comma = false
            for b in bytes {
                if inString {
                    if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                if b == UInt8(ascii: "\"") { inString = true; comma = false; continue }
                if [0x20, 0x0A, 0x0D, 0x09].contains(b) { continue }
                if comma && (b == UInt8(ascii: "]") || b == UInt8(ascii: "}")) { return true }
                comma = b == UInt8(ascii: ",")
            }
            return false
        }
        var accepted = 0, refused = 0
        for round in 0..<30_000 {
            var bytes = Array((space() + write(0) + space()).utf8)
            switch round % 4 {
            case 1 where !bytes.isEmpty: bytes.remove(at: next(bytes.count))
            case 2: bytes.insert(noise[next(noise.count)], at: next(bytes.count + 1))
            case 3 where !bytes.isEmpty: bytes = Array(bytes.prefix(next(bytes.count)))
            default: break
            }
            let mine = JSONValue.parse(bytes), theirs = trailingComma(bytes) ? nil : foundation(bytes)
            #expect(mine == theirs, "\(String(decoding: bytes, as: UTF8.self).debugDescription): \(String(describing: mine)) vs \(String(describing: theirs))")
            if mine == nil { refused += 1 } else { accepted += 1 }
            if mine != theirs { break }
        }
        #expect(accepted > 10_000 && refused > 5_000, "accepted \(accepted), refused \(refused)")
    }

    @Test func queryRanges() {
        var q = QueryFields([("start", "2026-01-02T00:00:00Z"), ("end", "2026-01-01T00:00:00Z")])
        _ = q.timeRange(required: true)
        #expect(q.errors.map(\.field) == ["end"])
        q = QueryFields([("start", "0001-01-01T00:00:00Z"), ("end", "9999-12-31T23:59:59Z")])
        let r = q.timeRange(required: true, maxSeconds: 31 * 86_400)
        #expect(r.start == nil && q.errors.first?.message == "the range must be at most 31 days")
        q = QueryFields([("limit", "99999999999999999999999"), ("camera", "1e19")])
        #expect(q.integer("limit", in: 1...5000) == nil && q.id("camera") == nil && q.errors.count == 2)
    }
}
