import Catalog
import Foundation
import Testing

/// What every backend must do with records (the guards' posts, equipment, incidents …).
@Suite struct RecordStoreConformanceTests {
    static func fields(_ tag: String, _ time: Int64, _ text: String) -> RecordFields {
        RecordFields(tag: tag, time: time, body: Data(text.utf8))
    }

    @Test(arguments: Backend.all) func recordsGetIdsKeysAndGrowingRevisions(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let a = try await catalog.insertRecord(kind: "item", key: "radio-17", fields: Self.fields("store", 10, "a"))
        let b = try await catalog.insertRecord(kind: "item", key: nil, fields: Self.fields("store", 20, "b"))
        let c = try await catalog.insertRecord(kind: "item", key: nil, fields: Self.fields("post:3", 30, "c"))
        #expect(a.created && b.created && c.created)
        #expect(a.record.id < b.record.id && b.record.id < c.record.id)
        #expect(a.record.revision < b.record.revision && b.record.revision < c.record.revision)
        // The same key again is the same record, not a second one (a retried request).
        let again = try await catalog.insertRecord(kind: "item", key: "radio-17", fields: Self.fields("store", 99, "other"))
        #expect(!again.created && again.record == a.record)
        // Keys are unique per kind only.
        #expect(try await catalog.insertRecord(kind: "post", key: "radio-17", fields: Self.fields("", 0, "p")).created)
        #expect(try await catalog.record(kind: "item", key: "radio-17")?.body == Data("a".utf8))
        #expect(try await catalog.record(kind: "item", id: b.record.id)?.key == nil)
        #expect(try await catalog.record(kind: "post", id: b.record.id) == nil)
        // Newest time first, by tag, in a window, limited.
        #expect(try await catalog.records(kind: "item").map(\.id) == [c.record.id, b.record.id, a.record.id])
        #expect(try await catalog.records(kind: "item", tag: "store").map(\.id) == [b.record.id, a.record.id])
        #expect(try await catalog.records(kind: "item", tag: nil, from: 10, to: 30, limit: 10).map(\.id) == [b.record.id, a.record.id])
        #expect(try await catalog.records(kind: "item", tag: nil, from: .min, to: .max, limit: 1).map(\.id) == [c.record.id])
        #expect(try await catalog.records(kind: "item", tag: nil, from: .min, to: .max, limit: -5).isEmpty)
        // An update moves the revision on; nil from the change writes nothing; an error writes nothing.
        let updated = try #require(try await catalog.updateRecord(kind: "item", id: a.record.id) { _ in Self.fields("guard:asel", 40, "a2") })
        #expect(updated.revision > c.record.revision && updated.tag == "guard:asel" && updated.key == "radio-17")
        #expect(try await catalog.updateRecord(kind: "item", id: a.record.id) { _ in nil } == updated)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await catalog.updateRecord(kind: "item", id: a.record.id) { _ in throw Refused() } }
        #expect(try await catalog.record(kind: "item", id: a.record.id) == updated)
        #expect(try await catalog.updateRecord(kind: "item", id: 987_654) { _ in Self.fields("", 0, "") } == nil)
        #expect(try await catalog.deleteRecord(kind: "item", id: b.record.id))
        #expect(try await catalog.deleteRecord(kind: "item", id: b.record.id) == false)
        #expect(try await catalog.records(kind: "item").count == 2)
    }

    @Test(arguments: Backend.all) func concurrentChangesOfARecordLoseNothing(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let record = try await catalog.insertRecord(kind: "counter", key: nil, fields: Self.fields("", 0, "0")).record
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    _ = try await catalog.updateRecord(kind: "counter", id: record.id) { current in
                        let n = Int(String(decoding: current.body, as: UTF8.self)) ?? -1000
                        return Self.fields("", 0, String(n + 1))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await catalog.record(kind: "counter", id: record.id)?.body == Data("20".utf8))
    }

    @Test(arguments: Backend.all) func concurrentInsertsWithOneKeyStoreOne(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let results = try await withThrowingTaskGroup(of: (StoredRecord, Bool).self) { group in
            for n in 0..<12 {
                group.addTask { try await catalog.insertRecord(kind: "incident", key: "phone-1:k42", fields: Self.fields("open", Int64(n), "\(n)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter(\.1).count == 1)
        #expect(Set(results.map(\.0.id)).count == 1)
        #expect(try await catalog.records(kind: "incident").count == 1)
    }

    @Test(arguments: Backend.all) func aBatchReplacesWithoutReadingAndSkipsMissingIds(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let a = try await catalog.insertRecord(kind: "duty", key: "asel", fields: Self.fields("on", 1, "a1")).record
        let b = try await catalog.insertRecord(kind: "duty", key: "bolat", fields: Self.fields("on", 1, "b1")).record
        let other = try await catalog.insertRecord(kind: "post", key: nil, fields: Self.fields("", 0, "p")).record
        let replaced = try await catalog.replaceRecords(kind: "duty", [(a.id, Self.fields("on", 5, "a2")), (b.id, Self.fields("off", 6, "b2")),
                                                                        (987_654, Self.fields("", 0, "x")), (other.id, Self.fields("", 0, "not a duty"))])
        #expect(replaced == 2)
        let newA = try #require(try await catalog.record(kind: "duty", id: a.id))
        #expect(newA.body == Data("a2".utf8) && newA.time == 5 && newA.key == "asel" && newA.revision > b.revision)
        #expect(try await catalog.record(kind: "duty", key: "bolat")?.tag == "off")
        #expect(try await catalog.record(kind: "post", id: other.id)?.body == Data("p".utf8))
        #expect(try await catalog.replaceRecords(kind: "duty", []) == 0)
    }
}
