/// Capped exponential backoff with jitter, so that many cameras behind one failed switch do not
/// all knock again at the same instant.
public struct Backoff: Sendable {
    public var initial: Double
    public var maximum: Double
    public var jitter: Double
    private(set) var attempt = 0

    public init(initial: Double = 1, maximum: Double = 30, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Seconds to wait before the next attempt.
    public mutating func next() -> Double {
        let base = min(maximum, initial * Double(1 << min(attempt, 20)))
        attempt += 1
        let spread = base * jitter
        return max(0.05, base + Double.random(in: -spread...spread))
    }

    public mutating func reset() { attempt = 0 }
}
