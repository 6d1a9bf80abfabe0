/// Per-camera motion settings. The defaults are what the evaluation and the benchmark measure.
public struct MotionSettings: Sendable, Hashable, Codable {
    /// 1 (only large, strong changes) … 100 (the faintest change above the noise). Sets how many
    /// noise standard deviations a pixel must differ from its background to count as moving.
    public var sensitivity = 60
    /// Smallest moving object, as a fraction of the picture's area (0.002 ≈ a person at 20 m in a
    /// 90° view at 720p).
    public var minimumObjectArea = 0.002
    /// Motion must last this long (seconds of media time) before an event starts.
    public var minimumDuration = 0.8
    /// An event ends after this long without motion in its zone.
    public var endAfter = 2.0
    /// Pictures analysed per second.
    public var analysisFPS = 5.0
    /// Width of analysis pictures.
    public var analysisWidth = 320
    /// Seconds over which the background adapts to a lasting change (a parked car, dusk).
    public var backgroundAdaptation = 8.0
    /// Which pictures are decoded: see ``Decoding``.
    public var decoding = Decoding.keyFramesWhenQuiet

    /// Which pictures the analysis decodes.
    public enum Decoding: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every reference picture, all the time.
        case everyFrame
        /// Only key frames while no alert zone moves; every picture from the first key frame that
        /// shows motion, after catching up on the GOP before it (docs/motion.md, "Key frames while
        /// quiet"). Applies while key frames come at least every
        /// ``MotionAnalyzer/quietKeyFrameInterval``; otherwise every frame is decoded.
        case keyFramesWhenQuiet

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let value = Decoding(rawValue: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                    "must be one of \(Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(text)\""))
            }
            self = value
        }
    }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case sensitivity, minimumObjectArea, minimumDuration, endAfter, analysisFPS, analysisWidth, backgroundAdaptation, decoding
    }

    /// Settings stored before `decoding` existed read as the default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sensitivity = try c.decode(Int.self, forKey: .sensitivity)
        minimumObjectArea = try c.decode(Double.self, forKey: .minimumObjectArea)
        minimumDuration = try c.decode(Double.self, forKey: .minimumDuration)
        endAfter = try c.decode(Double.self, forKey: .endAfter)
        analysisFPS = try c.decode(Double.self, forKey: .analysisFPS)
        analysisWidth = try c.decode(Int.self, forKey: .analysisWidth)
        backgroundAdaptation = try c.decode(Double.self, forKey: .backgroundAdaptation)
        decoding = try c.decodeIfPresent(Decoding.self, forKey: .decoding) ?? .keyFramesWhenQuiet
    }

    /// - Throws: ``MotionError`` naming the field that is out of range.
    public func validate(field: String = "settings") throws(MotionError) {
        guard (1...100).contains(sensitivity) else { throw .invalid("\(field).sensitivity", "must be 1…100, got \(sensitivity)") }
        guard minimumObjectArea.isFinite, minimumObjectArea > 0, minimumObjectArea < 0.5 else { throw .invalid("\(field).minimumObjectArea", "must be a fraction of the picture in (0, 0.5), got \(minimumObjectArea)") }
        guard minimumDuration.isFinite, (0...60).contains(minimumDuration) else { throw .invalid("\(field).minimumDuration", "must be 0…60 seconds, got \(minimumDuration)") }
        guard endAfter.isFinite, endAfter > 0, endAfter <= 600 else { throw .invalid("\(field).endAfter", "must be in (0, 600] seconds, got \(endAfter)") }
        guard analysisFPS.isFinite, analysisFPS >= 0.5, analysisFPS <= 30 else { throw .invalid("\(field).analysisFPS", "must be 0.5…30, got \(analysisFPS)") }
        guard (64...1920).contains(analysisWidth) else { throw .invalid("\(field).analysisWidth", "must be 64…1920 pixels, got \(analysisWidth)") }
        guard backgroundAdaptation.isFinite, backgroundAdaptation >= 1, backgroundAdaptation <= 3600 else { throw .invalid("\(field).backgroundAdaptation", "must be 1…3600 seconds, got \(backgroundAdaptation)") }
    }

    /// Noise standard deviations for a pixel to count as moving: 6σ at sensitivity 1, 2σ at 100.
    var thresholdSigmas: Float { 6 - 4 * Float(sensitivity - 1) / 99 }
}
