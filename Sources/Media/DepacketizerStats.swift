/// Counters a depacketizer keeps so losses are visible to users, not silent.
public struct DepacketizerStats: Sendable, Equatable {
    /// Packets pushed, including duplicates and late ones.
    public var packets: Int
    /// Breaks in the sequence numbers (each run of missing packets counts once).
    public var gaps: Int
    /// Packets missing in those gaps.
    public var lostPackets: Int
    /// Access units seen at least in part but not emitted: broken by a loss or malformed packet,
    /// or waiting for a key frame after one (or at the start of the stream).
    public var droppedAccessUnits: Int
    /// Access units emitted.
    public var accessUnits: Int
    /// Fragments (FU-A / FU) that arrived without their start, or a start without its end.
    public var strayFragments: Int
    /// Packets of a kind this depacketizer does not handle (STAP-B, MTAP, FU-B, PACI, reserved types).
    public var unsupportedPackets: Int
    /// Duplicates and packets that arrived after their place in the sequence had passed.
    public var discardedPackets: Int

    public init(
        packets: Int = 0, gaps: Int = 0, lostPackets: Int = 0, droppedAccessUnits: Int = 0,
        accessUnits: Int = 0, strayFragments: Int = 0, unsupportedPackets: Int = 0, discardedPackets: Int = 0
    ) {
        self.packets = packets
        self.gaps = gaps
        self.lostPackets = lostPackets
        self.droppedAccessUnits = droppedAccessUnits
        self.accessUnits = accessUnits
        self.strayFragments = strayFragments
        self.unsupportedPackets = unsupportedPackets
        self.discardedPackets = discardedPackets
    }
}
