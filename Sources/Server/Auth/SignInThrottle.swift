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
        var lockedUntil: ContinuousClock.Instant?
        var lastFailure: ContinuousClock.Instant
    }

    let policy: Policy
    private let entries = Mutex<[String: Entry]>([:])

    init(policy: Policy) {
        self.policy = policy
    }

    private func keys(name: String, client: String) -> [(key: String, limit: Int)] {
        [("name:" + name.lowercased(), policy.lockoutAfter), ("client:" + client, policy.lockoutAfter * policy.addressFactor)]
    }

    /// When the name or the address is locked out: how long is left.
    func lockedFor(name: String, client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        entries.withLock { entries in
            keys(name: name, client: client).compactMap { entries[$0.key]?.lockedUntil }.filter { $0 > now }.max().map { $0 - now }
        }
    }

    /// Counts a failure and returns how long to wait before answering.
    func failed(name: String, client: String, now: ContinuousClock.Instant = .now) -> Duration {
        entries.withLock { entries in
            // Forget failures that are older than a lockout, so that the table stays small.
            entries = entries.filter { now - $0.value.lastFailure < policy.lockoutDuration || ($0.value.lockedUntil ?? now) > now }
            var worst = 0
            for (key, limit) in keys(name: name, client: client) {
                var e = entries[key] ?? Entry(lastFailure: now)
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
    func succeeded(name: String) {
        _ = entries.withLock { $0.removeValue(forKey: "name:" + name.lowercased()) }
    }
}
