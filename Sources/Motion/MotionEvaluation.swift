import Media

/// Scores motion events against ground truth (what a simulator drew), as docs/motion.md defines:
///
/// - An object is **in a zone** while its box covers at least a quarter of the minimum object
///   area of the zone's analysable part (the detector's own presence rule).
/// - Presences of all objects in a zone, merged when they are less than ``MotionSettings/endAfter``
///   apart, form **episodes**: what one event should report. Episodes shorter than the minimum
///   duration plus one analysis interval are *optional*: an event for them is right, no event is
///   not wrong.
/// - An event is **correct** (precision) if, during the event (with a tolerance of one second at
///   either end for the sampling of analysis pictures), some object's box overlapped the zone at
///   all: motion right at a zone's edge is real motion, and whether a few pixels make it "in"
///   is a judgement of resolution, not a false alarm. Events without any object near are wrong.
/// - Episodes that start during the detector's warm-up (``MotionDetector/warmUpSeconds``, when the
///   background is learnt) are optional.
/// - An episode is **found** (recall) if an event of its zone overlaps it.
/// - **Delay** of a found episode: from its start to the confirmation of the first event that
///   overlaps it (zero if that event was already raised).
public struct MotionEvaluation: Sendable, CustomStringConvertible {
    public struct ZoneScore: Sendable {
        public var zone: String
        public var events = 0
        public var correctEvents = 0
        public var episodes = 0
        public var foundEpisodes = 0
        public var delays: [Double] = []
        /// Episodes without an event, and events without an episode (start, end in seconds), to look at.
        public var missed: [[Double]] = []
        public var wrong: [[Double]] = []
    }

    public var zones: [ZoneScore]
    public var seconds: Double
    public var objects: Int

    public var events: Int { zones.reduce(0) { $0 + $1.events } }
    public var correctEvents: Int { zones.reduce(0) { $0 + $1.correctEvents } }
    public var episodes: Int { zones.reduce(0) { $0 + $1.episodes } }
    public var foundEpisodes: Int { zones.reduce(0) { $0 + $1.foundEpisodes } }
    public var precision: Double { events == 0 ? 0 : Double(correctEvents) / Double(events) }
    public var recall: Double { episodes == 0 ? 0 : Double(foundEpisodes) / Double(episodes) }
    public var delays: [Double] { zones.flatMap(\.delays).sorted() }
    public var medianDelay: Double { Self.quantile(delays, 0.5) }
    public var p90Delay: Double { Self.quantile(delays, 0.9) }

    public var description: String {
        String(format: "%.0f s, %d objects: events %d (correct %d), episodes %d (found %d): precision %.3f, recall %.3f, delay median %.2f s, p90 %.2f s",
               seconds, objects, events, correctEvents, episodes, foundEpisodes, precision, recall, medianDelay, p90Delay)
    }

    /// Combines evaluations of several scenes.
    public static func combined(_ parts: [MotionEvaluation]) -> MotionEvaluation {
        MotionEvaluation(zones: parts.flatMap(\.zones), seconds: parts.reduce(0) { $0 + $1.seconds }, objects: parts.reduce(0) { $0 + $1.objects })
    }

    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lo = Int(position.rounded(.down)), hi = Int(position.rounded(.up))
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - Double(lo))
    }
}

/// A ground-truth object: where its box is (pixels of the full picture) at a time, nil when not in view.
public struct TruthObject: Sendable {
    public var id: Int
    public var box: @Sendable (Double) -> (x0: Int, y0: Int, x1: Int, y1: Int)?
    public init(id: Int, box: @escaping @Sendable (Double) -> (x0: Int, y0: Int, x1: Int, y1: Int)?) {
        self.id = id
        self.box = box
    }
}

/// Runs a camera's access units through the real decoder and detector and scores the events.
public enum MotionEvaluator {
    /// - Parameters:
    ///   - units: the encoded stream in decoding order, timestamps in 90 kHz ticks from 0.
    ///   - width, height, frameRate: of the stream; ground truth is sampled at every frame.
    public static func evaluate(codec: VideoCodec, parameterSets: ParameterSets, units: [AccessUnit], width: Int, height: Int, frameRate: Int,
                                objects: [TruthObject], configuration: MotionConfiguration) throws(MotionError) -> (evaluation: MotionEvaluation, events: [MotionEvent]) {
        let analyzer = MotionAnalyzer(configuration: configuration)
        let parameters: VideoParameters
        do { parameters = try VideoParameters(codec: codec, parameterSets: parameterSets) } catch {
            throw .decoder("parameter sets", "\(error)")
        }
        try analyzer.streamStarted(parameters: parameters)
        var events: [MotionEvent] = []
        for unit in units {
            for update in try analyzer.accessUnit(unit) { if case .ended(let e) = update { events.append(e) } }
        }
        for update in analyzer.streamEnded() { if case .ended(let e) = update { events.append(e) } }
        let seconds = Double(units.count) / Double(frameRate)
        let evaluation = score(events: events, objects: objects, width: width, height: height, frameRate: frameRate, seconds: seconds, configuration: configuration)
        return (evaluation, events)
    }

    /// Scores events against ground truth sampled at every frame of `seconds`.
    public static func score(events: [MotionEvent], objects: [TruthObject], width: Int, height: Int, frameRate: Int, seconds: Double,
                             configuration: MotionConfiguration) -> MotionEvaluation {
        let settings = configuration.settings
        // Zone masks at full resolution, as integral images for box sums.
        let (mw, mh) = (width, height)
        let masks = configuration.masks(width: mw, height: mh).alert
        let presenceArea = settings.minimumObjectArea / 4 * Double(mw * mh)
        let frames = Int(seconds * Double(frameRate))
        let step = 1 / Double(frameRate)
        let analysisInterval = 1 / settings.analysisFPS
        let tolerance = 1.0
        var zoneScores: [MotionEvaluation.ZoneScore] = []
        for (zone, mask) in masks {
            let integral = Integral(mask)
            // Presence intervals per object, then episodes.
            var intervals: [(start: Double, end: Double)] = []
            for object in objects {
                var start: Double?
                for f in 0...frames {
                    let t = Double(f) * step
                    var inside = false
                    if f < frames, let b = object.box(t) {
                        let covered = integral.sum(x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1)
                        inside = Double(covered) >= presenceArea
                    }
                    if inside, start == nil { start = t }
                    if !inside, let s = start { intervals.append((s, t)); start = nil }
                }
            }
            // Loose presence: any overlap at all, for judging events.
            var touching: [(start: Double, end: Double)] = []
            for object in objects {
                var start: Double?
                for f in 0...frames {
                    let t = Double(f) * step
                    var inside = false
                    if f < frames, let b = object.box(t) { inside = integral.sum(x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1) > 0 }
                    if inside, start == nil { start = t }
                    if !inside, let s = start { touching.append((s, t)); start = nil }
                }
            }
            intervals.sort { $0.start < $1.start }
            var episodes: [(start: Double, end: Double)] = []
            for i in intervals {
                if let last = episodes.last, i.start - last.end < settings.endAfter {
                    episodes[episodes.count - 1].end = max(last.end, i.end)
                } else {
                    episodes.append(i)
                }
            }
            let zoneEvents = events.filter { $0.zone == zone.name }.map { e in
                (start: Double(e.start) / 90_000, end: Double(e.end ?? e.confirmed) / 90_000, confirmed: Double(e.confirmed) / 90_000)
            }
            func overlaps(_ e: (start: Double, end: Double, confirmed: Double), _ p: (start: Double, end: Double)) -> Bool {
                e.start <= p.end + tolerance && e.end >= p.start - tolerance
            }
            var score = MotionEvaluation.ZoneScore(zone: zone.name)
            score.events = zoneEvents.count
            score.correctEvents = zoneEvents.filter { e in touching.contains { overlaps(e, $0) } }.count
            score.wrong = zoneEvents.filter { e in !touching.contains { overlaps(e, $0) } }.map { [$0.start, $0.end] }
            for p in episodes where p.end - p.start >= settings.minimumDuration + analysisInterval && p.start >= MotionDetector.warmUpSeconds {
                score.episodes += 1
                let matching = zoneEvents.filter { overlaps($0, p) }
                guard let first = matching.map(\.confirmed).min() else { score.missed.append([p.start, p.end]); continue }
                score.foundEpisodes += 1
                score.delays.append(max(0, first - p.start))
            }
            zoneScores.append(score)
        }
        return MotionEvaluation(zones: zoneScores, seconds: seconds, objects: objects.count)
    }

    /// Summed-area table of a mask.
    struct Integral {
        let width: Int
        let height: Int
        var sums: [Int]
        init(_ mask: PixelMask) {
            width = mask.width
            height = mask.height
            sums = [Int](repeating: 0, count: (width + 1) * (height + 1))
            for y in 0..<height {
                var row = 0
                for x in 0..<width {
                    row += mask[x, y] ? 1 : 0
                    sums[(y + 1) * (width + 1) + x + 1] = sums[y * (width + 1) + x + 1] + row
                }
            }
        }
        /// Pixels set in [x0, x1) × [y0, y1), clipped to the mask.
        func sum(x0: Int, y0: Int, x1: Int, y1: Int) -> Int {
            let a = max(0, min(width, x0)), b = max(0, min(height, y0))
            let c = max(0, min(width, x1)), d = max(0, min(height, y1))
            guard c > a, d > b else { return 0 }
            let w = width + 1
            return sums[d * w + c] - sums[b * w + c] - sums[d * w + a] + sums[b * w + a]
        }
    }
}
