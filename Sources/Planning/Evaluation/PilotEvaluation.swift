import City
import Foundation

/// What to evaluate: a pilot area from a start date against control areas.
public struct PilotStudy: Sendable, Hashable, Codable {
    public var pilot: StudyArea
    /// Microseconds since the epoch. Periods are whole months: the after period starts with the
    /// month containing `start` when `start` is its first instant, otherwise with the next month
    /// (the partial month belongs to neither period).
    public var start: Int64
    public var controls: [StudyArea]
    public var beforeMonths: Int
    public var afterMonths: Int
    /// Width of the displacement ring around the pilot, metres.
    public var bufferWidth: Double
    /// Which offences count (types; the period is set by the months above).
    public var types: Set<String>?

    public init(pilot: StudyArea, start: Int64, controls: [StudyArea], beforeMonths: Int = 12, afterMonths: Int = 12,
                bufferWidth: Double = 100, types: Set<String>? = nil) {
        self.pilot = pilot
        self.start = start
        self.controls = controls
        self.beforeMonths = beforeMonths
        self.afterMonths = afterMonths
        self.bufferWidth = bufferWidth
        self.types = types
    }

    /// Month index of the first after-period month.
    public var startMonth: Int {
        let m = CivilTime.monthIndex(start)
        return CivilTime.startOfMonth(m) == start ? m : m + 1
    }
}

/// Offences in one area before and after the start.
public struct AreaCounts: Sendable, Hashable, Codable {
    public var name: String
    public var before: Int
    public var after: Int
}

/// Welsh & Farrington's relative effect size RES = (a·d)/(b·c), with a, b the pilot's counts
/// before and after and c, d the controls'. RES > 1 means the pilot did better than the controls;
/// Var(ln RES) = 1/a + 1/b + 1/c + 1/d (counts taken as Poisson).
public struct RelativeEffectSize: Sendable, Hashable, Codable {
    public var value: Double
    public var lower95: Double
    public var upper95: Double
    public var logVariance: Double
    /// Relative reduction in the pilot against the controls, percent: 100·(1 − 1/RES).
    public var reductionPercent: Double { 100 * (1 - 1 / value) }
    /// Significant at 5 % (two-sided) when the interval excludes 1.
    public var isSignificant: Bool { lower95 > 1 || upper95 < 1 }

    /// Nil when any count is zero (the estimate and its variance are undefined).
    public init?(a: Int, b: Int, c: Int, d: Int) {
        guard a > 0, b > 0, c > 0, d > 0 else { return nil }
        let (a, b, c, d) = (Double(a), Double(b), Double(c), Double(d))
        value = (a * d) / (b * c)
        logVariance = 1 / a + 1 / b + 1 / c + 1 / d
        let half = 1.959963984540054 * logVariance.squareRoot()
        lower95 = exp(log(value) - half)
        upper95 = exp(log(value) + half)
    }
}

/// Difference in differences on monthly counts: OLS of count ~ treated + post + treated×post over
/// one row per area and month (the pilot is treated; each control area is its own untreated unit).
public struct DifferenceInDifferences: Sendable, Hashable, Codable {
    /// Intercept, treated, post, treated×post.
    public var coefficients: [Double]
    /// Classical OLS standard errors, σ̂²(XᵀX)⁻¹ with σ̂² = RSS/(n − 4).
    public var standardErrors: [Double]
    /// White's heteroskedasticity-robust errors with the HC1 small-sample factor n/(n − 4).
    public var robustStandardErrors: [Double]
    public var observations: Int

    /// The effect on monthly offences in the pilot (negative = fewer).
    public var estimate: Double { coefficients[3] }
    public var standardError: Double { standardErrors[3] }
    public var robustStandardError: Double { robustStandardErrors[3] }
    public var tStatistic: Double { estimate / standardError }
}

/// Displacement into (or diffusion of benefits to) a ring around the pilot, by Bowers & Johnson's
/// weighted displacement quotient
///
///     WDQ = (Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb)
///
/// with R the pilot, D the buffer ring, C the controls, b before and a after. The denominator (the
/// success measure) must be negative — the pilot improved against the controls — for the WDQ to be
/// read: WDQ > 0 means diffusion of benefits, < 0 displacement, below −1 more displaced than prevented.
public struct Displacement: Sendable, Hashable, Codable {
    public var buffer: AreaCounts
    public var successMeasure: Double?
    public var bufferMeasure: Double?
    public var wdq: Double?

    public var interpretation: String {
        guard let s = successMeasure, let w = wdq else { return "not estimable (no control offences)" }
        if s >= 0 { return "no reduction in the pilot relative to the controls; the WDQ is not interpretable" }
        if w > 1 { return "diffusion of benefits larger than the direct effect" }
        if w > 0 { return "diffusion of benefits into the buffer" }
        if w == 0 { return "no displacement" }
        if w >= -1 { return "some displacement into the buffer, less than the reduction in the pilot" }
        return "displacement larger than the reduction in the pilot (net increase)"
    }
}

/// Monthly counts for charts.
public struct MonthlySeries: Sendable, Hashable, Codable {
    /// Months since January 1970.
    public var months: [Int]
    /// "2025-03" labels.
    public var labels: [String]
    public var pilot: [Int]
    /// Sum over all control areas.
    public var controls: [Int]
    /// Per control area, in the order of ``PilotStudy/controls``.
    public var controlsByArea: [[Int]]
    public var buffer: [Int]
    /// Index of the first after-period month in the arrays.
    public var startIndex: Int
}

/// The full evaluation of a pilot.
public struct PilotEvaluation: Sendable, Hashable, Codable {
    public var pilot: AreaCounts
    public var controls: [AreaCounts]
    public var controlTotal: AreaCounts
    /// Nil when a count is zero.
    public var relativeEffectSize: RelativeEffectSize?
    /// Nil when the design is degenerate (no control area, or no months).
    public var differenceInDifferences: DifferenceInDifferences?
    public var displacement: Displacement
    public var series: MonthlySeries

    /// Evaluates a pilot on the register's offences (those passing the study's type filter).
    public static func evaluate(_ offences: [Offence], projection: LocalProjection, study: PilotStudy) -> PilotEvaluation {
        let first = study.startMonth - study.beforeMonths
        let months = Array(first..<(study.startMonth + study.afterMonths))
        var pilot = [Int](repeating: 0, count: months.count)
        var buffer = pilot
        var byControl = [[Int]](repeating: pilot, count: study.controls.count)
        let pilotBox = study.pilot.area.boundingBox
        for o in offences {
            if let types = study.types, !types.contains(o.type) { continue }
            let m = CivilTime.monthIndex(o.time) - first
            guard m >= 0, m < months.count else { continue }
            let p = o.point(in: projection)
            if study.pilot.area.contains(p) {
                pilot[m] += 1
            } else if p.x >= pilotBox.minX - study.bufferWidth, p.x <= pilotBox.maxX + study.bufferWidth,
                      p.y >= pilotBox.minY - study.bufferWidth, p.y <= pilotBox.maxY + study.bufferWidth,
                      PlaneGeometry.distanceToBoundary(p, study.pilot.area) <= study.bufferWidth {
                buffer[m] += 1
            }
            for (k, c) in study.controls.enumerated() where c.area.contains(p) { byControl[k][m] += 1 }
        }
        // A start in the middle of a month: that month is in neither period.
        let partial = CivilTime.startOfMonth(CivilTime.monthIndex(study.start)) != study.start
        let startIndex = study.beforeMonths
        func counts(_ name: String, _ series: [Int]) -> AreaCounts {
            let beforeEnd = partial ? startIndex - 1 : startIndex
            return AreaCounts(name: name, before: series[..<max(0, beforeEnd)].reduce(0, +), after: series[startIndex...].reduce(0, +))
        }
        let controlSum = months.indices.map { m in byControl.reduce(0) { $0 + $1[m] } }
        let pilotCounts = counts(study.pilot.name, pilot)
        let controlCounts = zip(study.controls, byControl).map { counts($0.name, $1) }
        let controlTotal = counts("all controls", controlSum)
        let bufferCounts = counts("buffer \(Int(study.bufferWidth)) m", buffer)

        // DiD rows: one per area and month, skipping the partial month.
        var rows: [(y: Double, treated: Double, post: Double)] = []
        for m in months.indices where !(partial && m == startIndex - 1) {
            let post: Double = m >= startIndex ? 1 : 0
            rows.append((Double(pilot[m]), 1, post))
            for series in byControl { rows.append((Double(series[m]), 0, post)) }
        }
        let did = study.controls.isEmpty ? nil : Self.differenceInDifferences(rows)

        var displacement = Displacement(buffer: bufferCounts)
        let (ra, rb) = (Double(pilotCounts.after), Double(pilotCounts.before))
        let (ca, cb) = (Double(controlTotal.after), Double(controlTotal.before))
        let (da, db) = (Double(bufferCounts.after), Double(bufferCounts.before))
        if ca > 0, cb > 0 {
            let success = ra / ca - rb / cb
            let moved = da / ca - db / cb
            displacement.successMeasure = success
            displacement.bufferMeasure = moved
            displacement.wdq = success != 0 ? moved / success : nil
        }
        let series = MonthlySeries(months: months, labels: months.map(CivilTime.monthLabel), pilot: pilot, controls: controlSum,
                                   controlsByArea: byControl, buffer: buffer, startIndex: startIndex)
        return PilotEvaluation(pilot: pilotCounts, controls: controlCounts, controlTotal: controlTotal,
                               relativeEffectSize: RelativeEffectSize(a: pilotCounts.before, b: pilotCounts.after,
                                                                      c: controlTotal.before, d: controlTotal.after),
                               differenceInDifferences: did, displacement: displacement, series: series)
    }

    /// OLS of y ~ 1 + treated + post + treated·post with classical and HC1 standard errors.
    public static func differenceInDifferences(_ rows: [(y: Double, treated: Double, post: Double)]) -> DifferenceInDifferences? {
        let k = 4
        let n = rows.count
        guard n > k else { return nil }
        let xs = rows.map { [1, $0.treated, $0.post, $0.treated * $0.post] }
        var xtx = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var xty = [Double](repeating: 0, count: k)
        for (x, r) in zip(xs, rows) {
            for a in 0..<k {
                xty[a] += x[a] * r.y
                for b in 0..<k { xtx[a][b] += x[a] * x[b] }
            }
        }
        guard let inv = Matrix.inverse(xtx) else { return nil }
        let beta = (0..<k).map { a in (0..<k).reduce(0) { $0 + inv[a][$1] * xty[$1] } }
        let residuals = zip(xs, rows).map { x, r in r.y - (0..<k).reduce(0) { $0 + x[$1] * beta[$1] } }
        let rss = residuals.reduce(0) { $0 + $1 * $1 }
        let sigma2 = rss / Double(n - k)
        let se = (0..<k).map { (sigma2 * inv[$0][$0]).squareRoot() }
        // HC1: (XᵀX)⁻¹ Xᵀ diag(e²) X (XᵀX)⁻¹ · n/(n − k).
        var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for (x, e) in zip(xs, residuals) {
            for a in 0..<k { for b in 0..<k { meat[a][b] += e * e * x[a] * x[b] } }
        }
        let sandwich = Matrix.multiply(Matrix.multiply(inv, meat), inv)
        let factor = Double(n) / Double(n - k)
        let robust = (0..<k).map { (max(0, sandwich[$0][$0]) * factor).squareRoot() }
        return DifferenceInDifferences(coefficients: beta, standardErrors: se, robustStandardErrors: robust, observations: n)
    }

    /// Suggests control areas: from `candidates` (or, when nil, squares the size of the pilot's
    /// bounding box tiled over `extent`), those not touching the pilot or its buffer, with the
    /// before-period count closest to the pilot's; `count` of them, closest first.
    public static func suggestControls(_ offences: [Offence], projection: LocalProjection, study: PilotStudy,
                                       candidates: [StudyArea]? = nil, extent: BoundingBox? = nil, count: Int = 2) -> [StudyArea] {
        let box = study.pilot.area.boundingBox
        let reserved = BoundingBox(minX: box.minX - study.bufferWidth, minY: box.minY - study.bufferWidth,
                                   maxX: box.maxX + study.bufferWidth, maxY: box.maxY + study.bufferWidth)
        var pool = candidates ?? []
        if candidates == nil {
            let points = offences.map { $0.point(in: projection) }
            let area = extent ?? BoundingBox(points: points)
            let w = box.maxX - box.minX, h = box.maxY - box.minY
            guard w > 0, h > 0, area.minX <= area.maxX else { return [] }
            // Tiles aligned with the pilot so that one tile is the pilot itself (and is skipped).
            let i0 = Int(((area.minX - box.minX) / w).rounded(.down)), i1 = Int(((area.maxX - box.minX) / w).rounded(.down))
            let j0 = Int(((area.minY - box.minY) / h).rounded(.down)), j1 = Int(((area.maxY - box.minY) / h).rounded(.down))
            for j in j0...max(j0, j1) {
                for i in i0...max(i0, i1) {
                    let tile = BoundingBox(minX: box.minX + Double(i) * w, minY: box.minY + Double(j) * h,
                                           maxX: box.minX + Double(i + 1) * w, maxY: box.minY + Double(j + 1) * h)
                    pool.append(StudyArea(name: "tile \(i),\(j)", area: Polygon(ring: PlaneGeometry.rectangle(tile))))
                }
            }
        }
        pool = pool.filter { c in
            let b = c.area.boundingBox
            return b.maxX <= reserved.minX || b.minX >= reserved.maxX || b.maxY <= reserved.minY || b.minY >= reserved.maxY
        }
        var probe = study
        probe.controls = pool
        let evaluation = evaluate(offences, projection: projection, study: probe)
        let target = evaluation.pilot.before
        let ranked = evaluation.controls.enumerated().filter { $0.element.before > 0 }
            .sorted { abs($0.element.before - target) != abs($1.element.before - target)
                ? abs($0.element.before - target) < abs($1.element.before - target) : $0.offset < $1.offset }
        return ranked.prefix(count).map { pool[$0.offset] }
    }
}

/// Tiny dense linear algebra for the 4 × 4 regressions.
enum Matrix {
    /// Gauss–Jordan inverse with partial pivoting; nil when singular.
    static func inverse(_ m: [[Double]]) -> [[Double]]? {
        let n = m.count
        var a = m
        var inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            inv.swapAt(col, pivot)
            let d = a[col][col]
            for j in 0..<n { a[col][j] /= d; inv[col][j] /= d }
            for r in 0..<n where r != col {
                let f = a[r][col]
                guard f != 0 else { continue }
                for j in 0..<n { a[r][j] -= f * a[col][j]; inv[r][j] -= f * inv[col][j] }
            }
        }
        return inv
    }

    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in (0..<b[0].count).map { j in row.indices.reduce(0) { $0 + row[$1] * b[$1][j] } } }
    }
}
