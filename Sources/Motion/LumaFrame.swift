/// A grey picture at analysis resolution: the downscaled luma of one decoded frame.
public struct LumaFrame: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Row-major, `width * height` bytes, no padding.
    public var pixels: [UInt8]
    /// Media time in 90 kHz ticks (the access unit's timestamp).
    public var timestamp: Int64

    public init(width: Int, height: Int, pixels: [UInt8], timestamp: Int64) {
        precondition(pixels.count == width * height, "LumaFrame: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.timestamp = timestamp
    }

    /// Seconds of media time.
    public var seconds: Double { Double(timestamp) / 90_000 }
}
