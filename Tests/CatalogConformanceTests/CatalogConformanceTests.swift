import AulaSecurity
import Catalog
import Foundation
import Media
import Testing

/// What every catalogue backend must do, written against the store protocols only (through
/// ``AulaCatalog``, as the server uses them, or on the bare backend where the point is what the
/// backend itself stores). Each test runs on every backend in ``Backend/all``.
@Suite struct CatalogConformanceTests {
    // MARK: Cameras

    @Test(arguments: Backend.all) func camerasGetIdsFromTheDatabaseInOrder(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        var ids: [Int64] = []
        for n in 1...5 { ids.append(try await catalog.insert(Camera(name: "C\(n)", rtspURL: "rtsp://10.0.0.\(n)/", latitude: 1, longitude: 2)).id) }
        #expect(ids == ids.sorted() && Set(ids).count == 5 && ids.allSatisfy { $0 > 0 })
        #expect(try await catalog.cameras().map(\.id) == ids)
        var second = try #require(try await catalog.camera(id: ids[1]))
        #expect(second.name == "C2" && second.createdAt > 0 && second.updatedAt == second.createdAt)
        second.name = "Renamed"
        #expect(try await catalog.update(second)?.name == "Renamed")
        #expect(try await catalog.delete(id: ids[0]))
        #expect(try await catalog.delete(id: ids[0]) == false)
        var missing = second
        missing.id = 999_999
        #expect(try await catalog.update(missing) == nil)
        #expect(try await catalog.camera(id: ids[0]) == nil)
        // Ids are never reused after a deletion.
        let next = try await catalog.insert(Camera(name: "Next", rtspURL: "rtsp://10.0.0.9/", latitude: 1, longitude: 2))
        #expect(next.id > ids.max()!)
    }

    @Test(arguments: Backend.all) func cameraPasswordsReachTheBackendOnlySealed(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let camera = try await catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://10.0.0.1/", username: "admin", password: "s3cret-pass", latitude: 1, longitude: 2))
        #expect(camera.password == "s3cret-pass")
        let stored = try #require(try await catalog.backend.camera(id: camera.id)?.password)
        #expect(SecretBox.isSealed(stored) && !stored.contains("s3cret"))
        #expect(try await catalog.camera(id: camera.id)?.password == "s3cret-pass")
        #expect(try await catalog.cameras().first?.password == "s3cret-pass")
        // A camera without a password stays without one.
        let open = try await catalog.insert(Camera(name: "Open", rtspURL: "rtsp://10.0.0.2/", latitude: 1, longitude: 2))
        #expect(try await catalog.backend.camera(id: open.id)?.password == nil)
    }

    @Test(arguments: Backend.all) func deletingACameraTakesItsMotionSettingsAndEventsButNotItsAlerts(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let camera = try await catalog.insert(Camera(name: "Yard", rtspURL: "rtsp://10.0.0.1/", latitude: 1, longitude: 2))
        try await catalog.setMotionConfiguration(#"{"zones": []}"#, camera: camera.id)
        let event = try await catalog.insertMotionEvent(StoredMotionEvent(cameraID: camera.id, zone: "gate", start90k: 100, confirmed90k: 110, peakScore: 0.5, box: []), thumbnail: [1, 2])
        let alert = try await catalog.insertAlert(StoredAlert(kind: .motion, cameraID: camera.id, eventID: event, message: "motion", raisedMicros: 1))
        #expect(try await catalog.delete(id: camera.id))
        #expect(try await catalog.motionConfiguration(camera: camera.id) == nil)
        #expect(try await catalog.motionEvent(id: event) == nil)
        let kept = try #require(try await catalog.alert(id: alert.id))
        #expect(kept.eventID == nil && kept.message == "motion")
    }

    // MARK: Accounts

    @Test(arguments: Backend.all) func userNamesAreUniqueIgnoringCase(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let olga = try await catalog.insert(User(name: "Olga", role: .operator, passwordHash: "h", grants: [
            AccessGrant(effect: .allow, scope: .district, target: "Nord"), AccessGrant(effect: .deny, scope: .camera, target: "7"),
        ]))
        #expect(olga.id > 0 && olga.createdAt > 0)
        await #expect(throws: DuplicateUserName.self) { _ = try await catalog.insert(User(name: "olga", role: .guard, passwordHash: "h")) }
        _ = try await catalog.insert(User(name: "anna", role: .guard, passwordHash: "h"))
        #expect(try await catalog.users().map(\.name) == ["anna", "Olga"])
        #expect(try await catalog.userCount() == 2)
        let found = try #require(try await catalog.user(named: "OLGA"))
        #expect(Set(found.grants) == Set(olga.grants))
        var changed = found
        changed.role = .analyst
        changed.grants = []
        changed.seeBehindMasks = true
        #expect(try await catalog.update(changed))
        let reread = try #require(try await catalog.user(named: "Olga"))
        #expect(reread.role == .analyst && reread.grants.isEmpty && reread.seeBehindMasks)
        var ghost = changed
        ghost.id = 999_999
        #expect(try await catalog.update(ghost) == false)
    }

    @Test(arguments: Backend.all) func concurrentSignUpsOfOneNameLetExactlyOneIn(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let outcomes = await withTaskGroup(of: Bool.self) { group -> [Bool] in
            for n in 0..<12 {
                group.addTask { (try? await catalog.insert(User(name: n % 2 == 0 ? "guard1" : "GUARD1", role: .guard, passwordHash: "h"))) != nil }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await catalog.userCount() == 1)
    }

    @Test(arguments: Backend.all) func sessionsAndTokensEndWhenTheyShould(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let user = try await catalog.insert(User(name: "olga", role: .operator, passwordHash: "h"))
        let now = CatalogClock.nowMicros()
        try await catalog.createSession(digest: "s1", userID: user.id, csrf: "c1", expiresAt: now + 60_000_000)
        try await catalog.createSession(digest: "s2", userID: user.id, csrf: "c2", expiresAt: now + 60_000_000)
        try await catalog.createSession(digest: "old", userID: user.id, csrf: "c0", expiresAt: now - 1)
        #expect(try await catalog.session(digest: "s1")?.csrf == "c1")
        #expect(try await catalog.session(digest: "s1")?.user.name == "olga")
        #expect(try await catalog.session(digest: "old") == nil, "an expired session is no session")
        #expect(try await catalog.session(digest: "nope") == nil)
        try await catalog.deleteSessions(userID: user.id, keeping: "s2")
        #expect(try await catalog.session(digest: "s1") == nil)
        #expect(try await catalog.session(digest: "s2") != nil)
        try await catalog.deleteSession(digest: "s2")
        #expect(try await catalog.session(digest: "s2") == nil)

        try await catalog.addAPIToken(digest: "t1", userID: user.id, label: "cli", expiresAt: nil)
        try await catalog.addAPIToken(digest: "t2", userID: user.id, label: "soon", expiresAt: now + 60_000_000)
        try await catalog.addAPIToken(digest: "t3", userID: user.id, label: "gone", expiresAt: now - 1)
        #expect(try await catalog.user(tokenDigest: "t1")?.id == user.id)
        #expect(try await catalog.user(tokenDigest: "t2")?.id == user.id)
        #expect(try await catalog.user(tokenDigest: "t3") == nil, "an expired token is no token")
        #expect(try await catalog.deleteAPITokens(userID: user.id) == 3)
        #expect(try await catalog.user(tokenDigest: "t1") == nil)

        // Deleting a user ends their sessions and tokens.
        try await catalog.createSession(digest: "s3", userID: user.id, csrf: "c3", expiresAt: now + 60_000_000)
        try await catalog.addAPIToken(digest: "t4", userID: user.id, label: "cli", expiresAt: nil)
        #expect(try await catalog.deleteUser(id: user.id))
        #expect(try await catalog.deleteUser(id: user.id) == false)
        #expect(try await catalog.session(digest: "s3") == nil)
        #expect(try await catalog.user(tokenDigest: "t4") == nil)
    }

    @Test(arguments: Backend.all) func manyCredentialsAreAnsweredInOneReadAsOneByOne(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let olga = try await catalog.insert(User(name: "olga", role: .operator, passwordHash: "h",
                                                 grants: [AccessGrant(effect: .allow, scope: .district, target: "north"), AccessGrant(effect: .deny, scope: .camera, target: "7")]))
        let ivan = try await catalog.insert(User(name: "ivan", role: .guard, passwordHash: "h"))
        let now = CatalogClock.nowMicros()
        try await catalog.createSession(digest: "s1", userID: olga.id, csrf: "c1", expiresAt: now + 60_000_000)
        try await catalog.createSession(digest: "s2", userID: ivan.id, csrf: "c2", expiresAt: now + 60_000_000)
        try await catalog.createSession(digest: "old", userID: ivan.id, csrf: "c0", expiresAt: now - 1)
        try await catalog.addAPIToken(digest: "t1", userID: olga.id, label: "cli", expiresAt: nil)
        try await catalog.addAPIToken(digest: "t2", userID: ivan.id, label: "gone", expiresAt: now - 1)
        // More tokens than one statement takes (500), so that the read is made in parts.
        for i in 0..<620 { try await catalog.addAPIToken(digest: "many\(i)", userID: i % 2 == 0 ? olga.id : ivan.id, label: "phone", expiresAt: nil) }

        let sessionDigests = ["s1", "s2", "old", "nope", "t1"], tokenDigests = ["t1", "t2", "nope", "s1", "t1"] + (0..<620).map { "many\($0)" }
        let owners = try await catalog.owners(sessionDigests: sessionDigests, tokenDigests: tokenDigests)
        #expect(Set(owners.sessions.keys) == ["s1", "s2"], "an expired or unknown session, or a token's digest, is no session")
        #expect(owners.tokens.count == 621 && owners.tokens["t2"] == nil && owners.tokens["s1"] == nil)
        for digest in sessionDigests {
            let one = try await catalog.session(digest: digest)
            #expect(owners.sessions[digest]?.user == one?.user && owners.sessions[digest]?.csrf == one?.csrf, "session \(digest)")
        }
        for digest in tokenDigests { #expect(try await owners.tokens[digest] == catalog.user(tokenDigest: digest), "token \(digest)") }
        #expect(owners.sessions["s1"]?.user.grants.count == 2 && owners.tokens["many1"]?.name == "ivan")
        #expect(try await catalog.owners(sessionDigests: [], tokenDigests: []).tokens.isEmpty)

        // What ends a credential one by one ends it in the batch too.
        try await catalog.deleteSession(digest: "s1")
        #expect(try await catalog.deleteUser(id: ivan.id))
        let after = try await catalog.owners(sessionDigests: sessionDigests, tokenDigests: tokenDigests)
        #expect(after.sessions.isEmpty && after.tokens.count == 311 && after.tokens.values.allSatisfy { $0.name == "olga" })
    }

    // MARK: Recordings

    @Test(arguments: Backend.all) func aFlushCommitsAllOrNothing(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let entry = try await catalog.sampleEntryID(codec: .h264, parameterSets: parameters)
        try await catalog.commit([recording(id: 1, camera: 7, start: 0, entry: entry), recording(id: 2, camera: 7, start: 60, entry: entry)])
        #expect(try await catalog.recordings(camera: 7, from: 0, to: .max / 2).map(\.id) == [1, 2])
        // A batch with one row the database refuses (an unknown sample entry) stores none of it.
        await #expect(throws: (any Error).self) {
            try await catalog.commit([recording(id: 3, camera: 7, start: 120, entry: entry), recording(id: 4, camera: 7, start: 180, entry: entry + 1000)])
        }
        #expect(try await catalog.recordings(camera: 7, from: 0, to: .max / 2).map(\.id) == [1, 2])
        // Committing a row again replaces it (a recording grows flush by flush).
        var grown = recording(id: 2, camera: 7, start: 60, seconds: 90, entry: entry, endsRun: true)
        grown.index = [9, 9, 9]
        try await catalog.commit([grown])
        #expect(try await catalog.recordings(camera: 7, from: 0, to: .max / 2).last == grown)
        #expect(try await catalog.maxRecordingID() == 2)
    }

    @Test(arguments: Backend.all) func recordingsComeInTimeOrderAndOverlapTheirWindow(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let entry = try await catalog.sampleEntryID(codec: .h264, parameterSets: parameters)
        // Committed out of order, on two cameras.
        try await catalog.commit([recording(id: 3, camera: 1, start: 120, entry: entry), recording(id: 1, camera: 1, start: 0, entry: entry),
                                  recording(id: 2, camera: 1, start: 60, entry: entry), recording(id: 4, camera: 2, start: 30, entry: entry)])
        #expect(try await catalog.recordings(camera: 1, from: 0, to: .max / 2).map(\.id) == [1, 2, 3])
        // [start, end): a recording that ends where the window starts, or starts where it ends, is out.
        #expect(try await catalog.recordings(camera: 1, from: 60 * 90_000, to: 120 * 90_000).map(\.id) == [2])
        #expect(try await catalog.recordings(camera: 1, from: 59 * 90_000, to: 121 * 90_000).map(\.id) == [1, 2, 3])
        #expect(try await catalog.recordings(camera: 1, endingBefore: 120 * 90_000).map(\.id) == [1, 2])
        #expect(try await catalog.oldestRecordings(limit: 2).map(\.id) == [1, 4])
        let usage = try await catalog.usage()
        #expect(usage[1]?.oldest90k == 0 && usage[1]?.newest90k == 180 * 90_000 && usage[1]?.bytes == 6000)
        #expect(usage[2]?.bytes == 4000)
        #expect(Set(try await catalog.allRecordingLocations().map(\.id)) == [1, 2, 3, 4])
    }

    @Test(arguments: Backend.all) func sampleEntriesAreStoredOnceEvenUnderConcurrency(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group -> Set<Int64> in
            for _ in 0..<16 { group.addTask { try await catalog.sampleEntryID(codec: .h264, parameterSets: parameters) } }
            return try await group.reduce(into: []) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        let other = try await catalog.sampleEntryID(codec: .h265, parameterSets: ParameterSets(vps: [0x40], sps: [0x42], pps: [0x44]))
        #expect(!ids.contains(other))
        let stored = try #require(try await catalog.sampleEntry(id: ids.first!))
        #expect(stored.codec == .h264 && stored.parameterSets == parameters)
        #expect(try await catalog.sampleEntry(id: other)?.parameterSets.vps == [0x40])
    }

    @Test(arguments: Backend.all) func theGarbageListOutlivesTheIndexRowsAndTakesStaleEventsAlong(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let entry = try await catalog.sampleEntryID(codec: .h264, parameterSets: parameters)
        try await catalog.commit([recording(id: 1, camera: 5, start: 0, entry: entry), recording(id: 2, camera: 5, start: 60, entry: entry),
                                  recording(id: 3, camera: 5, start: 120, entry: entry)])
        // An event in the first minute (finished), one in the second, and an open one that started early.
        let gone = try await catalog.insertMotionEvent(StoredMotionEvent(cameraID: 5, zone: "z", start90k: 10 * 90_000, confirmed90k: 11 * 90_000, end90k: 20 * 90_000, peakScore: 1, box: []), thumbnail: nil)
        let kept = try await catalog.insertMotionEvent(StoredMotionEvent(cameraID: 5, zone: "z", start90k: 70 * 90_000, confirmed90k: 71 * 90_000, end90k: 80 * 90_000, peakScore: 1, box: []), thumbnail: nil)
        let open = try await catalog.insertMotionEvent(StoredMotionEvent(cameraID: 5, zone: "z", start90k: 5 * 90_000, confirmed90k: 6 * 90_000, peakScore: 1, box: []), thumbnail: nil)
        let deletedEvents = try await catalog.moveToGarbage(ids: [1])
        #expect(deletedEvents == 1)
        #expect(try await catalog.motionEvent(id: gone) == nil)
        #expect(try await catalog.motionEvent(id: kept) != nil)
        #expect(try await catalog.motionEvent(id: open) != nil, "an open event stays: its end is not known")
        #expect(try await catalog.recordings(camera: 5, from: 0, to: .max / 2).map(\.id) == [2, 3])
        #expect(try await catalog.garbage().map(\.id) == [1])
        #expect(try await catalog.garbage().first?.camera == 5)
        // Ids in the garbage list still count: a new recording never reuses one.
        try await catalog.moveToGarbage(ids: [3])
        #expect(try await catalog.maxRecordingID() == 3)
        try await catalog.removeGarbage(ids: [1])
        #expect(try await catalog.garbage().map(\.id) == [3])
        #expect(try await catalog.moveToGarbage(ids: []) == 0)
        #expect(try await catalog.moveToGarbage(ids: [999]) == 0)
    }

    @Test(arguments: Backend.all) func retentionSettingsPerCamera(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        try await catalog.setMaxAgeDays(30, camera: 1)
        try await catalog.setMaxAgeDays(7, camera: 2)
        try await catalog.setMaxAgeDays(14, camera: 1)
        #expect(try await catalog.maxAgeDays() == [1: 14, 2: 7])
        try await catalog.setMaxAgeDays(nil, camera: 2)
        #expect(try await catalog.maxAgeDays() == [1: 14])
    }

    /// Recording ids come from the database: blocks that never overlap, also when writers reserve
    /// at once, past every id in the index or on the garbage list and past the minimum asked for.
    @Test(arguments: Backend.all) func recordingIDsAreIssuedOnceInIncreasingBlocks(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let entry = try await catalog.sampleEntryID(codec: .h264, parameterSets: ParameterSets(sps: [0x67, 1], pps: [0x68, 2]))
        try await catalog.commit([recording(id: 5, camera: 7, start: 0, entry: entry)])
        let first = try await catalog.reserveRecordingIDs(count: 3, atLeast: 1)
        #expect(first.lowerBound > 5 && first.count == 3, "\(first)")
        let blocks = try await withThrowingTaskGroup(of: Range<Int64>.self) { group in
            for _ in 0..<20 { group.addTask { try await catalog.reserveRecordingIDs(count: 7, atLeast: 1) } }
            return try await group.reduce(into: [first]) { $0.append($1) }
        }
        let issued = blocks.flatMap { Array($0) }
        #expect(Set(issued).count == issued.count, "an id was issued twice")
        #expect(issued.count == 3 + 20 * 7)
        let minimum = issued.max()! + 1000
        let later = try await catalog.reserveRecordingIDs(count: 2, atLeast: minimum)
        #expect(later.lowerBound >= minimum)
        // A smaller minimum afterwards never goes back.
        #expect(try await catalog.reserveRecordingIDs(count: 1, atLeast: 1).lowerBound >= later.upperBound)
        // Ids that reach the garbage list are not issued again either.
        try await catalog.commit([recording(id: later.upperBound + 50, camera: 7, start: 600, entry: entry)])
        try await catalog.moveToGarbage(ids: [later.upperBound + 50])
        #expect(try await catalog.reserveRecordingIDs(count: 1, atLeast: 1).lowerBound > later.upperBound + 50)
    }

    // MARK: Documents (the city, the offence register, the last plan)

    @Test(arguments: Backend.all) func documentsAreReplacedWholeWithAGrowingRevision(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        #expect(try await catalog.document(named: "city") == nil)
        #expect(try await catalog.documentRevision(named: "city") == nil)
        let first = try await catalog.saveDocument(named: "city", body: Data("one".utf8))
        let other = try await catalog.saveDocument(named: "offences", body: Data("[]".utf8))
        let second = try await catalog.saveDocument(named: "city", body: Data("two".utf8))
        #expect(first < other && other < second, "revisions grow across documents: \(first), \(other), \(second)")
        #expect(try await catalog.document(named: "city") == StoredDocument(body: Data("two".utf8), revision: second))
        #expect(try await catalog.documentRevision(named: "offences") == other)
        // A change that fails saves nothing.
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await catalog.updateDocument(named: "city") { _ in throw Refused() } }
        #expect(try await catalog.documentRevision(named: "city") == second)
    }

    /// Two requests (or two nodes) adding to the register at once both land.
    @Test(arguments: Backend.all) func concurrentUpdatesOfADocumentLoseNothing(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<30 {
                group.addTask {
                    try await catalog.updateDocument(named: "register") { body in
                        var lines = body.map { String(decoding: $0, as: UTF8.self) } ?? ""
                        lines += "\(n)\n"
                        return Data(lines.utf8)
                    }
                }
            }
            try await group.waitForAll()
        }
        let body = try #require(try await catalog.document(named: "register")).body
        #expect(Set(String(decoding: body, as: UTF8.self).split(separator: "\n")).count == 30)
    }

    // MARK: Audit trail

    @Test(arguments: Backend.all) func concurrentWritersMakeOneUnbrokenAuditChain(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        #expect(try await catalog.auditHead() == nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                group.addTask { try await catalog.appendAudit(actor: "user\(n % 4)", client: "10.0.0.\(n)", action: "camera.update", target: "/api/cameras/\(n)") }
            }
            try await group.waitForAll()
        }
        let entries = try await catalog.auditEntries()
        #expect(entries.map(\.id) == Array(1...40))
        let (count, problems) = try await catalog.verifyAudit()
        #expect(count == 40 && problems.isEmpty, "\(problems)")
        #expect(try await catalog.auditHead() == AuditHead(id: 40, hash: entries.last!.hash))
        // Paging and time windows.
        #expect(try await catalog.auditEntries(afterID: 35).map(\.id) == [36, 37, 38, 39, 40])
        #expect(try await catalog.auditEntries(afterID: 10, limit: 3).map(\.id) == [11, 12, 13])
        let t = entries[20].timeMicros
        #expect(try await catalog.auditEntries(fromMicros: t, toMicros: t + 1).allSatisfy { $0.timeMicros == t })
    }

    /// The audit page requests the entries and their verification at once: an entry appended
    /// while verification reads is newer than what it checks, never a deleted tail.
    @Test(arguments: Backend.all) func verificationWhileWritersAppendFindsNothingWrong(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        try await catalog.appendAudit(actor: "first", client: "10.0.0.1", action: "signin", target: "/api/session")
        // Each verification runs while an append is in flight: a bounded number of each, so the
        // test does no more work on a busy machine than on an idle one.
        var verified: [AuditChain.Problem] = []
        for n in 0..<200 {
            async let appended = catalog.appendAudit(actor: "writer", client: "10.0.0.2", action: "camera.update", target: "/api/cameras/\(n)")
            async let problems = catalog.verifyAudit().problems
            verified += try await problems
            _ = try await appended
        }
        #expect(verified.isEmpty, "\(verified.prefix(3))")
        #expect(try await catalog.verifyAudit().problems.isEmpty)
    }

    @Test(arguments: Backend.all) func theBackendStoresTheChainItIsGiven(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.appendAudit(actor: "aula", client: "local", action: "user.create", target: "olga", timeMicros: 1_000)
        #expect(first.id == 1 && first.previousHash == AuditChain.genesis && first.hash == first.computedHash())
        let second = try await catalog.appendAudit(actor: "aula", client: "local", action: "user.update", target: "olga", detail: "role", timeMicros: 2_000)
        #expect(second.previousHash == first.hash)
        let stored = try await catalog.backend.auditPage(fromMicros: nil, toMicros: nil, afterID: 0, limit: 10)
        #expect(stored == [first, second], "the backend returns exactly what it stored, hashes included")
        #expect(try await catalog.backend.auditHead() == AuditHead(id: 2, hash: second.hash))
    }

    // MARK: Evidence locks, motion settings, events and alerts

    @Test(arguments: Backend.all) func evidenceLocksKeepTheirOrder(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let a = try await catalog.insert(EvidenceLock(cameraID: 1, start90k: 0, end90k: 90_000, reason: "case 17", createdBy: "olga"))
        let b = try await catalog.insert(EvidenceLock(cameraID: 2, start90k: 0, end90k: 90_000, reason: "case 18", createdBy: "olga"))
        #expect(a.id > 0 && b.id > a.id && a.createdAt > 0)
        #expect(try await catalog.evidenceLocks().map(\.reason) == ["case 17", "case 18"])
        #expect(try await catalog.deleteEvidenceLock(id: a.id))
        #expect(try await catalog.deleteEvidenceLock(id: a.id) == false)
        #expect(try await catalog.evidenceLocks().map(\.id) == [b.id])
    }

    @Test(arguments: Backend.all) func motionSettingsAreStoredPerCamera(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        try await catalog.setMotionConfiguration("{\"a\":1}", camera: 1)
        try await catalog.setMotionConfiguration("{\"b\":2}", camera: 2)
        try await catalog.setMotionConfiguration("{\"a\":3}", camera: 1)
        #expect(try await catalog.motionConfigurations() == [1: "{\"a\":3}", 2: "{\"b\":2}"])
        try await catalog.setMotionConfiguration(nil, camera: 2)
        #expect(try await catalog.motionConfiguration(camera: 2) == nil)
        #expect(try await catalog.motionConfiguration(camera: 1) == "{\"a\":3}")
    }

    @Test(arguments: Backend.all) func motionEventsNewestFirstWithinTheirWindow(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        func add(_ camera: Int64, _ zone: String, _ start: Int64, _ end: Int64?) async throws -> Int64 {
            try await catalog.insertMotionEvent(StoredMotionEvent(cameraID: camera, zone: zone, start90k: start, confirmed90k: start + 1, end90k: end,
                                                                  peakScore: 0.25, box: [0.1, 0.2, 0.3, 0.4]), thumbnail: [0xFF, 0xD8])
        }
        let e1 = try await add(1, "gate", 100, 200)
        let e2 = try await add(1, "yard", 300, nil)
        let e3 = try await add(2, "gate", 150, 250)
        #expect(try await catalog.motionEvents().map(\.id) == [e2, e3, e1])
        #expect(try await catalog.motionEvents(cameras: [1]).map(\.id) == [e2, e1])
        #expect(try await catalog.motionEvents(cameras: []).isEmpty)
        #expect(try await catalog.motionEvents(zone: "gate").map(\.id) == [e3, e1])
        #expect(try await catalog.motionEvents(start90k: 210, end90k: 400).map(\.id) == [e2, e3])
        #expect(try await catalog.motionEvents(cameras: nil, zone: nil, start90k: .min, end90k: .max, limit: 1).map(\.id) == [e2])
        try await catalog.finishMotionEvent(id: e2, end90k: 400, peakScore: 0.9, box: [0, 0, 1, 1])
        let (finished, thumbnail) = try #require(try await catalog.motionEvent(id: e2))
        #expect(finished.end90k == 400 && finished.peakScore == 0.9 && finished.box == [0, 0, 1, 1] && thumbnail == [0xFF, 0xD8])
    }

    @Test(arguments: Backend.all) func alertsAreAcknowledgedAndEscalatedOnce(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let motion = try await catalog.insertAlert(StoredAlert(kind: .motion, cameraID: 1, zone: "gate", message: "motion at the gate", raisedMicros: 1_000))
        let online = try await catalog.insertAlert(StoredAlert(kind: .cameraOnline, cameraID: 1, message: "back", raisedMicros: 1_000))
        let late = try await catalog.insertAlert(StoredAlert(kind: .diskPressure, cameraID: nil, message: "full", raisedMicros: 5_000))
        #expect(motion.id > 0 && online.id > motion.id && late.id > online.id)
        #expect(try await catalog.alerts(openOnly: true).map(\.id) == [late.id, online.id, motion.id])
        // Escalation: only escalating kinds raised by the deadline, each once.
        let escalated = try await catalog.escalateAlerts(raisedBefore: 2_000, atMicros: 3_000)
        #expect(escalated.map(\.id) == [motion.id] && escalated.first?.escalatedMicros == 3_000)
        #expect(try await catalog.escalateAlerts(raisedBefore: 2_000, atMicros: 4_000).isEmpty)
        #expect(try await catalog.alert(id: motion.id)?.escalatedMicros == 3_000)
        // The first acknowledgement stands.
        #expect(try await catalog.acknowledgeAlert(id: motion.id, by: "olga", atMicros: 6_000)?.acknowledgedBy == "olga")
        let again = try await catalog.acknowledgeAlert(id: motion.id, by: "ivan", atMicros: 7_000)
        #expect(again?.acknowledgedBy == "olga" && again?.acknowledgedMicros == 6_000)
        #expect(try await catalog.acknowledgeAlert(id: 999_999, by: "olga", atMicros: 1) == nil)
        #expect(try await catalog.alerts(openOnly: true).map(\.id) == [late.id, online.id])
        #expect(try await catalog.alerts(openOnly: false, limit: 2).map(\.id) == [late.id, online.id])
        // An acknowledged alert no longer escalates.
        #expect(try await catalog.escalateAlerts(raisedBefore: 10_000, atMicros: 11_000).map(\.id) == [late.id])
    }
}
