import Media

/// One camera's motion analysis: decoder, detector and thumbnails behind the three calls a
/// recorder's frame consumer makes (stream started, access unit, stream ended).
///
/// Not thread-safe (it owns FFmpeg contexts): keep it inside one actor or task per camera. See
/// docs/motion.md, "Plugging into the recorder", for the `FrameSink` adapter that does that.
public final class MotionAnalyzer {
    public private(set) var configuration: MotionConfiguration
    public private(set) var detector: MotionDetector
    public private(set) var decoder: LumaDecoder?
    private var thumbnails: ThumbnailEncoder?
    private let masker: PrivacyMasker
    private var parameterSets: ParameterSets?
    /// Access units the decoder rejected since the analyzer was created.
    public private(set) var rejectedUnits = 0

    /// Media time → local minute and weekday, for zone schedules (see ``MotionDetector/scheduleClock``).
    public var scheduleClock: (@Sendable (Int64) -> (minute: Int, weekday: Int))? {
        get { detector.scheduleClock }
        set { detector.scheduleClock = newValue }
    }

    public init(configuration: MotionConfiguration) {
        self.configuration = configuration
        detector = MotionDetector(configuration: configuration)
        masker = PrivacyMasker(zones: configuration.zones)
    }

    /// (Re)opens the decoder for a stream; keeps the background when only the stream restarted
    /// with the same parameters.
    public func streamStarted(parameters: VideoParameters) throws(MotionError) {
        if decoder == nil || decoder?.codec != parameters.codec || parameterSets != parameters.parameterSets {
            var options = LumaDecoder.Options()
            options.analysisFPS = configuration.settings.analysisFPS
            options.analysisWidth = configuration.settings.analysisWidth
            decoder = try LumaDecoder(codec: parameters.codec, parameterSets: parameters.parameterSets, options: options)
            parameterSets = parameters.parameterSets
        }
    }

    /// Decodes `unit` and, when an analysis picture is due, runs the detector on it.
    ///
    /// - Throws: ``MotionError`` naming the access unit if the decoder rejects it. The analyzer
    ///   stays usable: analysis resumes at the next key frame.
    public func accessUnit(_ unit: AccessUnit) throws(MotionError) -> [MotionEventUpdate] {
        guard let decoder else { throw .decoder("access unit (90 kHz time \(unit.timestamp))", "arrived before streamStarted") }
        let picture: LumaFrame?
        do {
            picture = try decoder.decode(unit)
        } catch {
            rejectedUnits += 1
            throw error
        }
        guard let picture else { return [] }
        return try analyse(picture)
    }

    /// Runs the detector on an analysis picture and adds thumbnails to started events.
    public func analyse(_ picture: LumaFrame) throws(MotionError) -> [MotionEventUpdate] {
        var updates = detector.process(picture)
        guard updates.contains(where: { if case .started = $0 { true } else { false } }) else { return updates }
        var masked = picture
        masker.apply(to: &masked)
        if thumbnails == nil { thumbnails = try ThumbnailEncoder(width: picture.width, height: picture.height) }
        let jpeg = try thumbnails?.encode(masked)
        for i in updates.indices {
            if case .started(var event) = updates[i] {
                event.thumbnail = jpeg
                updates[i] = .started(event)
            }
        }
        return updates
    }

    /// Ends open events when the stream stops.
    public func streamEnded() -> [MotionEventUpdate] {
        detector.finish()
    }
}
