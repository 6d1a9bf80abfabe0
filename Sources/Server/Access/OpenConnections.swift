import Catalog
import Foundation
import Synchronization

/// Every open connection of the node that ``ConnectionGuard`` keeps within its rights, checked by
/// one task for the whole node rather than one loop per socket.
///
/// Why: a check is a catalogue read, and a read started on its own (a socket waking up, hopping
/// to the database's thread and back) cost about 0.7 ms of CPU on the development machine, most
/// of it waking idle threads: 500 duty streams checked every 5 s each took 7 % of a core, more
/// than everything else their reports cost. Here the checks due are gathered every quarter
/// second and made together (every credential due answered by one catalogue call,
/// ``AccountStore/owners(sessionDigests:tokenDigests:)``), and a socket costs nothing between
/// its checks.
final class OpenConnections: Sendable {
    /// How often the task looks for checks that are due (the shortest interval a route asks for).
    static let tick: Duration = .milliseconds(250)
    /// Route checks (``Watched/stillAllowed``) made at the same time.
    static let parallelChecks = 4
    /// How old an answer may be and still serve a check.
    static let fresh: Duration = .milliseconds(100)

    struct Watched: Sendable {
        var identity: Identity
        var interval: Duration
        var due: ContinuousClock.Instant
        /// Who each credential belongs to now, in one read (``Authenticator/readMany(_:)``).
        var read: @Sendable ([Identity.Credential]) async throws -> [String: Identity]
        var stillAllowed: @Sendable (User) async throws -> Bool
        var end: CheckedContinuation<Void, Never>
    }

    private struct State {
        var next: UInt64 = 0
        var watched: [UInt64: Watched] = [:]
        var running = false
        /// Set by ``checkAll()``: every connection is due at the next round.
        var all = false
    }
    private let state = Mutex(State())
    private let credentials: CredentialChecks
    private let rounds: RightsChanges.Waiters

    init(credentials: CredentialChecks, rounds: RightsChanges.Waiters) {
        self.credentials = credentials
        self.rounds = rounds
    }

    /// Returns when the connection must close, or when the calling task is cancelled.
    func watch(_ identity: Identity, every interval: Duration, read: @escaping @Sendable ([Identity.Credential]) async throws -> [String: Identity],
               stillAllowed: @escaping @Sendable (User) async throws -> Bool) async {
        let id = state.withLock { state in
            state.next &+= 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (end: CheckedContinuation<Void, Never>) in
                let start = state.withLock { state -> Bool? in
                    if Task.isCancelled { return nil }
                    state.watched[id] = Watched(identity: identity, interval: interval, due: .now + interval, read: read, stillAllowed: stillAllowed, end: end)
                    defer { state.running = true }
                    return !state.running
                }
                switch start {
                case nil: end.resume()
                case true?: Task { await self.run() }
                case false?: break
                }
            }
        } onCancel: {
            state.withLock { $0.watched.removeValue(forKey: id) }?.end.resume()
        }
    }

    /// A change was made through this node's API: check every connection now.
    func checkAll() {
        state.withLock { $0.all = true }
    }

    /// The rounds, for as long as any connection is open.
    private func run() async {
        while true {
            // A change that came during the last round is checked without waiting.
            if !state.withLock({ $0.all }) { await rounds.wait(upTo: Self.tick) }
            let now = ContinuousClock.now
            let due: [(UInt64, Watched)]? = state.withLock { state in
                if state.watched.isEmpty {
                    state.running = false
                    return nil
                }
                defer { state.all = false }
                // A connection due within the next 20 ms is checked now rather than a tick late.
                let limit = now + .milliseconds(20)
                var due: [(UInt64, Watched)] = []
                for (id, watched) in state.watched where state.all || watched.due <= limit { due.append((id, watched)) }
                return due
            }
            guard let due else { return }
            if !due.isEmpty { await check(due, at: now) }
        }
    }

    private func check(_ due: [(UInt64, Watched)], at now: ContinuousClock.Instant) async {
        // Each credential once per round, all in one read. An answer is taken only when read this
        // moment (by this round, or a request just now): an older one, read before a change made
        // elsewhere, would let a connection outlive that change by up to twice its interval.
        var credentials: [String: Identity.Credential] = [:]
        for (_, watched) in due { credentials[watched.identity.credential.key] = watched.identity.credential }
        // A read that fails counts as a refusal: the sockets close (fail closed).
        let current = (try? await self.credentials.current(Array(credentials.values), within: Self.fresh, read: due[0].1.read)) ?? [:]
        let verdicts = await inParallel(due) { id, watched in
            guard let answer = current[watched.identity.credential.key], let identity = answer ?? nil, identity.user == watched.identity.user,
                  (try? await watched.stillAllowed(identity.user)) == true else { return (id, false) }
            return (id, true)
        }
        let ended = state.withLock { state -> [Watched] in
            var ended: [Watched] = []
            for (id, allowed) in verdicts {
                if allowed {
                    if let interval = state.watched[id]?.interval { state.watched[id]?.due = now + interval }
                } else if let watched = state.watched.removeValue(forKey: id) {
                    ended.append(watched)
                }
            }
            return ended
        }
        for watched in ended { watched.end.resume() }
    }

    /// `work` for every element, at most ``parallelChecks`` at a time.
    private func inParallel<T: Sendable, R: Sendable>(_ items: [T], _ work: @escaping @Sendable (T) async -> R) async -> [R] {
        await withTaskGroup(of: R.self) { group in
            var results: [R] = []
            results.reserveCapacity(items.count)
            var iterator = items.makeIterator()
            for _ in 0..<Self.parallelChecks {
                guard let item = iterator.next() else { break }
                group.addTask { await work(item) }
            }
            while let result = await group.next() {
                results.append(result)
                if let item = iterator.next() { group.addTask { await work(item) } }
            }
            return results
        }
    }
}
