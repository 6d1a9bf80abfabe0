/// A per-pixel background: running mean and variance of the analysis picture, with global light
/// compensation and a cell grid on top.
///
/// - **Light.** Each picture, the median difference between picture and background is taken as a
///   change of light (dusk, a cloud, automatic exposure) and added to the whole background before
///   anything is compared, so a global change never looks like motion however fast it is.
/// - **Noise.** Each pixel keeps the variance of its own differences, so noisy pixels (dark areas
///   at night, leaves) need a larger change than quiet ones. Compression makes static areas
///   unnaturally still (skipped blocks repeat the same pixels), so the standard deviation has a
///   floor; otherwise the re-coding at every key frame would look like motion.
/// - **Cells.** Motion is decided per cell of 4 × 4 analysis pixels (16 × 16 at 720p): a cell moves
///   when its mean difference is far outside that cell's own noise (this finds faint, uniform
///   objects at night, whose per-pixel difference drowns in noise) or when most of its pixels do.
/// - **Adaptation.** Still cells learn at the configured rate; moving cells learn 20 times slower,
///   so a person standing still fades into the background only after minutes, a parked car too.
/// - **Whole picture.** When more than half the cells move at once, the picture itself changed
///   (a lamp or the infrared filter switching, lightning, an encoder re-coding a static scene at a
///   key frame): nothing is reported as moving and the picture is not learnt; if the change lasts
///   a second, the background takes the new picture outright.
struct BackgroundModel {
    static let cellSize = 4
    let width: Int
    let height: Int
    let cellsX: Int
    let cellsY: Int
    private(set) var mean: [Float]
    private var variance: [Float]
    private var cellVariance: [Float]
    private(set) var picturesSeen = 0
    /// The global light offset estimated for the last picture.
    private(set) var lastOffset: Float = 0

    static let pixelSigmaFloor: Float = 2.0
    static let cellSigmaFloor: Float = 0.6
    /// Share of the analysable cells that, moving at once, is taken as the whole picture changing.
    static let wholePictureChange: Float = 0.3
    /// 90 kHz ticks a whole-picture change must last to be learnt as the new background.
    static let lastingWholePictureChange: Int64 = 90_000
    /// Pictures taken as a change of the whole picture rather than motion.
    private(set) var wholePictureChanges = 0
    /// Media time of the first picture of the current run of whole-picture changes.
    private var wholePictureSince: Int64?

    init(first: LumaFrame) {
        width = first.width
        height = first.height
        cellsX = width / Self.cellSize
        cellsY = height / Self.cellSize
        mean = first.pixels.map(Float.init)
        variance = [Float](repeating: 9, count: width * height)
        cellVariance = [Float](repeating: 1, count: cellsX * cellsY)
        picturesSeen = 1
    }

    /// Compares `frame` with the background, then learns from it.
    ///
    /// - Parameters:
    ///   - analysable: per pixel, 1 where motion counts (not in an ignore zone or privacy mask).
    ///   - sigmas: how many standard deviations make a change.
    ///   - rate: learning rate of still cells (fraction per picture).
    /// - Returns: per cell, whether it moves, and the mean absolute difference of its pixels.
    mutating func update(_ frame: LumaFrame, analysable: [UInt8], sigmas: Float, rate: Float, learning: Bool) -> (moving: [Bool], strength: [Float]) {
        precondition(frame.width == width && frame.height == height)
        let n = width * height
        // Global light: median of the rounded differences over analysable pixels.
        var histogram = [Int](repeating: 0, count: 511)
        var counted = 0
        frame.pixels.withUnsafeBufferPointer { px in
            mean.withUnsafeBufferPointer { mu in
                for i in 0..<n where analysable[i] != 0 {
                    let d = Int(px[i]) - Int(mu[i].rounded())
                    histogram[d + 255] += 1
                    counted += 1
                }
            }
        }
        var offset: Float = 0
        if counted > 0 {
            var acc = 0
            for (k, c) in histogram.enumerated() {
                acc += c
                if acc * 2 >= counted { offset = Float(k - 255); break }
            }
        }
        lastOffset = offset
        var moving = [Bool](repeating: false, count: cellsX * cellsY)
        var strength = [Float](repeating: 0, count: cellsX * cellsY)
        var cellMeans = [Float](repeating: 0, count: cellsX * cellsY)
        var usableCells = 0, movingCells = 0
        let cs = Self.cellSize
        let cellPixels = Float(cs * cs)
        // Pass 1: compare every cell with the background (after the light offset).
        frame.pixels.withUnsafeBufferPointer { px in
            mean.withUnsafeMutableBufferPointer { mu in
                variance.withUnsafeBufferPointer { va in
                    for cy in 0..<cellsY {
                        for cx in 0..<cellsX {
                            var sum: Float = 0, absSum: Float = 0
                            var over = 0, usable = 0
                            for y in (cy * cs)..<(cy * cs + cs) {
                                for x in (cx * cs)..<(cx * cs + cs) {
                                    let i = y * width + x
                                    guard analysable[i] != 0 else { continue }
                                    usable += 1
                                    mu[i] += offset
                                    let d = Float(px[i]) - mu[i]
                                    sum += d
                                    absSum += abs(d)
                                    let sigma = max(va[i].squareRoot(), Self.pixelSigmaFloor)
                                    if abs(d) > sigmas * sigma { over += 1 }
                                }
                            }
                            let c = cy * cellsX + cx
                            guard usable * 2 >= Int(cellPixels) else { continue }
                            usableCells += 1
                            let cellMean = sum / Float(usable)
                            cellMeans[c] = cellMean
                            let cellSigma = max(cellVariance[c].squareRoot(), Self.cellSigmaFloor)
                            let isMoving = !learning && (abs(cellMean) > sigmas * cellSigma || over * 2 > usable)
                            moving[c] = isMoving
                            if isMoving { movingCells += 1 }
                            strength[c] = absSum / Float(usable)
                        }
                    }
                }
            }
        }
        // Half the picture changing at once is not objects but the picture itself: a lamp or the
        // infrared filter switching, lightning, an encoder re-coding the scene at a key frame.
        // Nothing moves, and every cell learns the new picture quickly.
        let wholePicture = !learning && usableCells > 0 && Float(movingCells) > Self.wholePictureChange * Float(usableCells)
        var relearn = false
        if wholePicture {
            for c in moving.indices { moving[c] = false }
            wholePictureChanges += 1
            let since = wholePictureSince ?? frame.timestamp
            wholePictureSince = since
            // A passing change (a badly coded key frame, a flash) is skipped: the background stays
            // as it was, and the next good picture matches it. A lasting one (the infrared filter,
            // a lamp) is learnt outright once it has lasted a second.
            relearn = frame.timestamp - since >= Self.lastingWholePictureChange
            guard relearn else {
                picturesSeen += 1
                return (moving, strength)
            }
            wholePictureSince = nil
        } else {
            wholePictureSince = nil
        }
        let slow = rate / 20
        let warmRate = max(rate, 1 / Float(picturesSeen + 1))
        // Pass 2: learn. Still cells at the configured rate, moving ones much slower.
        frame.pixels.withUnsafeBufferPointer { px in
            mean.withUnsafeMutableBufferPointer { mu in
                variance.withUnsafeMutableBufferPointer { va in
                    for cy in 0..<cellsY {
                        for cx in 0..<cellsX {
                            let c = cy * cellsX + cx
                            let isMoving = moving[c]
                            let r: Float = relearn ? 1 : learning ? warmRate : (isMoving ? slow : rate)
                            // The noise model learns from ordinary still cells only: a whole-picture
                            // change is not noise, and must not blunt the thresholds after it.
                            let learnsNoise = learning || (!isMoving && !relearn)
                            if learnsNoise {
                                let cellMean = cellMeans[c]
                                cellVariance[c] += r * (cellMean * cellMean - cellVariance[c])
                            }
                            for y in (cy * cs)..<(cy * cs + cs) {
                                for x in (cx * cs)..<(cx * cs + cs) {
                                    let i = y * width + x
                                    guard analysable[i] != 0 else { continue }
                                    let d = Float(px[i]) - mu[i]
                                    mu[i] += r * d
                                    if learnsNoise { va[i] += r * (d * d - va[i]) }
                                }
                            }
                        }
                    }
                }
            }
        }
        picturesSeen += 1
        return (moving, strength)
    }
}
