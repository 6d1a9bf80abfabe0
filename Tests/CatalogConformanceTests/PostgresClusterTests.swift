import Catalog
import CatalogPostgres
import Foundation
import TestPeers
import Testing

/// Several nodes on one PostgreSQL catalogue (docs/cluster.md): two handles on one schema, as two
/// nodes would hold them. Only a shared backend offers leases, so these run on PostgreSQL alone.
@Suite struct PostgresClusterTests {
    /// Two nodes' catalogues on one fresh schema.
    static func twoNodes() async throws -> (location: PostgresLocation, a: AulaCatalog, b: AulaCatalog) {
        let location = try await TestPostgres.freshSchema()
        let keys = temporaryDirectory() + "/secrets.key"
        let a = try await AulaCatalog.openPostgres(location, node: "a", keyFile: keys)
        let b = try await AulaCatalog.openPostgres(location, node: "b", keyFile: keys)
        return (location, a, b)
    }

    static func report(_ name: String, role: NodeReport.Role = .all) -> NodeReport {
        NodeReport(name: name, role: role, address: "127.0.0.1:1", capacity: 100)
    }

    static let ttl: Int64 = 60_000_000

    @Test func leasesAreSharedFairlyAndMoveWithANewEpoch() async throws {
        let (_, a, b) = try await Self.twoNodes()
        for n in 1...5 { _ = try await a.insert(Camera(name: "C\(n)", rtspURL: "rtsp://10.0.0.\(n)/", latitude: 1, longitude: 2)) }
        let ca = try #require(a.cluster), cb = try #require(b.cluster)
        // Alone, a takes every camera.
        try await ca.heartbeat(Self.report("a"))
        #expect(try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl).count == 5)
        // b joins: a hands what is beyond its share (ceil(5 / 2) = 3) over to b, make-before-break:
        // a keeps recording 4 and 5 while b starts to, and b takes them once it receives them.
        try await cb.heartbeat(Self.report("b"))
        #expect(try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: []) == LeaseBalance(held: [], offered: []), "nothing is free until a hands over")
        let aOffers = try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: [])
        #expect(aOffers.held.map(\.cameraID) == [1, 2, 3, 4, 5], "a records them until b takes them")
        #expect(aOffers.held.filter { $0.offeredTo == "b" }.map(\.cameraID) == [4, 5])
        let bOffered = try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: [])
        #expect(bOffered.held.isEmpty && bOffered.offered.map(\.cameraID) == [4, 5])
        // Only what b receives already is taken.
        #expect(try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: [4]).held.map(\.cameraID) == [4])
        let bTakes = try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: [4, 5]).held
        #expect(bTakes.map(\.cameraID) == [4, 5])
        // Each change of owner moves the epoch on: 4 and 5 were a's (epoch 1), now b's.
        #expect(bTakes.allSatisfy { $0.epoch == 2 && $0.node == "b" && $0.offeredTo.isEmpty })
        #expect(try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl).map(\.cameraID) == [1, 2, 3])
        #expect(Set(try await ca.leases().map(\.cameraID)) == [1, 2, 3, 4, 5])
        // Capacity caps a node's share; an API node never counts as a recorder.
        try await cb.heartbeat(Self.report("b", role: .api))
        #expect(try await ca.balanceLeases(capacity: 4, ttlMicros: Self.ttl).count == 3, "b's leases are b's until they expire")
        let nodes = try await ca.nodes(ttlMicros: Self.ttl)
        #expect(nodes.map(\.report.name) == ["a", "b"] && nodes.allSatisfy(\.alive))
        #expect(nodes.first { $0.report.name == "b" }?.report.role == .api)
    }

    @Test func aNodeWhoseLeaseWasTakenStoresNothingMoreForThatCamera() async throws {
        let (_, a, b) = try await Self.twoNodes()
        let camera = try await a.insert(Camera(name: "Gate", rtspURL: "rtsp://10.0.0.1/", latitude: 1, longitude: 2))
        let ca = try #require(a.cluster), cb = try #require(b.cluster)
        try await ca.heartbeat(Self.report("a"))
        // A lease of one second: a "stalls" past it, b takes the camera over.
        #expect(try await ca.balanceLeases(capacity: 100, ttlMicros: 1_000_000).map(\.cameraID) == [camera.id])
        let entry = try await a.sampleEntryID(codec: .h264, parameterSets: parameters)
        try await a.commit([recording(id: 1, camera: camera.id, start: 0, entry: entry)])
        try await Task.sleep(for: .milliseconds(1100))
        try await cb.heartbeat(Self.report("b"))
        let taken = try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl)
        #expect(taken.map(\.cameraID) == [camera.id] && taken.first?.epoch == 2)
        // a wakes and flushes what it had: refused (logged), nothing of a's lands beside b's rows.
        try await a.commit([recording(id: 2, camera: camera.id, start: 60, entry: entry)])
        try await b.commit([recording(id: 3, camera: camera.id, start: 60, entry: entry)])
        #expect(try await a.recordings(camera: camera.id, from: 0, to: .max / 2).map(\.id) == [1, 3])
        // Its next balance tells a that the camera is b's.
        #expect(try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl).isEmpty)
    }

    @Test func eachNodeSeesItsOwnFootageForRetentionButEveryNodesForPlayback() async throws {
        let (_, a, b) = try await Self.twoNodes()
        let entry = try await a.sampleEntryID(codec: .h264, parameterSets: parameters)
        // Without leasing (one-off commits), rows are stored under the committing node.
        try await a.commit([recording(id: 1, camera: 7, start: 0, entry: entry)])
        try await b.commit([recording(id: 2, camera: 7, start: 60, entry: entry)])
        #expect(try await a.recordings(camera: 7, from: 0, to: .max / 2).map(\.id) == [1, 2])
        #expect(try await a.allRecordingLocations().map(\.id) == [1])
        #expect(try await b.oldestRecordings(limit: 10).map(\.id) == [2])
        #expect(try await b.usage()[7]?.bytes == 2000)
        _ = try await b.moveToGarbage(ids: [2])
        #expect(try await a.garbage().isEmpty)
        #expect(try await b.garbage().map(\.id) == [2])
        // Ids come from one sequence: two nodes never get the same block.
        async let ra = a.reserveRecordingIDs(count: 256, atLeast: 1)
        async let rb = b.reserveRecordingIDs(count: 256, atLeast: 1)
        let (x, y) = try await (ra, rb)
        #expect(!x.overlaps(y))
    }

    @Test(.timeLimit(.minutes(1))) func changesToCamerasAndMotionSettingsWakeEveryNode() async throws {
        let (_, a, b) = try await Self.twoNodes()
        let cb = try #require(b.cluster)
        let (notices, continuation) = AsyncStream<String>.makeStream()
        let listening = Task { try await cb.watchChanges { continuation.yield($0) } }
        defer { listening.cancel() }
        // LISTEN takes effect once b's connection has sent it: a keeps changing the registry until
        // b hears of it (a notice sent before that is not delivered, by design).
        let poking = Task {
            var n = 0
            while !Task.isCancelled {
                n += 1
                _ = try await a.insert(Camera(name: "C\(n)", rtspURL: "rtsp://10.0.0.1/", latitude: 1, longitude: 2))
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        var heard = notices.makeAsyncIterator()
        #expect(await heard.next() == "camera")
        poking.cancel()
        _ = await poking.result
        try await a.setMotionConfiguration(#"{"zones": []}"#, camera: 1)
        var notice = await heard.next()
        while notice == "camera" { notice = await heard.next() }
        #expect(notice == "camera_motion")
    }

    @Test func aCleanStopLetsGoAtOnce() async throws {
        let (_, a, b) = try await Self.twoNodes()
        _ = try await a.insert(Camera(name: "Gate", rtspURL: "rtsp://10.0.0.1/", latitude: 1, longitude: 2))
        let ca = try #require(a.cluster), cb = try #require(b.cluster)
        try await ca.heartbeat(Self.report("a"))
        #expect(try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl).count == 1)
        try await ca.releaseLeases()
        try await cb.heartbeat(Self.report("b"))
        #expect(try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl).count == 1)
    }

    /// Make-before-break: while a camera is handed over, the node taking it records it and its
    /// rows are stored beside the old owner's; once it takes the lease, the old owner's are refused.
    @Test func aHandOverStoresTheNewOwnersRowsBeforeTheLeaseMoves() async throws {
        let (_, a, b) = try await Self.twoNodes()
        for n in 1...2 { _ = try await a.insert(Camera(name: "C\(n)", rtspURL: "rtsp://10.0.0.\(n)/", latitude: 1, longitude: 2)) }
        let ca = try #require(a.cluster), cb = try #require(b.cluster)
        try await ca.heartbeat(Self.report("a"))
        #expect(try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl).map(\.cameraID) == [1, 2])
        let entry = try await a.sampleEntryID(codec: .h264, parameterSets: parameters)
        // b joins; until the camera is offered to it, it stores nothing for it.
        try await cb.heartbeat(Self.report("b"))
        #expect(try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: []) == LeaseBalance(held: [], offered: []))
        try await b.commit([recording(id: 10, camera: 2, start: 0, entry: entry)])
        #expect(try await a.recordings(camera: 2, from: 0, to: .max / 2).isEmpty)
        _ = try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl)
        #expect(try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: []).offered.map(\.cameraID) == [2])
        // Both record camera 2 now: both nodes' rows are stored.
        try await a.commit([recording(id: 1, camera: 2, start: 0, entry: entry)])
        try await b.commit([recording(id: 2, camera: 2, start: 30, entry: entry)])
        #expect(try await a.recordings(camera: 2, from: 0, to: .max / 2).map(\.id) == [1, 2])
        // b takes the lease: a's later rows for camera 2 are refused, camera 1's still stored.
        #expect(try await cb.balanceLeases(capacity: 100, ttlMicros: Self.ttl, ready: [2]).held.map(\.cameraID) == [2])
        try await a.commit([recording(id: 3, camera: 2, start: 60, entry: entry), recording(id: 4, camera: 1, start: 60, entry: entry)])
        try await b.commit([recording(id: 5, camera: 2, start: 90, entry: entry)])
        #expect(try await a.recordings(camera: 2, from: 0, to: .max / 2).map(\.id) == [1, 2, 5])
        #expect(try await a.recordings(camera: 1, from: 0, to: .max / 2).map(\.id) == [4])
        // a is told at its next balance; a hand-over to a node that stops is called off.
        #expect(try await ca.balanceLeases(capacity: 100, ttlMicros: Self.ttl).map(\.cameraID) == [1])
    }
}
