/// What a simulated camera films: a static courtyard with people and cars crossing it.
public struct SceneSpec: Sendable, Hashable, Codable {
    public var width = 1280
    public var height = 720
    public var frameRate = 25
    /// Frames between key frames (2 s at 25 fps).
    public var gopFrames = 50
    public var bitRate = 2_000_000
    /// Length of the loop in seconds (a multiple of the GOP, so that the loop restarts at a key frame).
    public var loopSeconds = 20
    public var codec: SimCodec = .h264
    /// B-frames between references; cameras rarely use them, exports must still handle them.
    public var bFrames = 0
    /// A night scene: dark, with sensor noise and a slow change of light.
    public var night = false
    /// Chooses the layout and the crossing schedule.
    public var seed: UInt64 = 1
    /// Mean seconds from one object entering the picture to the next (uniform from half of it to
    /// one and a half times it). The default, an object every 3 s, keeps something moving nearly
    /// all the time: a busy street rather than a courtyard.
    public var meanGap = 3.0

    public init() {}

    public var frameCount: Int {
        let raw = loopSeconds * frameRate
        return max(gopFrames, (raw + gopFrames - 1) / gopFrames * gopFrames)
    }
}

public enum SimCodec: String, Sendable, Hashable, Codable, CaseIterable {
    case h264, h265
}

/// A moving object of the ground truth: when it is (partly) inside the picture.
public struct GroundTruthObject: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case person, car }
    public var id: Int
    public var kind: Kind
    /// Seconds from the start of the loop when the object first enters the picture.
    public var enter: Double
    /// Seconds from the start of the loop when it has fully left.
    public var exit: Double
    // Motion, in pixels: x(t) = startX + speed * (t - enter); fixed y band.
    public internal(set) var startX: Double
    public internal(set) var speed: Double
    public internal(set) var y: Int
    public internal(set) var w: Int
    public internal(set) var h: Int
    var luma: UInt8

    /// The object's box in pixels at `t` seconds from the loop start, as the renderer paints it
    /// (left, top, right, bottom; right and bottom exclusive, not clipped to the picture), or nil
    /// when the object is not in view. Motion detection is scored against this.
    public func box(at t: Double) -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        guard t >= enter && t < exit else { return nil }
        let x0 = Int(startX + speed * (t - enter))
        return (x0, y, x0 + w, y + h)
    }
}
