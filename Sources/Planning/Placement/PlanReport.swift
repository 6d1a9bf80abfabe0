import City

/// Renders a phased programme as Markdown (readable as plain text, printable as is).
public enum PlanReport {
    /// - Parameters:
    ///   - projection: when given, camera positions are also shown in degrees.
    ///   - budget: shown in the summary.
    public static func markdown(_ programme: PhasedProgramme, title: String = "Camera placement programme",
                                budget: PlacementBudget? = nil, solution: PlacementSolution? = nil,
                                projection: LocalProjection? = nil) -> String {
        var out: [String] = ["# \(title)", ""]
        if let budget {
            switch budget {
            case .cameras(let n): out.append("Budget: at most \(n) cameras.")
            case .money(let m): out.append("Budget: \(fmt(m, 2)) (money).")
            }
        }
        out.append("Cameras: \(programme.cameraCount), total cost \(fmt(programme.totalCost, 2)), "
                   + "\(programme.phases.count) phase\(programme.phases.count == 1 ? "" : "s").")
        if let solution {
            out.append("Weighted demand covered: \(fmt(solution.coveredPercent, 1)) % "
                       + "(greedy stage \(fmt(100 * solution.greedyObjective / max(solution.totalWeight, 1e-300), 1)) %, "
                       + "\(solution.swaps) improving swaps).")
        }
        out += ["", "## Phases", "",
                "| phase | district | cameras | cost | + weighted (pp) | + main streets (pp) | + courtyards (pp) | + school grounds (pp) | weighted after (%) |",
                "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for p in programme.phases {
            out.append("| \(p.number) | \(p.districtName) | \(p.cameras.count) | \(fmt(p.cost, 2)) | \(fmt(p.added.weighted, 1)) | "
                       + "\(fmt(p.added.mainStreet, 1)) | \(fmt(p.added.courtyard, 1)) | \(fmt(p.added.schoolGround, 1)) | "
                       + "\(fmt(p.cumulative.weighted, 1)) |")
        }
        let f = programme.final
        out += ["", "After all phases: weighted demand \(fmt(f.weighted, 1)) %, main streets \(fmt(f.mainStreet, 1)) % of length, "
                + "courtyards \(fmt(f.courtyard, 1)) % and school grounds \(fmt(f.schoolGround, 1)) % of open ground "
                + "(estimated from the demand samples)."]
        for p in programme.phases {
            out += ["", "## Phase \(p.number): \(p.districtName)", "",
                    projection == nil ? "| # | site | kind | x (m) | y (m) | heading (°) | cost |"
                                      : "| # | site | kind | x (m) | y (m) | latitude | longitude | heading (°) | cost |",
                    projection == nil ? "|---:|---|---|---:|---:|---:|---:|" : "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
            for (k, c) in p.cameras.enumerated() {
                var row = "| \(k + 1) | \(c.siteID) | \(c.siteKind.rawValue) | \(fmt(c.position.x, 1)) | \(fmt(c.position.y, 1)) |"
                if let projection {
                    let g = projection.unproject(c.position)
                    row += " \(fmt(g.latitude, 6)) | \(fmt(g.longitude, 6)) |"
                }
                row += " \(fmt(c.heading, 0)) | \(fmt(c.cost, 2)) |"
                out.append(row)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Fixed-point formatting without Foundation's locale dependence.
    static func fmt(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "−∞") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (abs(v) * scale).rounded()
        let sign = v < 0 && r > 0 ? "-" : ""
        let whole = Int64(r / scale)
        guard digits > 0 else { return sign + String(whole) }
        let frac = Int64(r - Double(whole) * scale)
        var fs = String(frac)
        while fs.count < digits { fs = "0" + fs }
        return sign + String(whole) + "." + fs
    }
}
