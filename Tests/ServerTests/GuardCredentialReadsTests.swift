import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import App
@testable import Server

/// 500 phones reporting every 5 s: their credentials are read from the catalogue many at a time
/// (docs/performance.md, "Guards"), never older than one read per request would be.
@Suite struct GuardCredentialReadsTests {
    /// Counts the catalogue calls and the credentials each answered.
    final class Reads: Sendable {
        let calls = Mutex<[[String]]>([])
        let owners = Mutex<[String: Identity]>([:])

        func read(_ credentials: [Identity.Credential]) async throws -> [String: Identity] {
            calls.withLock { $0.append(credentials.map(\.key)) }
            let owners = owners.withLock { $0 }
            return owners.filter { key, _ in credentials.contains { $0.key == key } }
        }
    }

    static func identity(_ name: String, _ digest: String) -> Identity {
        Identity(user: User(id: 1, name: name, role: .guard, passwordHash: ""), credential: .apiToken(digest: digest))
    }

    @Test func requestsOfOneMomentShareOneReadMadeAfterTheyArrived() async throws {
        let reads = Reads()
        for i in 0..<40 { reads.owners.withLock { $0["tphone\(i)"] = Self.identity("g\(i)", "phone\(i)") } }
        let shared = SharedCredentialReads(read: reads.read)
        // Forty requests at once (two of them for a token revoked before they came): one read.
        let answers = await withTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<42 { group.addTask { (i, try? await shared.owner(of: .apiToken(digest: "phone\(i)"))?.user.name) } }
            var answers: [Int: String?] = [:]
            for await (i, name) in group { answers[i] = name }
            return answers
        }
        #expect(reads.calls.withLock { $0.count } == 1, "\(reads.calls.withLock { $0.map(\.count) })")
        #expect((0..<40).allSatisfy { answers[$0] == "g\($0)" })
        #expect(answers[40] == .some(nil) && answers[41] == .some(nil), "a token without an owner has none")

        // A token revoked after an answer was read: the next moment's read knows it.
        reads.owners.withLock { _ = $0.removeValue(forKey: "tphone3") }
        #expect(try await shared.owner(of: .apiToken(digest: "phone3")) == nil)
        #expect(reads.calls.withLock { $0.count } == 2)
    }

    /// Over HTTP: a token revoked by another process (no change through this node's API) is
    /// refused to position reports within the quarter second that requests may reuse an answer,
    /// as before the reports shared their reads; bad reports are still refused by field.
    @Test func aRevokedTokenIsRefusedToPositionReportsWithinTheBound() async throws {
        let server = try await makeServer()
        let token = try addUser(server, "ivan", .guard)
        let app = Application(router: server.http.makeRouter())
        try await app.test(.router) { client in
            let report = #"{"onDuty": true, "latitude": 47.79, "longitude": 67.71, "accuracy": 5}"#
            #expect(try await client.json(.put, "/api/duty", report, token: token).status == .ok)
            let bad = try await client.json(.put, "/api/duty", #"{"onDuty": true, "latitude": 91, "longitude": "east"}"#, token: token)
            let fields = (bad.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
            #expect([.badRequest, .unprocessableContent].contains(bad.status) && fields.contains("latitude") && fields.contains("longitude"), "\(bad.json)")
            let user = try #require(try await server.catalog.user(named: "ivan"))
            #expect(try await server.catalog.deleteAPITokens(userID: user.id) == 1)
            try await Task.sleep(for: Authenticator.answerLife + .milliseconds(20))
            #expect(try await client.json(.put, "/api/duty", report, token: token).status == .unauthorized)
        }
    }

    @Test func aFailedReadFailsEveryRequestOfItsMoment() async throws {
        struct Down: Error {}
        let shared = SharedCredentialReads { _ in throw Down() }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<5 { group.addTask { (try? await shared.owner(of: .apiToken(digest: "p\(i)"))) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 5)
    }

    @Test func manyOpenConnectionsAreCheckedWithOneReadARound() async throws {
        let reads = Reads()
        let rights = RightsChanges()
        for i in 0..<30 { reads.owners.withLock { $0["tphone\(i)"] = Self.identity("g\(i)", "phone\(i)") } }
        final class Ended: Sendable { let ids = Mutex(Set<Int>()) }
        let ended = Ended()
        let watchers = Task {
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        await rights.connections.watch(Self.identity("g\(i)", "phone\(i)"), every: .milliseconds(250), read: reads.read) { _ in true }
                        ended.ids.withLock { _ = $0.insert(i) }
                    }
                }
            }
        }
        // The connections registered one by one (on a loaded machine, over several rounds), so the
        // first rounds may read only some of them; once each has been checked its next check falls
        // in the same round as the others'. Waited on progress, not on a guess of how long that takes:
        // from the first round that reads all 30 in one call, the next rounds each make one call
        // for all 30 (one connection at a time, as before, never makes such a call).
        func callsMade() -> [[String]] { reads.calls.withLock { $0 } }
        let together = await eventually(timeout: .seconds(20)) { callsMade().contains { Set($0).count == 30 } }
        #expect(together, "rounds of reads: \(callsMade().map(\.count))")
        let first = callsMade().firstIndex { Set($0).count == 30 } ?? 0
        let more = await eventually(timeout: .seconds(20)) { callsMade().count >= first + 4 }
        #expect(more)
        let later = callsMade()[(first + 1)...].prefix(3)
        #expect(later.count == 3 && later.allSatisfy { Set($0).count == 30 }, "every connection due is read in the round's one call: \(callsMade().map(\.count))")
        // A revoked token closes its connection within a round; the others stay.
        reads.owners.withLock { _ = $0.removeValue(forKey: "tphone7") }
        let start = ContinuousClock.now
        while ended.ids.withLock({ $0.isEmpty }) && ContinuousClock.now - start < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(ended.ids.withLock { $0 } == [7])
        watchers.cancel()
        await watchers.value
    }
}
