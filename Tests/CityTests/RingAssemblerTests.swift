import Testing
@testable import City

/// Joining member ways into rings: backtracking around dead ends and redundant branches, and
/// bounded in time, memory and stack on relations of any length.
@Suite struct RingAssemblerTests {
    @Test func backtracksAroundADeadEndAndLeavesARedundantBranchOut() throws {
        let ways: [[Int64]] = [
            [1, 2],
            [2, 9],  // dead end, tried first
            [3, 2],  // reversed
            [2, 3],  // parallel to the one before: left over
            [3, 4, 1],
        ]
        let result = try RingAssembler.rings(of: ways, relation: "relation 1")
        #expect(result.rings == [[1, 2, 3, 4, 1]])
        #expect(result.leftOver == [1, 3])
    }

    /// A boundary of 100,000 member ways in one chain (a 1 MB PBF can hold it). The recursive
    /// search kept a copy of the path per step and a stack frame per way: 17 GB and a crash
    /// (signal 11) for the same relation in an .osm file.
    @Test func aHundredThousandMemberWaysAreJoinedInBoundedMemory() throws {
        let n: Int64 = 100_000
        // In a shuffled order, half of them reversed.
        var ways: [[Int64]] = (0..<n).map { i in i % 2 == 0 ? [i, (i + 1) % n] : [(i + 1) % n, i] }
        ways = ways.enumerated().sorted { ($0.offset * 7919) % Int(n) < ($1.offset * 7919) % Int(n) }.map(\.element)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try RingAssembler.rings(of: ways, relation: "relation 1")
        #expect(result.rings.count == 1)
        #expect(result.rings.first?.count == Int(n) + 1)
        #expect(Set(result.rings.first ?? []).count == Int(n))
        #expect(result.leftOver.isEmpty)
        #expect(clock.now - start < .seconds(10))
    }
}
