/// Puts RTP packets that arrive slightly out of order back into sequence-number order.
///
/// Holds at most `window` packets. A packet is released as soon as it is the next expected one,
/// or when the buffer overflows (then the lowest is released and the missing ones count as lost
/// downstream). With `window` 0 every packet passes straight through. Duplicates and packets
/// whose place has already passed are discarded.
struct ReorderBuffer: Sendable {
    /// A packet this far behind the expected sequence number means the sender restarted its
    /// numbering, not that the packet is late.
    static let restartDistance = 3000

    let window: Int
    private(set) var nextSequenceNumber: UInt16?
    private var anchor: UInt16 = 0
    private var packets: [RTPPacket] = []

    /// Windows beyond this would mistake a restart for reordering; no network reorders this much.
    static let maximumWindow = 1000

    init(window: Int) {
        self.window = min(max(0, window), Self.maximumWindow)
    }

    /// Position of `sequenceNumber` relative to the next expected one (or the first packet seen).
    private func key(_ sequenceNumber: UInt16) -> Int {
        Int(Int16(bitPattern: sequenceNumber &- (nextSequenceNumber ?? anchor)))
    }

    /// The common case, cheaply: nothing is held and `sequenceNumber` is the next expected one (or
    /// the first). Then the packet is ready at once and is taken as delivered; otherwise nothing
    /// changes and the packet must go through ``insert(_:discarded:)``.
    mutating func passesStraightThrough(_ sequenceNumber: UInt16) -> Bool {
        // The very first packet passes only without a window: with one, it is held until the
        // window fills, in case a lower sequence number arrives late.
        guard packets.isEmpty, nextSequenceNumber == sequenceNumber || (nextSequenceNumber == nil && window == 0) else { return false }
        if nextSequenceNumber == nil { anchor = sequenceNumber }
        nextSequenceNumber = sequenceNumber &+ 1
        return true
    }

    /// Adds a packet; returns the packets now ready, in order. `discarded` counts what was dropped.
    mutating func insert(_ packet: RTPPacket, discarded: inout Int) -> [RTPPacket] {
        var ready: [RTPPacket] = []
        if nextSequenceNumber == nil && packets.isEmpty {
            anchor = packet.sequenceNumber
        }
        let position = key(packet.sequenceNumber)
        if position < 0, nextSequenceNumber != nil {
            guard position < -Self.restartDistance else {
                discarded += 1
                return []
            }
            // The sender restarted: release what we hold, then start over from this packet.
            ready = drain()
            nextSequenceNumber = nil
            anchor = packet.sequenceNumber
        }
        let newKey = key(packet.sequenceNumber)
        var index = packets.endIndex
        for (i, held) in packets.enumerated() {
            let heldKey = key(held.sequenceNumber)
            if heldKey == newKey {
                discarded += 1
                return ready
            }
            if heldKey > newKey {
                index = i
                break
            }
        }
        packets.insert(packet, at: index)
        while let head = packets.first, packets.count > window || head.sequenceNumber == nextSequenceNumber {
            packets.removeFirst()
            nextSequenceNumber = head.sequenceNumber &+ 1
            ready.append(head)
        }
        return ready
    }

    /// Releases everything held, in order.
    mutating func drain() -> [RTPPacket] {
        let all = packets
        packets.removeAll()
        if let last = all.last { nextSequenceNumber = last.sequenceNumber &+ 1 }
        return all
    }
}
