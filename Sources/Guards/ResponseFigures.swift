import Foundation

/// Response times of incidents (docs/guards.md, "Response figures"): to accept (from the
/// incident's creation), to arrive (from acceptance), on scene (from arrival to cleared), each
/// as median and 90th percentile over the incidents that reached both ends.
public struct ResponseFigures: Sendable, Codable, Equatable {
    public struct Summary: Sendable, Codable, Equatable {
        public var count: Int
        /// Seconds; nil when no incident reached both ends.
        public var median: Double?
        public var p90: Double?

        public init(seconds: [Double]) {
            let sorted = seconds.sorted()
            count = sorted.count
            median = Self.quantile(sorted, 0.5)
            p90 = Self.quantile(sorted, 0.9)
        }

        /// Linear interpolation between closest ranks (the "R-7" rule of numpy's default).
        static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
            guard !sorted.isEmpty else { return nil }
            let h = Double(sorted.count - 1) * q
            let lower = Int(h.rounded(.down))
            let upper = min(sorted.count - 1, lower + 1)
            return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
        }
    }

    public struct Group: Sendable, Codable, Equatable {
        public var key: String
        public var incidents: Int
        public var cleared: Int
        public var toAccept: Summary
        public var toArrive: Summary
        public var onScene: Summary
    }

    public var by: String
    public var groups: [Group]

    /// Groups `incidents` by `by` (`all`, `district`, `post`, `guard`, `shift`); `shiftOf` names the
    /// shift an incident fell in (by its guard and creation time).
    public static func make(_ incidents: [Incident], by: String, postNames: [Int64: String] = [:],
                            shiftOf: (Incident) -> String? = { _ in nil }) -> ResponseFigures {
        var grouped: [String: [Incident]] = [:]
        for incident in incidents {
            let key: String = switch by {
            case "district": incident.district.isEmpty ? "—" : incident.district
            case "post": incident.post.map { postNames[$0] ?? "post \($0)" } ?? "—"
            case "guard": incident.steps.last(where: { $0.action == "accepted" })?.by ?? "—"
            case "shift": shiftOf(incident) ?? "—"
            default: "all"
            }
            grouped[key, default: []].append(incident)
        }
        let groups = grouped.map { key, incidents in
            func seconds(_ from: Incident.State, _ to: Incident.State) -> [Double] {
                incidents.compactMap { i in
                    let start = from == .new ? i.createdMicros : i.time(of: from)
                    guard let start, let end = i.time(of: to), end >= start else { return nil }
                    return Double(end - start) / 1e6
                }
            }
            return Group(key: key, incidents: incidents.count, cleared: incidents.filter { $0.state == .cleared }.count,
                         toAccept: Summary(seconds: seconds(.new, .accepted)),
                         toArrive: Summary(seconds: seconds(.accepted, .onScene)),
                         onScene: Summary(seconds: seconds(.onScene, .cleared)))
        }
        return ResponseFigures(by: by, groups: groups.sorted { $0.key < $1.key })
    }
}
