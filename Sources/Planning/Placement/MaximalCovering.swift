import Randomness

/// The budget of a plan.
public enum PlacementBudget: Sendable, Hashable, Codable {
    /// At most this many cameras (site costs are ignored).
    case cameras(Int)
    /// Total site cost at most this.
    case money(Double)
}

/// A chosen set of cameras and what it achieves.
public struct PlacementSolution: Sendable, Hashable, Codable {
    /// Indices into ``PlanningProblem/candidates``, in the order they were picked.
    public var chosen: [Int]
    /// Covered demand weight Σ wᵢ over points seen by at least one chosen camera.
    public var objective: Double
    /// The greedy stage's objective, before local search.
    public var greedyObjective: Double
    public var totalWeight: Double
    public var cost: Double
    /// Improving swaps made by the local search.
    public var swaps: Int

    /// Covered share of the weighted demand, percent.
    public var coveredPercent: Double { totalWeight > 0 ? 100 * objective / totalWeight : 0 }
}

public struct MaximalCoveringOptions: Sendable, Hashable, Codable {
    /// Run the swap local search after the greedy stage.
    public var localSearch = true
    /// Upper bound on passes of one local search (each pass tries every chosen camera).
    public var maximumPasses = 50
    /// Rounds of iterated local search: drop a random quarter of the cameras, refill greedily,
    /// search again, keep the best. Deterministic (seeded).
    public var perturbationRounds = 40
    public var seed: UInt64 = 2024

    public init(localSearch: Bool = true, maximumPasses: Int = 50, perturbationRounds: Int = 40, seed: UInt64 = 2024) {
        self.localSearch = localSearch
        self.maximumPasses = maximumPasses
        self.perturbationRounds = perturbationRounds
        self.seed = seed
    }
}

/// Budgeted maximal covering (Church & ReVelle 1974, with costs):
///
///     maximise Σᵢ wᵢ yᵢ
///     subject to yᵢ ≤ Σ_{j ∋ i} xⱼ,  Σⱼ cⱼ xⱼ ≤ B,  Σ_{j at site s} xⱼ ≤ 1,  x ∈ {0,1}, y ∈ [0,1]
///
/// solved by a greedy stage (largest covered weight per cost; with a money budget the best single
/// camera is kept if it beats the greedy set, which gives the (1 − 1/e)/2 guarantee of Khuller,
/// Moss & Naor) and a swap local search: drop one chosen camera, add the best affordable other,
/// keep the change if the objective rises, then fill leftover budget greedily; repeat until no swap
/// helps. Gains are kept incrementally through a point → candidates index, so one pass costs about
/// one sweep over the coverage sets.
public enum MaximalCovering {
    public static func solve(_ problem: PlanningProblem, budget: PlacementBudget,
                             options: MaximalCoveringOptions = MaximalCoveringOptions()) -> PlacementSolution {
        var state = SolverState(problem, budget: budget)
        // Starts: greedy by gain per cost; with a money budget also by plain gain and from the best
        // single camera (Khuller–Moss–Naor), since neither dominates.
        var starts: [[Int]] = []
        state.greedyFill(byRatio: true)
        starts.append(state.chosen)
        if case .money = budget {
            state.reset()
            state.greedyFill(byRatio: false)
            starts.append(state.chosen)
            if let single = state.bestSingle() {
                state.reset()
                state.add(single)
                state.greedyFill(byRatio: true)
                starts.append(state.chosen)
            }
        }
        var best: (chosen: [Int], objective: Double, greedy: Double, swaps: Int)?
        for start in starts {
            state.reset()
            for j in start { state.add(j) }
            let greedy = state.objective
            var swaps = 0
            if options.localSearch {
                var pass = 0
                while pass < options.maximumPasses, state.improve(&swaps) { pass += 1 }
            }
            if best == nil || state.objective > best!.objective + 1e-12 {
                best = (state.chosen, state.objective, max(greedy, best?.greedy ?? 0), swaps)
            } else if greedy > best!.greedy {
                best!.greedy = greedy
            }
        }
        state.reset()
        for j in best!.chosen { state.add(j) }
        if options.localSearch, !best!.chosen.isEmpty {
            // Iterated local search: perturb the best set, search again, keep improvements.
            var rng = SeededRandom(seed: options.seed)
            for _ in 0..<options.perturbationRounds {
                let drop = max(1, state.chosen.count / 4)
                for _ in 0..<drop where !state.chosen.isEmpty {
                    state.remove(state.chosen[rng.below(state.chosen.count)])
                }
                state.greedyFill(byRatio: true, randomTop: 3, rng: &rng)
                var swaps = 0
                var pass = 0
                while pass < options.maximumPasses, state.improve(&swaps) { pass += 1 }
                if state.objective > best!.objective * (1 + 1e-12) {
                    best = (state.chosen, state.objective, best!.greedy, best!.swaps + swaps)
                } else {
                    state.reset()
                    for j in best!.chosen { state.add(j) }
                }
            }
        }
        return PlacementSolution(chosen: state.chosen, objective: problem.coveredWeight(state.chosen),
                                 greedyObjective: best!.greedy, totalWeight: problem.totalWeight, cost: state.spent,
                                 swaps: best!.swaps)
    }
}

/// Working arrays of the heuristic.
struct SolverState {
    let weights: [Double]
    let covers: [[Int32]]
    let coveredBy: [[Int32]]
    let site: [Int]
    let cost: [Double]
    let limit: Double
    let countsCameras: Bool

    var count: [Int32]
    var gain: [Double]
    var siteUsed: [Bool]
    var chosen: [Int] = []
    var isChosen: [Bool]
    var spent = 0.0
    var objective = 0.0

    init(_ problem: PlanningProblem, budget: PlacementBudget) {
        let w = problem.demand.map(\.weight)
        let sets = problem.candidates.map(\.covers)
        weights = w
        covers = sets
        var by = [[Int32]](repeating: [], count: problem.demand.count)
        for (j, c) in problem.candidates.enumerated() { for i in c.covers { by[Int(i)].append(Int32(j)) } }
        coveredBy = by
        site = problem.candidates.map(\.site)
        switch budget {
        case .cameras(let n):
            cost = Array(repeating: 1, count: problem.candidates.count)
            limit = Double(n)
            countsCameras = true
        case .money(let b):
            cost = problem.candidates.map { problem.sites[$0.site].cost }
            limit = b
            countsCameras = false
        }
        count = Array(repeating: 0, count: problem.demand.count)
        gain = sets.map { $0.reduce(0) { $0 + w[Int($1)] } }
        siteUsed = Array(repeating: false, count: problem.sites.count)
        isChosen = Array(repeating: false, count: problem.candidates.count)
    }

    mutating func reset() {
        for j in chosen.reversed() { remove(j) }
    }

    mutating func add(_ j: Int) {
        for i32 in covers[j] {
            let i = Int(i32)
            count[i] += 1
            if count[i] == 1 {
                objective += weights[i]
                for c in coveredBy[i] { gain[Int(c)] -= weights[i] }
            }
        }
        chosen.append(j)
        isChosen[j] = true
        siteUsed[site[j]] = true
        spent += cost[j]
    }

    mutating func remove(_ j: Int) {
        for i32 in covers[j] {
            let i = Int(i32)
            count[i] -= 1
            if count[i] == 0 {
                objective -= weights[i]
                for c in coveredBy[i] { gain[Int(c)] += weights[i] }
            }
        }
        chosen.removeAll { $0 == j }
        isChosen[j] = false
        siteUsed[site[j]] = false
        spent -= cost[j]
    }

    func fits(_ j: Int, freed: Double = 0) -> Bool { spent - freed + cost[j] <= limit + 1e-9 }

    /// Adds the best candidate (by gain per cost, or by gain) while any fits and gains.
    /// Returns the candidates added.
    @discardableResult
    mutating func greedyFill(byRatio: Bool = true, excluding: Int = -1) -> [Int] {
        var rng = SeededRandom(seed: 0)
        return greedyFill(byRatio: byRatio, excluding: excluding, randomTop: 1, rng: &rng)
    }

    /// Greedy fill that picks uniformly among the `randomTop` best candidates at each step
    /// (1 = plain greedy).
    @discardableResult
    mutating func greedyFill(byRatio: Bool, excluding: Int = -1, randomTop: Int, rng: inout SeededRandom) -> [Int] {
        var added: [Int] = []
        var top: [(score: Double, gain: Double, j: Int)] = []
        while true {
            top.removeAll(keepingCapacity: true)
            for j in gain.indices where j != excluding && !isChosen[j] && !siteUsed[site[j]] && fits(j) && gain[j] > 1e-15 {
                let score = byRatio ? gain[j] / max(cost[j], 1e-12) : gain[j]
                if top.count < randomTop || score > top[top.count - 1].score
                    || (score == top[top.count - 1].score && gain[j] > top[top.count - 1].gain) {
                    if top.count == randomTop { top.removeLast() }
                    let at = top.firstIndex { score > $0.score || (score == $0.score && gain[j] > $0.gain) } ?? top.count
                    top.insert((score, gain[j], j), at: at)
                }
            }
            guard !top.isEmpty else { return added }
            let pick = top[randomTop > 1 ? rng.below(top.count) : 0].j
            add(pick)
            added.append(pick)
        }
    }

    func bestSingle() -> Int? {
        var best: Int?
        var bestValue = 0.0
        for j in covers.indices where cost[j] <= limit + 1e-9 {
            let v = covers[j].reduce(0) { $0 + weights[Int($1)] }
            if v > bestValue { bestValue = v; best = j }
        }
        return best
    }

    /// One pass over the chosen cameras. For each: the best single swap (drop it, add the
    /// affordable candidate that gains most, fill leftover budget); failing that, drop it and refill
    /// the freed budget greedily (which can trade one expensive camera for two cheap ones).
    /// Returns whether anything improved.
    mutating func improve(_ swaps: inout Int) -> Bool {
        var improved = false
        var extra = [Double](repeating: 0, count: covers.count)
        let threshold = { (objective: Double) in 1e-12 * max(objective, 1e-300) }
        for j in chosen {
            guard isChosen[j] else { continue }
            // Weight only j covers, and what every other candidate would regain without j.
            var loss = 0.0
            var touched: [Int32] = []
            for i32 in covers[j] where count[Int(i32)] == 1 {
                let i = Int(i32)
                loss += weights[i]
                for c in coveredBy[i] {
                    if extra[Int(c)] == 0 { touched.append(c) }
                    extra[Int(c)] += weights[i]
                }
            }
            var best = -1
            var bestDelta = threshold(objective)
            for c in gain.indices where !isChosen[c] && (!siteUsed[site[c]] || site[c] == site[j]) && fits(c, freed: cost[j]) {
                let delta = gain[c] + extra[c] - loss
                if delta > bestDelta { bestDelta = delta; best = c }
            }
            for c in touched { extra[Int(c)] = 0 }
            if best >= 0 {
                remove(j)
                add(best)
                greedyFill()
                swaps += 1
                improved = true
                continue
            }
            // Drop and refill.
            let before = objective
            remove(j)
            let added = greedyFill(excluding: j)
            if objective > before + threshold(before) {
                swaps += 1
                improved = true
            } else {
                for a in added { remove(a) }
                add(j)
            }
        }
        return improved
    }
}
