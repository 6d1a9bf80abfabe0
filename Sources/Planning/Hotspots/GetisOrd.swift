import City
import Foundation

/// The local Getis-Ord Gi* statistic (Getis & Ord 1992; Ord & Getis 1995) of one location.
public struct GiStar: Sendable, Hashable, Codable {
    /// Σⱼ wᵢⱼ xⱼ / Σⱼ xⱼ (the share of all offences within the neighbourhood, itself included).
    public var g: Double
    /// The standardised score; positive for a hot spot.
    public var z: Double
    /// Two-sided p-value from the normal approximation, 2·(1 − Φ(|z|)).
    public var p: Double
    /// Number of neighbours including the location itself (Σⱼ wᵢⱼ for binary weights).
    public var neighbours: Int

    /// One-sided p-value 1 − Φ(|z|), the convention of esda's `p_norm`.
    public var pOneSided: Double { p / 2 }

    /// Hot/cold at 99 %, 95 %, 90 % confidence (two-sided), as the usual hot-spot map classes.
    public var classification: HotspotClass {
        let level: Int = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.10 ? 1 : 0
        return HotspotClass(rawValue: z >= 0 ? level : -level) ?? .notSignificant
    }
}

/// Map classes of Gi* results: +3 hot spot at 99 % … −3 cold spot at 99 %.
public enum HotspotClass: Int, Sendable, Hashable, Codable, CaseIterable {
    case cold99 = -3, cold95 = -2, cold90 = -1, notSignificant = 0, hot90 = 1, hot95 = 2, hot99 = 3
}

public enum GetisOrd {
    /// Gi* for every location with binary weights that include the location itself.
    ///
    ///     zᵢ = (Σⱼ wᵢⱼ xⱼ − x̄ Wᵢ) / ( S · √[(n Wᵢ − Wᵢ²)/(n − 1)] ),
    ///     Wᵢ = Σⱼ wᵢⱼ,  x̄ = Σ x / n,  S² = Σ x² / n − x̄²
    ///
    /// (for binary weights Σⱼ wᵢⱼ² = Wᵢ). This is the statistic esda computes as
    /// `G_Local(y, w, star=True, transform='B')`. Returns z = 0, p = 1 everywhere when all values
    /// are equal (no variance) and for a location whose neighbourhood is everything (Wᵢ = n).
    public static func giStar(values x: [Double], locations: [Point], weights: SpatialWeights) -> [GiStar] {
        precondition(x.count == locations.count, "one value per location")
        guard x.count > 1 else { return x.map { _ in GiStar(g: 1, z: 0, p: 1, neighbours: 1) } }
        let moments = Moments(x)
        let lists = weights.neighbours(of: locations)
        return x.indices.map { i in
            var local = x[i]
            for j in lists[i] { local += x[j] }
            return moments.statistic(local: local, neighbours: lists[i].count + 1)
        }
    }

    /// What every location's statistic needs of all the values.
    private struct Moments {
        let n: Double, sum: Double, mean: Double, s: Double

        init(_ x: [Double]) {
            n = Double(x.count)
            sum = x.reduce(0, +)
            mean = sum / n
            s = max(0, x.reduce(0) { $0 + $1 * $1 } / n - mean * mean).squareRoot()
        }

        /// Gi* of a location whose neighbourhood (itself included, `neighbours` locations) sums to `local`.
        func statistic(local: Double, neighbours: Int) -> GiStar {
            let w = Double(neighbours)
            let g = sum != 0 ? local / sum : 0
            let den = s * ((n * w - w * w) / (n - 1)).squareRoot()
            guard den > 0 else { return GiStar(g: g, z: 0, p: 1, neighbours: neighbours) }
            let z = (local - mean * w) / den
            return GiStar(g: g, z: z, p: twoSidedP(z), neighbours: neighbours)
        }
    }

    /// Gi* on the cells of a regular grid with a distance band between cell centres: the statistic
    /// ``giStar(values:locations:weights:)`` gives for `.distanceBand(threshold:)` on the centres,
    /// with the neighbours read from grid offsets instead of searched for (a city-wide grid has
    /// hundreds of thousands of cells). An offset (Δc, Δr) is a neighbour when
    /// (Δc² + Δr²)·cell² ≤ threshold², and each cell's sum runs over its neighbours in ascending
    /// index, as there, so the two agree to the last bit away from the band's exact edge.
    public static func giStar(values x: [Double], grid: AnalysisGrid, threshold t: Double) -> [GiStar] {
        precondition(x.count == grid.count, "one value per cell")
        guard x.count > 1 else { return x.map { _ in GiStar(g: 1, z: 0, p: 1, neighbours: 1) } }
        let moments = Moments(x)
        let reach = Int((t / grid.cellSize).rounded(.down))
        var offsets: [(dc: Int, dr: Int)] = []   // row-major: ascending index
        if reach >= 0 {
            for dr in -reach...reach {
                for dc in -reach...reach where (dc, dr) != (0, 0) {
                    if Double(dc * dc + dr * dr) * grid.cellSize * grid.cellSize <= t * t { offsets.append((dc, dr)) }
                }
            }
        }
        let columns = grid.columns, rows = grid.rows
        let reachC = offsets.map { abs($0.dc) }.max() ?? 0, reachR = offsets.map { abs($0.dr) }.max() ?? 0
        // Away from the edge every offset is a fixed step in the index, still ascending.
        let steps = offsets.map { $0.dr * columns + $0.dc }
        var out = [GiStar]()
        out.reserveCapacity(x.count)
        x.withUnsafeBufferPointer { x in steps.withUnsafeBufferPointer { steps in
            for r in 0..<rows {
                let innerRow = r >= reachR && r < rows - reachR
                for c in 0..<columns {
                    let i = r * columns + c
                    var local = x[i]
                    var count = 0
                    if innerRow, c >= reachC, c < columns - reachC {
                        var k = 0
                        while k < steps.count { local += x[i + steps[k]]; k += 1 }
                        count = steps.count
                    } else {
                        for o in offsets {
                            let cc = c + o.dc, rr = r + o.dr
                            guard cc >= 0, cc < columns, rr >= 0, rr < rows else { continue }
                            local += x[rr * columns + cc]
                            count += 1
                        }
                    }
                    out.append(moments.statistic(local: local, neighbours: count + 1))
                }
            }
        } }
        return out
    }

    /// 2·(1 − Φ(|z|)).
    public static func twoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
}
