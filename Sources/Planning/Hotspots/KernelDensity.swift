import City

/// Kernel density of offences on a grid with the quartic (biweight) kernel
///
///     K(d) = 3 / (π h²) · (1 − d²/h²)²   for d < h, else 0,
///
/// which integrates to 1 over the plane, so the surface is in offences per square metre and sums
/// (× cell area) to the number of offences whose kernel lies inside the grid. The quartic kernel is
/// the one crime analysts use (CrimeStat, ArcGIS): bounded support, smooth to zero at `h`.
public struct DensitySurface: Sendable, Hashable, Codable {
    public var grid: AnalysisGrid
    /// Bandwidth (search radius) in metres.
    public var bandwidth: Double
    /// Density at each cell centre, offences per square metre.
    public var values: [Double]

    /// Offences per square kilometre at each cell centre (the unit maps show).
    public var perSquareKilometre: [Double] { values.map { $0 * 1_000_000 } }

    public var maximum: Double { values.max() ?? 0 }
}

public enum KernelDensity {
    /// The quartic kernel's value at distance `d` for bandwidth `h`.
    public static func quartic(distance d: Double, bandwidth h: Double) -> Double {
        guard d < h else { return 0 }
        let u = 1 - (d * d) / (h * h)
        return 3 / (Double.pi * h * h) * u * u
    }

    /// The density surface of `points` (optional weights, default 1 each) at the cell centres.
    public static func surface(of points: [Point], weights: [Double]? = nil, grid: AnalysisGrid,
                               bandwidth h: Double) -> DensitySurface {
        precondition(h > 0, "bandwidth must be positive")
        var values = [Double](repeating: 0, count: grid.count)
        let reach = Int((h / grid.cellSize).rounded(.up))
        for (k, p) in points.enumerated() {
            let w = weights?[k] ?? 1
            let c = Int(((p.x - grid.origin.x) / grid.cellSize - 0.5).rounded())
            let r = Int(((p.y - grid.origin.y) / grid.cellSize - 0.5).rounded())
            let r0 = max(0, r - reach), r1 = min(grid.rows - 1, r + reach)
            let c0 = max(0, c - reach), c1 = min(grid.columns - 1, c + reach)
            guard r0 <= r1, c0 <= c1 else { continue }
            for row in r0...r1 {
                for col in c0...c1 {
                    let i = row * grid.columns + col
                    let d = grid.centre(i).distance(to: p)
                    if d < h { values[i] += w * quartic(distance: d, bandwidth: h) }
                }
            }
        }
        return DensitySurface(grid: grid, bandwidth: h, values: values)
    }

    /// The density at one point (for demand weights between cell centres).
    public static func density(at q: Point, of points: [Point], bandwidth h: Double) -> Double {
        points.reduce(0) { $0 + quartic(distance: $1.distance(to: q), bandwidth: h) }
    }
}

extension DensitySurface {
    /// Bilinear interpolation between cell centres (clamped at the edge).
    public func value(at p: Point) -> Double {
        let fx = (p.x - grid.origin.x) / grid.cellSize - 0.5
        let fy = (p.y - grid.origin.y) / grid.cellSize - 0.5
        let cx = min(max(fx, 0), Double(grid.columns - 1))
        let cy = min(max(fy, 0), Double(grid.rows - 1))
        let c0 = Int(cx), r0 = Int(cy)
        let c1 = min(c0 + 1, grid.columns - 1), r1 = min(r0 + 1, grid.rows - 1)
        let tx = cx - Double(c0), ty = cy - Double(r0)
        func v(_ c: Int, _ r: Int) -> Double { values[r * grid.columns + c] }
        return (v(c0, r0) * (1 - tx) + v(c1, r0) * tx) * (1 - ty) + (v(c0, r1) * (1 - tx) + v(c1, r1) * tx) * ty
    }
}
