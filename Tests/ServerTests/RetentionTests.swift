import Catalog
import CatalogSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Recorder
import Testing

@testable import App
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

    /// Events of one camera around its recordings: one that ends before the recording that will be
    /// the oldest left, one that ends inside it, one still open, and one of another camera; an
    /// alert points at the first. Returns their ids in that order and the alert's id.
    static func addEvents(_ catalog: AulaCatalog, camera: Int64, keptFrom kept90k: Int64) async throws -> (gone: Int64, kept: Int64, open: Int64, other: Int64, alert: Int64) {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]
        func event(_ camera: Int64, _ start: Int64, _ end: Int64?) -> StoredMotionEvent {
            StoredMotionEvent(cameraID: camera, zone: "yard", start90k: start, confirmed90k: start + 72_000, end90k: end, peakScore: 0.1, box: [0, 0, 1, 1])
        }
        let gone = try await catalog.insertMotionEvent(event(camera, kept90k - 5 * 90_000, kept90k - 1), thumbnail: jpeg)
        let kept = try await catalog.insertMotionEvent(event(camera, kept90k - 2 * 90_000, kept90k + 1), thumbnail: jpeg)
        let open = try await catalog.insertMotionEvent(event(camera, kept90k - 9 * 90_000, nil), thumbnail: jpeg)
        let other = try await catalog.insertMotionEvent(event(camera + 1000, kept90k - 9 * 90_000, kept90k - 8 * 90_000), thumbnail: jpeg)
        let alert = try await catalog.insertAlert(StoredAlert(kind: .motion, cameraID: camera, zone: "yard", eventID: gone, message: "motion in yard", raisedMicros: 1))
        return (gone, kept, open, other, alert.id)
    }

    static func expectPruned(_ catalog: AulaCatalog, _ e: (gone: Int64, kept: Int64, open: Int64, other: Int64, alert: Int64)) async throws {
        #expect(try await catalog.motionEvent(id: e.gone) == nil, "an event older than the oldest footage survived")
        #expect(try await catalog.motionEvent(id: e.kept)?.thumbnail != nil, "an event overlapping kept footage was deleted")
        #expect(try await catalog.motionEvent(id: e.open) != nil, "an open event was deleted")
        #expect(try await catalog.motionEvent(id: e.other) != nil, "another camera's event was deleted")
        let alert = try #require(try await catalog.alert(id: e.alert), "the alert itself is a record and stays")
        #expect(alert.eventID == nil, "the alert still points at a deleted event")
    }

    /// The quota deletes the oldest footage: events that end before the new oldest recording of
    /// that camera go with it (thumbnails included), in the same pass.
    @Test func quotaDeletesEventsOlderThanTheOldestFootage() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 9)
        let before = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(before.count >= 3)
        // Keep exactly the last two recordings.
        let quota = before.suffix(2).reduce(Int64(0)) { $0 + $1.bytes }
        let keptFrom = before[before.count - 2].start90k
        let events = try await Self.addEvents(server.catalog, camera: Int64(camera), keptFrom: keptFrom)
        let enforcer = RetentionEnforcer(store: server.catalog, layout: server.writer.layout, policy: RetentionPolicy(quotaBytes: quota, minFreeBytes: 0), logger: Logger(label: "test"))
        let pass = try await enforcer.enforcePass(now90k: Int64(Date().timeIntervalSince1970 * 90_000))
        let after = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        #expect(after.first?.start90k == keptFrom, "\(after.map(\.id)) of \(before.map(\.id))")
        #expect(pass.deletedEvents == 1)
        try await Self.expectPruned(server.catalog, events)
        // A second pass deletes nothing more.
        #expect(try await enforcer.enforcePass(now90k: Int64(Date().timeIntervalSince1970 * 90_000)).deletedEvents == 0)
    }

    /// The same through the maximum age.
    @Test func maximumAgeDeletesEventsOlderThanTheOldestFootage() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 6)
        let before = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(before.count >= 2)
        let events = try await Self.addEvents(server.catalog, camera: Int64(camera), keptFrom: before.last!.start90k)
        let enforcer = RetentionEnforcer(store: server.catalog, layout: server.writer.layout, policy: RetentionPolicy(defaultMaxAgeSeconds: 1, minFreeBytes: 0), logger: Logger(label: "test"))
        try await enforcer.enforce(now90k: before[before.count - 2].end90k + 90_000)
        #expect(try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2).map(\.id) == [before.last!.id])
        try await Self.expectPruned(server.catalog, events)
    }

    /// A crash right after the garbage transaction (files not yet unlinked): the events are already
    /// gone with the rows, and start-up reconciliation finishes the files. Nothing half-done.
    @Test func eventsGoInTheSameTransactionAsTheFootage() async throws {
        let (server, camera) = try await RecordingTests.record(seconds: 6)
        let before = try await server.catalog.recordings(camera: Int64(camera), from: 0, to: Int64.max / 2)
        try #require(before.count >= 2)
        let events = try await Self.addEvents(server.catalog, camera: Int64(camera), keptFrom: before.last!.start90k)
        let doomed = before.dropLast().map(\.id)
        #expect(try await server.catalog.moveToGarbage(ids: doomed) == 1)
        // "Crash": a new process opens the catalogue and reconciles.
        let reopened = try AulaCatalog.openSQLite(directory: server.configuration.dataDirectory)
        try await Self.expectPruned(reopened, events)
        let report = try await RecordingRecovery.reconcile(layout: server.writer.layout, store: reopened, logger: Logger(label: "test"))
        #expect(Set(report.garbageCollected) == Set(doomed))
        for id in doomed { #expect(!FileManager.default.fileExists(atPath: server.writer.layout.path(camera: Int64(camera), recording: id))) }
    }

    /// Deleting a camera deletes its motion settings and events (open ones too) and stops its
    /// analysis; its footage stays for retention, other cameras keep theirs.
    @Test func deletingACameraDeletesItsEventsAndMotionSettings() async throws {
        let server = try await makeServer()
        let camera = try await server.catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://127.0.0.1:1/x", latitude: 1, longitude: 2))
        let other = try await server.catalog.insert(Camera(name: "Yard", rtspURL: "rtsp://127.0.0.1:1/y", latitude: 1, longitude: 2))
        let events = try await Self.addEvents(server.catalog, camera: camera.id, keptFrom: 1_000_000_000)
        let otherEvent = try await server.catalog.insertMotionEvent(StoredMotionEvent(cameraID: other.id, zone: "yard", start90k: 1, confirmed90k: 2, end90k: 3, peakScore: 0.1, box: []), thumbnail: nil)
        let zone = MotionConfigurationAPITests.zone
        let app = Application(router: server.makeRouter())
        try await app.test(.router) { client in
            for id in [camera.id, other.id] {
                let put = try await client.json(.put, "/api/cameras/\(id)/motion", #"{"zones": [\#(zone)]}"#)
                #expect(put.status == .ok, "\(put.json)")
            }
            #expect(server.motion.counters()[camera.id] != nil)
            let deleted = try await client.json(.delete, "/api/cameras/\(camera.id)")
            #expect(deleted.status == .noContent)
            let shown = try await client.json(.get, "/api/cameras/\(camera.id)/motion")
            #expect(shown.status == .notFound)
        }
        #expect(try await server.catalog.motionConfiguration(camera: camera.id) == nil, "the deleted camera's motion settings stayed")
        #expect(server.motion.counters()[camera.id] == nil, "the deleted camera is still analysed")
        for id in [events.gone, events.kept, events.open] { #expect(try await server.catalog.motionEvent(id: id) == nil, "event \(id) stayed") }
        #expect(try await server.catalog.alert(id: events.alert)?.eventID == nil)
        #expect(try await server.catalog.motionConfiguration(camera: other.id) != nil)
        #expect(server.motion.counters()[other.id] != nil)
        #expect(try await server.catalog.motionEvent(id: otherEvent) != nil)
        #expect(try await server.catalog.motionEvent(id: events.other) != nil)
        await server.motion.stopAll()
    }
}
