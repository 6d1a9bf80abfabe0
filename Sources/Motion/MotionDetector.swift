import Foundation

/// Turns analysis pictures of one camera into motion events per alert zone.
///
/// Pipeline per picture: background comparison (``BackgroundModel``) → moving cells outside
/// ignore zones and privacy masks → 8-connected blobs of cells, kept if at least the minimum object
/// area → per alert zone, the kept blobs' area inside the zone → an event once a zone has had
/// motion for the minimum duration (short dropouts tolerated), ending after ``MotionSettings/endAfter``
/// without motion. Schedules gate only the start of events.
///
/// Not thread-safe; one per camera, owned by that camera's analysis task. Pure Swift, no I/O.
public struct MotionDetector: Sendable {
    public let configuration: MotionConfiguration
    /// Converts media time to local wall time for schedules; nil treats every zone as always on.
    public var scheduleClock: (@Sendable (Int64) -> (minute: Int, weekday: Int))?

    private var model: BackgroundModel?
    private var grid: Grid?
    private var zones: [ZoneState] = []
    private var sequence = 0
    private var learningUntil: Int64 = 0
    /// Media time of the last picture analysed.
    public private(set) var lastPicture: Int64?
    /// Whether a scheduled alert zone held a moving object in the last picture.
    public private(set) var zoneMotionInLastPicture = false

    /// Seconds after the first picture during which the background is learnt and nothing reported.
    public static let warmUpSeconds = 2.0
    /// The most media time one picture's learning step stands for (a gap in the stream must not
    /// make the background jump to the next picture).
    static let longestLearningStep = 2.5

    public init(configuration: MotionConfiguration) {
        self.configuration = configuration
    }

    /// Open events (started, not yet ended).
    public var openEvents: [MotionEvent] { zones.compactMap(\.open) }

    /// Nothing is happening that needs the next pictures: the background is learnt, no event is
    /// open, no zone's motion is waiting out the minimum duration, and the last picture showed no
    /// object in a scheduled zone. ``MotionAnalyzer`` decodes only key frames while this holds.
    public var isQuiet: Bool {
        guard let lastPicture, lastPicture >= learningUntil else { return false }
        return !zoneMotionInLastPicture && zones.allSatisfy { $0.open == nil && $0.runStart == nil }
    }

    /// Where motion counts at the last picture's resolution: blacked-out and ignored pixels are 0.
    public var analysableMask: PixelMask? { grid?.analysable }

    /// Analyses one picture (in media-time order) and returns the events that started or ended.
    public mutating func process(_ frame: LumaFrame) -> [MotionEventUpdate] {
        let settings = configuration.settings
        if model == nil || model!.width != frame.width || model!.height != frame.height {
            // A new stream size (the camera was reconfigured): close what was open, learn afresh.
            let closed = finish()
            model = BackgroundModel(first: frame)
            grid = Grid(configuration: configuration, width: frame.width, height: frame.height)
            zones = grid!.alert.map { ZoneState(zone: $0.zone) }
            learningUntil = frame.timestamp + Int64(Self.warmUpSeconds * 90_000)
            lastPicture = frame.timestamp
            zoneMotionInLastPicture = false
            return closed
        }
        guard let grid else { return [] }
        let learning = frame.timestamp < learningUntil
        // The background learns per second of media, not per picture, so that it adapts at the
        // same pace whether every fifth frame or only key frames are analysed (2 s apart at most).
        let regular = 1 / settings.analysisFPS
        let elapsed = lastPicture.map { Double(frame.timestamp - $0) / 90_000 } ?? regular
        let rate = Float(min(max(elapsed, regular / 2), Self.longestLearningStep) / settings.backgroundAdaptation)
        lastPicture = frame.timestamp
        let (moving, _) = model!.update(frame, analysable: grid.analysable.bits, sigmas: settings.thresholdSigmas, rate: rate, learning: learning)
        let blobs = Self.blobs(moving, cellsX: grid.cellsX, cellsY: grid.cellsY, minimumCells: grid.minimumCells)
        var updates: [MotionEventUpdate] = []
        let t = frame.timestamp
        let tolerance = Int64(max(0.5, 2.5 / settings.analysisFPS) * 90_000)
        let minimum = Int64(settings.minimumDuration * 90_000)
        let endAfter = Int64(settings.endAfter * 90_000)
        zoneMotionInLastPicture = false
        for z in zones.indices {
            let cells = grid.zoneCells[z]
            var inZone = 0
            var box: (x0: Int, y0: Int, x1: Int, y1: Int)?
            for blob in blobs {
                var hit = 0
                for c in blob.cells where cells[c] { hit += 1 }
                guard hit > 0 else { continue }
                inZone += hit
                let b = blob.box
                box = box.map { (min($0.x0, b.x0), min($0.y0, b.y0), max($0.x1, b.x1), max($0.y1, b.y1)) } ?? b
            }
            let active = inZone >= grid.zonePresenceCells
            let score = Double(inZone) / Double(max(1, grid.zoneCellCounts[z]))
            var state = zones[z]
            if active, isScheduled(state.zone, at: t) { zoneMotionInLastPicture = true }
            if active {
                if let last = state.lastActive, t - last <= tolerance, state.runStart != nil {
                    // The run continues.
                } else if state.open == nil {
                    state.runStart = t
                }
                state.lastActive = t
                let normalised = box.map { [Double($0.x0) / Double(grid.cellsX), Double($0.y0) / Double(grid.cellsY), Double($0.x1 + 1) / Double(grid.cellsX), Double($0.y1 + 1) / Double(grid.cellsY)] } ?? []
                if var open = state.open {
                    if score > open.peakScore { open.peakScore = score; open.peakBox = normalised }
                    state.open = open
                } else if let runStart = state.runStart, t - runStart >= minimum, isScheduled(state.zone, at: t) {
                    sequence += 1
                    let event = MotionEvent(sequence: sequence, zone: state.zone.name, start: runStart, confirmed: t, peakScore: max(score, state.runPeak), peakBox: normalised)
                    state.open = event
                    updates.append(.started(event))
                } else {
                    state.runPeak = max(state.runPeak, score)
                }
            } else if let last = state.lastActive {
                if var open = state.open, t - last >= endAfter {
                    open.end = last
                    updates.append(.ended(open))
                    state.open = nil
                    state.runStart = nil
                    state.runPeak = 0
                } else if state.open == nil, t - last > tolerance {
                    state.runStart = nil
                    state.runPeak = 0
                }
            }
            zones[z] = state
        }
        return updates
    }

    /// Ends all open events (the stream stopped); `at` is the last media time seen.
    public mutating func finish() -> [MotionEventUpdate] {
        var updates: [MotionEventUpdate] = []
        for z in zones.indices {
            if var open = zones[z].open {
                open.end = zones[z].lastActive ?? open.confirmed
                updates.append(.ended(open))
            }
            zones[z] = ZoneState(zone: zones[z].zone)
        }
        return updates
    }

    private func isScheduled(_ zone: Zone, at t: Int64) -> Bool {
        guard !zone.schedule.windows.isEmpty, let scheduleClock else { return true }
        let local = scheduleClock(t)
        return zone.schedule.isActive(minute: local.minute, weekday: local.weekday)
    }

    struct ZoneState: Sendable {
        var zone: Zone
        var runStart: Int64?
        var lastActive: Int64?
        var runPeak = 0.0
        var open: MotionEvent?
        init(zone: Zone) { self.zone = zone }
    }

    /// Masks and thresholds at one analysis resolution, computed once.
    struct Grid: Sendable {
        let cellsX: Int
        let cellsY: Int
        let analysable: PixelMask
        let alert: [(zone: Zone, mask: PixelMask)]
        /// Per alert zone, per cell: at least half the cell's pixels are in the zone.
        let zoneCells: [[Bool]]
        let zoneCellCounts: [Int]
        /// Cells a blob needs to count as an object.
        let minimumCells: Int
        /// Cells of an object that must lie inside a zone for the object to be in it.
        let zonePresenceCells: Int

        init(configuration: MotionConfiguration, width: Int, height: Int) {
            let cs = BackgroundModel.cellSize
            cellsX = width / cs
            cellsY = height / cs
            let masks = configuration.masks(width: width, height: height)
            analysable = masks.analysable
            alert = masks.alert
            var zoneCells: [[Bool]] = []
            for (_, mask) in alert {
                var cells = [Bool](repeating: false, count: cellsX * cellsY)
                for cy in 0..<cellsY {
                    for cx in 0..<cellsX {
                        var inside = 0
                        for y in (cy * cs)..<(cy * cs + cs) { for x in (cx * cs)..<(cx * cs + cs) where mask[x, y] { inside += 1 } }
                        cells[cy * cellsX + cx] = inside * 2 >= cs * cs
                    }
                }
                zoneCells.append(cells)
            }
            self.zoneCells = zoneCells
            zoneCellCounts = zoneCells.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } }
            let cellsTotal = Double(cellsX * cellsY)
            // A blob's cells include partly covered ones, so it is compared with 70 % of the area.
            minimumCells = max(2, Int((configuration.settings.minimumObjectArea * cellsTotal * 0.7).rounded()))
            zonePresenceCells = max(1, Int((configuration.settings.minimumObjectArea * cellsTotal / 4).rounded()))
        }
    }

    struct Blob: Sendable {
        var cells: [Int]
        var box: (x0: Int, y0: Int, x1: Int, y1: Int)
    }

    /// 8-connected components of moving cells with at least `minimumCells` cells.
    static func blobs(_ moving: [Bool], cellsX: Int, cellsY: Int, minimumCells: Int) -> [Blob] {
        var label = [Bool](repeating: false, count: moving.count)
        var result: [Blob] = []
        var stack: [Int] = []
        for start in moving.indices where moving[start] && !label[start] {
            label[start] = true
            stack.append(start)
            var cells: [Int] = []
            var box = (x0: cellsX, y0: cellsY, x1: -1, y1: -1)
            while let c = stack.popLast() {
                cells.append(c)
                let cx = c % cellsX, cy = c / cellsX
                box = (min(box.x0, cx), min(box.y0, cy), max(box.x1, cx), max(box.y1, cy))
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = cx + dx, ny = cy + dy
                        guard nx >= 0, ny >= 0, nx < cellsX, ny < cellsY else { continue }
                        let n = ny * cellsX + nx
                        if moving[n] && !label[n] { label[n] = true; stack.append(n) }
                    }
                }
            }
            if cells.count >= minimumCells { result.append(Blob(cells: cells, box: box)) }
        }
        return result
    }
}
