/// Derives decode timestamps from presentation timestamps, for streams that carry only the latter.
///
/// RTP gives each access unit its presentation time (pts), in decoding order. An MP4 needs decode
/// times (dts) that increase in that order, with `pts - dts` as the composition offset. Without
/// B-frames dts equals pts. With B-frames, the *i*-th frame in decoding order gets the *i*-th
/// smallest pts, moved back by a constant delay:
///
///     dts[i] = sorted(pts)[i] - delay,   delay = max over i of (sorted(pts)[i] - pts[i])
///
/// so dts increases, dts ≤ pts, and the dts values are the pts values shifted by one constant.
/// For `I0 P3 B1 B2 P6 B4 B5` (in frame periods) the delay is 1 and the dts are -1, 0, 1, ... 5.
///
/// Streaming: the *i*-th smallest pts is known once the frames that may still precede it in
/// presentation order have arrived, that is *reorder depth* frames later (the number of frames
/// that come before a frame in decoding order but after it in presentation order: 0 for IPPP, 1
/// for IBP and IBBP, 2 for a B-pyramid of three B-frames). The estimator learns the delay and the depth from
/// the first `2 × window + 1` frames, which is exact for any depth up to `window`, and from then on
/// holds back only *depth* frames (none for IPPP).
///
/// If the reordering later gets deeper than learned (a camera switches its GOP structure), the
/// estimator learns again from the next `2 × window + 1` frames. Until the new delay has been
/// caught up with, dts still increase strictly (by at least one tick) but may exceed pts for a
/// few frames (a negative composition offset); ``irregularFrames`` counts such frames. A break
/// in the timestamps (a new run) needs a new estimator.
public struct DecodeTimestampEstimator: Sendable {
    /// The deepest reordering handled exactly, in frames.
    public let window: Int
    /// The learnt delay (pts − dts of the earliest-presented frames) in 90 kHz ticks.
    public private(set) var delay90k: Int64 = 0
    /// The learnt reorder depth: how many frames ``push(pts:isKeyFrame:)`` holds back.
    public private(set) var reorderDepth: Int = 0
    /// Frames whose dts could not be made both increasing and ≤ pts (see the type's description).
    public private(set) var irregularFrames: Int = 0

    /// pts of the frames not yet emitted, in decoding order.
    private var pending: [Int64] = []
    /// The pts values not yet handed out as sorted values, ascending (as many as `pending`).
    private var pool: [Int64] = []
    private var learning = true
    private var lastDTS: Int64?
    private var lastSorted: Int64?

    /// - Parameter window: the deepest reordering (in frames) to handle exactly; it also sets the
    ///   start-up latency of `2 × window` frames. 0 means the stream has no B-frames: dts = pts
    ///   with no latency.
    public init(window: Int = 4) {
        self.window = max(0, window)
    }

    /// Adds the next access unit in decoding order and returns the frames whose dts are now known,
    /// in decoding order (possibly none; at most a few frames are held back).
    ///
    /// `isKeyFrame` is not needed by the rule (the sorting window spans key frames, which also
    /// covers open GOPs whose leading pictures precede the key frame in presentation order); it is
    /// part of the signature so callers need not change if a later version uses it.
    public mutating func push(pts: Int64, isKeyFrame: Bool) -> [(dts: Int64, pts: Int64)] {
        if !learning, let lastSorted, pts < lastSorted {
            // This frame should have been presented before one already handed out: the reordering
            // is deeper than learnt. Learn again.
            learning = true
        }
        pending.append(pts)
        insertIntoPool(pts)
        if learning {
            guard pending.count > 2 * window else { return [] }
            learn(exactPrefix: window + 1)
        }
        var out: [(dts: Int64, pts: Int64)] = []
        while pending.count > reorderDepth {
            out.append(emitFirst())
        }
        return out
    }

    /// Returns the frames still held back (at the end of a stream or run).
    public mutating func flush() -> [(dts: Int64, pts: Int64)] {
        if learning && !pending.isEmpty {
            learn(exactPrefix: pending.count)  // every frame is known: exact
        }
        var out: [(dts: Int64, pts: Int64)] = []
        while !pending.isEmpty {
            out.append(emitFirst())
        }
        return out
    }

    /// Computes all dts of a complete sequence at once (pts in decoding order): the same rule with
    /// every frame known, so it is exact for any reorder depth.
    public static func decodeTimestamps(pts: [Int64]) -> [Int64] {
        var estimator = DecodeTimestampEstimator(window: pts.count)
        for value in pts { _ = estimator.push(pts: value, isKeyFrame: false) }
        return estimator.flush().map(\.dts)
    }

    private mutating func insertIntoPool(_ pts: Int64) {
        // Binary search for the first element greater than pts (keeps equal values stable).
        var low = 0
        var high = pool.count
        while low < high {
            let mid = (low + high) / 2
            if pool[mid] <= pts { low = mid + 1 } else { high = mid }
        }
        pool.insert(pts, at: low)
    }

    /// Sets the depth from all held frames, and the delay from those whose sorted value is final
    /// (all but the last *depth* when the first `exactPrefix` are known to be), but at least
    /// depth × the shortest frame period (what a regular stream of that depth needs).
    private mutating func learn(exactPrefix: Int) {
        var depth = 0
        for index in pending.indices {
            var later = 0
            for earlier in 0..<index where pending[earlier] > pending[index] { later += 1 }
            depth = max(depth, later)
        }
        var delay: Int64 = 0
        for index in 0..<max(min(pending.count, exactPrefix), pending.count - depth) {
            delay = max(delay, pool[index] - pending[index])
        }
        if depth > 0 {
            var period = Int64.max
            for (earlier, later) in zip(pool, pool.dropFirst()) where later > earlier {
                period = min(period, later - earlier)
            }
            if period != .max { delay = max(delay, Int64(depth) * period) }
        }
        delay90k = delay
        reorderDepth = min(depth, window)
        learning = false
    }

    private mutating func emitFirst() -> (dts: Int64, pts: Int64) {
        let pts = pending.removeFirst()
        let sorted = pool.removeFirst()
        lastSorted = sorted
        var dts = sorted - delay90k
        var irregular = false
        if dts > pts {
            // Deeper reordering than learnt: a larger delay from now on (caught up with below).
            delay90k = sorted - pts
            dts = pts
            irregular = true
        }
        if let lastDTS, dts <= lastDTS {
            dts = lastDTS + 1
            if dts > pts { irregular = true }
        }
        if irregular { irregularFrames += 1 }
        lastDTS = dts
        return (dts, pts)
    }
}
