import AulaSecurity
import Testing

@Suite struct AuditChainTests {
    static func chain(_ n: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditChain.genesis
        for i in 1...n {
            let e = AuditEntry(id: Int64(i), timeMicros: 1_700_000_000_000_000 + Int64(i), actor: "ann", client: "10.0.0.\(i)",
                               action: "view.playback", target: "/api/cameras/\(i)/recording.mp4", detail: "", previousHash: previous).sealed()
            entries.append(e)
            previous = e.hash
        }
        return entries
    }

    @Test func intactChainVerifies() {
        let entries = Self.chain(5)
        #expect(AuditChain.verify(entries, head: (5, entries[4].hash)).isEmpty)
    }

    @Test func editedRowIsDetected() {
        var entries = Self.chain(5)
        entries[2].actor = "bob"
        let problems = AuditChain.verify(entries, head: (5, entries[4].hash))
        #expect(problems.map(\.id) == [3])
        // Re-hashing the edited row breaks the link from the next one instead.
        entries[2] = entries[2].sealed()
        #expect(AuditChain.verify(entries, head: (5, entries[4].hash)).map(\.id) == [4])
    }

    @Test func movingTextBetweenFieldsChangesTheHash() {
        let a = AuditEntry(id: 1, timeMicros: 1, actor: "ab", client: "c", action: "x", target: "", detail: "", previousHash: AuditChain.genesis)
        let b = AuditEntry(id: 1, timeMicros: 1, actor: "a", client: "bc", action: "x", target: "", detail: "", previousHash: AuditChain.genesis)
        #expect(a.computedHash() != b.computedHash())
    }

    @Test func deletedRowsAreDetected() {
        let entries = Self.chain(5)
        var middle = entries
        middle.remove(at: 1)
        #expect(!AuditChain.verify(middle, head: (5, entries[4].hash)).isEmpty)
        // The newest rows: the rest is a valid chain, but it no longer reaches the head.
        let tail = Array(entries.prefix(3))
        let problems = AuditChain.verify(tail, head: (5, entries[4].hash))
        #expect(problems.count == 1)
        #expect(problems.first?.description.contains("newest") == true)
        #expect(!AuditChain.verify([], head: (5, entries[4].hash)).isEmpty)
    }
}
