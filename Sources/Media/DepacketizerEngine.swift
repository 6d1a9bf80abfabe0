/// The codec-independent part of depacketizing: reordering, loss detection, fragment
/// reassembly, access-unit boundaries, waiting for key frames and timestamp extension.
///
/// Rules (see docs/media.md):
/// - An access unit ends on the marker bit (once it holds slice data, so a stray marker on an SEI
///   does not split a picture) or when the RTP timestamp changes.
/// - After a gap, both the access unit in progress and the one the next packet belongs to are
///   dropped: the lost packets may have been the start of either. Nothing more is emitted until a
///   key frame. The stream also starts by waiting for a key frame.
/// - Access units are emitted unchanged; parameter sets are only tracked.
/// - At the end of the stream, an access unit still open is emitted only if the sender evidently
///   does without marker bits (none seen, and access units have ended on timestamp changes);
///   otherwise its marker packet was lost.
struct DepacketizerEngine<Format: RTPPayloadFormat>: Sendable {
    private struct Assembly {
        var timestamp: Int64
        var rtpTimestamp: UInt32
        var nalUnits: [[UInt8]] = []
        var hasVCL = false
        var isKeyFrame = false
        var broken = false
    }

    private(set) var stats = DepacketizerStats()
    private(set) var parameterSets: ParameterSets
    private var reorder: ReorderBuffer
    private var expectedSequenceNumber: UInt16?
    private var current: Assembly?
    private var fragment: [UInt8]?
    /// The size of the last fragmented NAL unit, reserved for the next one so that it grows once.
    private var fragmentCapacityHint = 16 * 1024
    private var waitingForKeyFrame = true
    /// Whether the sender sets marker bits; if so, an access unit still open at the end is incomplete.
    private var sawMarker = false
    /// Whether an access unit has ended on a timestamp change: evidence, with no marker seen, that
    /// the sender does without marker bits.
    private var sawTimestampChange = false
    private var lastRTPTimestamp: UInt32?
    private var extendedTimestamp: Int64 = 0
    /// Access units completed by a push that then threw; handed out by the next call.
    private var pending: [AccessUnit] = []

    init(parameterSets: ParameterSets, reorderWindow: Int) {
        self.parameterSets = parameterSets
        self.reorder = ReorderBuffer(window: reorderWindow)
    }

    mutating func push(_ packet: RTPPacket) throws(MediaError) -> [AccessUnit] {
        stats.packets += 1
        var output = pending
        pending = []
        var firstError: MediaError?
        if reorder.passesStraightThrough(packet.sequenceNumber) {
            // In order (always, over TCP): no array of ready packets to build.
            do {
                try process(packet, into: &output)
            } catch {
                pending = output
                throw error
            }
            return output
        }
        for ready in reorder.insert(packet, discarded: &stats.discardedPackets) {
            do {
                try process(ready, into: &output)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError {
            pending = output
            throw firstError
        }
        return output
    }

    mutating func flush() -> [AccessUnit] {
        var output = pending
        pending = []
        for ready in reorder.drain() {
            // Errors are already reflected in the counters; flushing must still hand out the rest.
            try? process(ready, into: &output)
        }
        if sawMarker || !sawTimestampChange { current?.broken = true }
        finish(into: &output)
        return output
    }

    private mutating func process(_ packet: RTPPacket, into output: inout [AccessUnit]) throws(MediaError) {
        var gap = false
        if let expected = expectedSequenceNumber, packet.sequenceNumber != expected {
            gap = true
            stats.gaps += 1
            let missing = Int(Int16(bitPattern: packet.sequenceNumber &- expected))
            if missing > 0 { stats.lostPackets += missing }  // negative: sender restarted numbering
        }
        expectedSequenceNumber = packet.sequenceNumber &+ 1
        if packet.marker { sawMarker = true }

        if gap { current?.broken = true }
        if let au = current, au.rtpTimestamp != packet.timestamp {
            sawTimestampChange = true
            finish(into: &output)
        }
        if current == nil {
            start(packet.timestamp)
            if gap { current?.broken = true }
        }

        do {
            try unpack(packet.payload, sequenceNumber: packet.sequenceNumber)
        } catch {
            breakAccessUnit()
            endOnMarker(packet, into: &output)
            throw error
        }
        endOnMarker(packet, into: &output)
    }

    private mutating func endOnMarker(_ packet: RTPPacket, into output: inout [AccessUnit]) {
        guard packet.marker, let au = current, au.hasVCL || au.broken else { return }
        finish(into: &output)
    }

    private mutating func unpack(_ payload: [UInt8], sequenceNumber: UInt16) throws(MediaError) {
        // The name is only built when an error needs it.
        switch try Format.content(of: payload, packet: "RTP packet \(sequenceNumber)") {
        case .nalUnits(let units):
            if fragment != nil {
                // A fragmented unit never got its end.
                stats.strayFragments += 1
                breakAccessUnit()
            }
            for unit in units { add(Array(unit)) }
        case .nalUnit(let unit):
            if fragment != nil {
                stats.strayFragments += 1
                breakAccessUnit()
            }
            add(Array(unit))
        case .fragment(let isStart, let isEnd, let header, let data):
            if isStart {
                if fragment != nil {
                    stats.strayFragments += 1
                    breakAccessUnit()
                }
                var unit = header.unit(reservingCapacity: isEnd ? 2 + data.count : max(fragmentCapacityHint, 2 + data.count))
                unit.append(contentsOf: data)
                if isEnd {
                    add(unit)  // start and end together is invalid but unambiguous
                } else {
                    fragment = unit
                }
            } else if let first = fragment?.first, Format.nalType(firstByte: first) == Format.nalType(firstByte: header.first) {
                // Appended in place: a local copy of the fragment would share its buffer and copy
                // all of it on every packet (quadratic in the size of the NAL unit).
                fragment!.append(contentsOf: data)
                if isEnd {
                    let complete = fragment!
                    fragment = nil
                    fragmentCapacityHint = min(complete.count, 1 << 20)
                    add(complete)
                }
            } else {
                stats.strayFragments += 1
                breakAccessUnit()
            }
        case .unsupported(let kind):
            stats.unsupportedPackets += 1
            breakAccessUnit()
            throw MediaError("RTP packet \(sequenceNumber): \(Format.codec.rawValue) \(kind) packets are not supported")
        case .ignored:
            stats.unsupportedPackets += 1
        }
    }

    private mutating func add(_ nal: [UInt8]) {
        guard !nal.isEmpty else { return }
        let type = Format.nalType(nal)
        parameterSets.record(nal, codec: Format.codec)
        current?.nalUnits.append(nal)
        if Format.isVCL(type) { current?.hasVCL = true }
        if Format.isKeyFrame(type) { current?.isKeyFrame = true }
    }

    private mutating func breakAccessUnit() {
        fragment = nil
        current?.broken = true
    }

    private mutating func start(_ rtpTimestamp: UInt32) {
        if let last = lastRTPTimestamp {
            extendedTimestamp = extendedTimestamp &+ Int64(Int32(bitPattern: rtpTimestamp &- last))
        } else {
            extendedTimestamp = Int64(rtpTimestamp)
        }
        lastRTPTimestamp = rtpTimestamp
        current = Assembly(timestamp: extendedTimestamp, rtpTimestamp: rtpTimestamp)
    }

    private mutating func finish(into output: inout [AccessUnit]) {
        guard var au = current else { return }
        current = nil
        if fragment != nil {
            stats.strayFragments += 1
            fragment = nil
            au.broken = true
        }
        if au.broken {
            stats.droppedAccessUnits += 1
            waitingForKeyFrame = true
            return
        }
        guard !au.nalUnits.isEmpty else { return }
        if waitingForKeyFrame && !au.isKeyFrame {
            stats.droppedAccessUnits += 1
            return
        }
        waitingForKeyFrame = false
        stats.accessUnits += 1
        output.append(AccessUnit(timestamp: au.timestamp, rtpTimestamp: au.rtpTimestamp, isKeyFrame: au.isKeyFrame, nalUnits: au.nalUnits))
    }
}
