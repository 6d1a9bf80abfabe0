import Foundation
import Synchronization

/// Growing delays and lockout after failed sign-ins, per account name and per client address.
///
/// Each failure doubles the delay before the answer (from ``Policy/baseDelay`` up to
/// ``Policy/maxDelay``), so that guessing is slow even before the lockout; after
/// ``Policy/lockoutAfter`` failures in a row the account is refused for ``Policy/lockoutDuration``,
/// even with the right password. A client address gets a larger budget, so that one address trying
/// many names is stopped too. Names that do not exist are counted like real ones, so the answers
/// tell nothing about which accounts exist. Counts live in memory: a restart forgives, which is
/// the price of never writing to the database for an anonymous request.
final class SignInThrottle: Sendable {
    struct Policy: Sendable {
        var baseDelay: Duration = .milliseconds(250)
        var maxDelay: Duration = .seconds(8)
        var lockoutAfter = 10
        var lockoutDuration: Duration = .seconds(15 * 60)
        /// How many times more failures a client address may make than one account.
        var addressFactor = 3
    }

    struct Entry {
        var failures = 0
        /// Guesses admitted and not yet answered: counted against the limit, so that 25 guesses
        /// sent at once cannot all be evaluated before the first failure is recorded.
        var inFlight = 0
        var lockedUntil: ContinuousClock.Instant?
        /// Attempts refused during the current lock (audited once, with this count, at its end).
        var refusals = 0
        var lastFailure: ContinuousClock.Instant
    }

    /// The answer to an attempt before its password is checked.
    enum Admission: Equatable {
        case admitted
        /// Locked out for this long; `firstRefusal` is true once per lock period (the one audit row).
        case refused(Duration, firstRefusal: Bool)
    }

    let policy: Policy
    private let entries = Mutex<[String: Entry]>([:])

    init(policy: Policy) {
        self.policy = policy
    }

    private func keys(name: String, client: String) -> [(key: String, limit: Int)] {
        [("name:" + String(name.lowercased().prefix(200)), policy.lockoutAfter), ("client:" + client, policy.lockoutAfter * policy.addressFactor)]
    }

    /// When the name or the address is locked out: how long is left.
    func lockedFor(name: String, client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        entries.withLock { entries in
            keys(name: name, client: client).compactMap { entries[$0.key]?.lockedUntil }.filter { $0 > now }.max().map { $0 - now }
        }
    }

    /// Admits an attempt, or refuses it while its name or address is locked or while as many
    /// guesses as the limit allows are already being checked. Every admitted attempt must end in
    /// ``failed(name:client:now:)`` or ``succeeded(name:client:)``.
    func admit(name: String, client: String, now: ContinuousClock.Instant = .now) -> Admission {
        entries.withLock { entries in
            let keys = keys(name: name, client: client)
            let locks = keys.compactMap { entries[$0.key]?.lockedUntil }.filter { $0 > now }
            if let until = locks.max() {
                var first = false
                for (key, _) in keys where (entries[key]?.lockedUntil ?? now) > now {
                    first = first || entries[key]!.refusals == 0
                    entries[key]!.refusals += 1
                }
                return .refused(until - now, firstRefusal: first)
            }
            if keys.contains(where: { entries[$0.key].map { $0.failures + $0.inFlight } ?? 0 >= $0.limit }) {
                // The remaining guesses are being checked; the answer to one of them decides.
                return .refused(policy.baseDelay, firstRefusal: false)
            }
            for (key, _) in keys {
                var e = entries[key] ?? Entry(lastFailure: now)
                e.inFlight += 1
                entries[key] = e
            }
            return .admitted
        }
    }

    /// Refusals counted during locks that are over, and forgets them: (key, count) for the audit trail.
    func endedLocks(now: ContinuousClock.Instant = .now) -> [(key: String, refusals: Int)] {
        entries.withLock { entries in
            var ended: [(String, Int)] = []
            for (key, e) in entries where e.refusals > 0 && (e.lockedUntil ?? now) <= now {
                ended.append((key, e.refusals))
                entries[key]?.refusals = 0
            }
            return ended.sorted { $0.0 < $1.0 }
        }
    }

    /// Counts a failure of an admitted attempt and returns how long to wait before answering.
    func failed(name: String, client: String, now: ContinuousClock.Instant = .now) -> Duration {
        entries.withLock { entries in
            // Forget failures that are older than a lockout, so that the table stays small.
            entries = entries.filter { now - $0.value.lastFailure < policy.lockoutDuration || ($0.value.lockedUntil ?? now) > now || $0.value.inFlight > 0 || $0.value.refusals > 0 }
            var worst = 0
            for (key, limit) in keys(name: name, client: client) {
                var e = entries[key] ?? Entry(lastFailure: now)
                e.inFlight = max(0, e.inFlight - 1)
                e.failures += 1
                e.lastFailure = now
                if e.failures >= limit { e.lockedUntil = now + policy.lockoutDuration }
                entries[key] = e
                worst = max(worst, e.failures)
            }
            return delay(failures: worst)
        }
    }

    func delay(failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let factor = 1 << min(failures - 1, 20)
        return min(policy.baseDelay * factor, policy.maxDelay)
    }

    /// A successful sign-in clears the account's count (not the address's: one good password does
    /// not excuse guessing others).
    func succeeded(name: String, client: String) {
        entries.withLock { entries in
            let keys = keys(name: name, client: client)
            entries.removeValue(forKey: keys[0].key)
            if var e = entries[keys[1].key] {
                e.inFlight = max(0, e.inFlight - 1)
                entries[keys[1].key] = e
            }
        }
    }

    /// An admitted attempt that ended without an answer (the catalogue failed).
    func abandoned(name: String, client: String) {
        entries.withLock { entries in
            for (key, _) in keys(name: name, client: client) {
                if var e = entries[key] {
                    e.inFlight = max(0, e.inFlight - 1)
                    entries[key] = e
                }
            }
        }
    }
}
