import Catalog
import Foundation
import Logging
import Recorder
import Testing

@testable import Server

@Suite(.serialized) struct RetentionTests {
    @Test func tinyQuotaDeletesOldestFirstAndKeepsTheNewest() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 9)
        let before = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(before.count >= 3)
        let total = before.reduce(Int64(0)) { $0 + $1.bytes }
        let quota = total / 3
        let enforcer = RetentionEnforcer(store: server.catalog, layout: server.writer.layout, policy: RetentionPolicy(quotaBytes: quota, minFreeBytes: 0), logger: Logger(label: "test"))
        let deleted = try await enforcer.enforce(now90k: Int64(Date().timeIntervalSince1970 * 90_000))
        let after = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        // Oldest first: what is left is a suffix of what was there.
        #expect(after.map(\.id) == Array(before.map(\.id).suffix(after.count)))
        #expect(Set(deleted) == Set(before.map(\.id)).subtracting(after.map(\.id)))
        #expect(after.reduce(Int64(0)) { $0 + $1.bytes } <= max(quota, after.last?.bytes ?? 0))
        #expect(after.last?.id == before.last?.id, "the newest recording is never deleted")
        for id in deleted {
            #expect(!FileManager.default.fileExists(atPath: server.writer.layout.path(camera: Int64(camera), recording: id)))
        }
        #expect(try await server.catalog.garbage().isEmpty)
    }

    @Test func maximumAge() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 6)
        let before = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(before.count >= 2)
        // "Now" is set so that everything but the last recording is older than 1 s.
        let now = before[before.count - 2].end90k + 90_000
        let enforcer = RetentionEnforcer(store: server.catalog, layout: server.writer.layout, policy: RetentionPolicy(defaultMaxAgeSeconds: 1, minFreeBytes: 0), logger: Logger(label: "test"))
        try await enforcer.enforce(now90k: now)
        let after = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        #expect(after.map(\.id) == [before.last!.id])
    }
}
