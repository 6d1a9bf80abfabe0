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
    /// Access units left undecoded because the camera was quiet (``MotionSettings/Decoding``).
    public private(set) var skippedWhileQuiet = 0
    /// Times a key frame showed motion while quiet and the GOP before it was decoded.
    public private(set) var catchUps = 0
    /// Whether only key frames are being decoded now.
    public var isDecodingKeyFramesOnly: Bool { quiet }

    /// Key frames must come at least this often (seconds of media time) for a quiet camera to be
    /// decoded at key frames only: the alert waits for the next key frame, so the interval bounds
    /// the extra delay. Cameras with longer GOPs are decoded in full.
    public static let quietKeyFrameInterval = 2.5

    private var quiet = false
    /// While quiet: the units since the last key frame (which was decoded and analysed), kept so
    /// that they can be decoded after all when the next key frame shows motion.
    private var gop: [AccessUnit] = []
    /// While quiet: the detector as it was after the last key frame.
    private var detectorAtKeyFrame: MotionDetector?
    private var lastKeyFrame: Int64?
    private var keyFrameInterval: Int64?

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
        // A new run may start anywhere: decode in full until a key frame finds the camera quiet.
        leaveQuiet()
        lastKeyFrame = nil
    }

    /// Decodes `unit` and, when an analysis picture is due, runs the detector on it.
    ///
    /// - Throws: ``MotionError`` naming the access unit if the decoder rejects it. The analyzer
    ///   stays usable: analysis resumes at the next key frame.
    ///
    /// With ``MotionSettings/Decoding/keyFramesWhenQuiet`` (the default), a quiet camera's
    /// P-frames are kept but not decoded; its key frames are decoded on their own and analysed.
    /// When one shows a moving object in an alert zone, the detector goes back to the previous key
    /// frame, the kept GOP and the new key frame are decoded and analysed in order, and decoding
    /// continues in full until a key frame finds the camera quiet again. Events found that way
    /// are ``MotionEvent/confirmed`` at the key frame's time, when the alert really goes out.
    public func accessUnit(_ unit: AccessUnit) throws(MotionError) -> [MotionEventUpdate] {
        guard let decoder else { throw .decoder("access unit (90 kHz time \(unit.timestamp))", "arrived before streamStarted") }
        if unit.isKeyFrame {
            if let last = lastKeyFrame, unit.timestamp > last { keyFrameInterval = unit.timestamp - last }
            lastKeyFrame = unit.timestamp
        }
        let gating = configuration.settings.decoding == .keyFramesWhenQuiet
            && keyFrameInterval.map { $0 <= Int64(Self.quietKeyFrameInterval * 90_000) } == true
        if quiet {
            guard unit.isKeyFrame else {
                gop.append(unit)
                skippedWhileQuiet += 1
                // Key frames stopped coming as often: decode what was kept and stay in full.
                if let first = gop.first, unit.timestamp - first.timestamp > Int64(Self.quietKeyFrameInterval * 90_000) {
                    return catchUp(gop, alertAt: unit.timestamp)
                }
                return []
            }
            guard gating else { return catchUp(gop + [unit], alertAt: unit.timestamp) }
            return try quietKeyFrame(unit)
        }
        if unit.isKeyFrame, gating, detector.isQuiet {
            // Nothing is going on: from this key frame on, key frames only.
            quiet = true
            gop = []
            detectorAtKeyFrame = detector
            return try quietKeyFrame(unit)
        }
        return try decodeAndAnalyse(unit, by: decoder)
    }

    private func decodeAndAnalyse(_ unit: AccessUnit, by decoder: LumaDecoder) throws(MotionError) -> [MotionEventUpdate] {
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

    /// A key frame of a quiet camera, decoded on its own.
    private func quietKeyFrame(_ unit: AccessUnit) throws(MotionError) -> [MotionEventUpdate] {
        guard let decoder else { return [] }
        decoder.restart(analysedThrough: nil)
        let updates: [MotionEventUpdate]
        do {
            updates = try decodeAndAnalyse(unit, by: decoder)
        } catch {
            leaveQuiet()
            throw error
        }
        if detector.lastPicture == unit.timestamp, detector.isQuiet {
            gop = [unit]
            detectorAtKeyFrame = detector
            return updates
        }
        // Motion (or a picture that could not be analysed): analyse the GOP before it after all.
        return catchUp(gop + [unit], alertAt: unit.timestamp)
    }

    /// Decodes `units` (starting at the key frame last analysed while quiet) from the detector's
    /// state at that key frame, and decodes in full from here on.
    private func catchUp(_ units: [AccessUnit], alertAt: Int64) -> [MotionEventUpdate] {
        guard let decoder else { return [] }
        catchUps += 1
        if let saved = detectorAtKeyFrame { detector = saved }
        decoder.restart(analysedThrough: detector.lastPicture)
        leaveQuiet()
        var updates: [MotionEventUpdate] = []
        for unit in units {
            // A rejected unit is counted; the decoder then waits for the next key frame.
            guard let more = try? decodeAndAnalyse(unit, by: decoder) else { continue }
            updates += more
        }
        // The alert could not go out before the key frame that showed the motion.
        for i in updates.indices {
            switch updates[i] {
            case .started(var event) where event.confirmed < alertAt:
                event.confirmed = alertAt
                updates[i] = .started(event)
            case .ended(var event) where event.confirmed < alertAt:
                event.confirmed = alertAt
                updates[i] = .ended(event)
            default: break
            }
        }
        return updates
    }

    private func leaveQuiet() {
        quiet = false
        gop = []
        detectorAtKeyFrame = nil
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
    /// While quiet, the GOP kept since the last key frame is analysed first: no key frame will
    /// come to show what moved in it.
    public func streamEnded() -> [MotionEventUpdate] {
        var updates: [MotionEventUpdate] = []
        if quiet, gop.count > 1, let last = gop.last { updates = catchUp(gop, alertAt: last.timestamp) }
        leaveQuiet()
        return updates + detector.finish()
    }
}
