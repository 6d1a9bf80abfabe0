import Catalog
import Foundation
import Synchronization

/// Keeps a long connection (a live-view or alert WebSocket) within its user's rights for as long
/// as it is open (ARCHITECTURE.md, decision 11; docs/security.md, "Open connections").
///
/// Every ``interval``, and at once after any change made through the API (``RightsChanges``), it asks the catalogue again who the connection's credential belongs to and
/// lets the route check what it carries. It ends, and the route closes the socket, when the
/// session was signed out or expired, the token was revoked or expired, the user was deleted or
/// changed in any way (role, grants, `seeBehindMasks`, a password reset), or the route's own check
/// fails (a grant lost on that camera, a privacy zone added or changed). Polling the catalogue
/// rather than listening for in-process events also sees changes made by `aula users` from
/// another process; a read by primary key every quarter second per open socket is cheap.
struct ConnectionGuard: Sendable {
    let authenticator: Authenticator
    let rights: RightsChanges
    static let interval: Duration = .milliseconds(250)

    /// Returns when the connection must close (or when the task is cancelled).
    func watch(_ identity: Identity, every interval: Duration = Self.interval, stillAllowed: @Sendable (User) async throws -> Bool) async {
        while true {
            await rights.wait(upTo: interval)
            if Task.isCancelled { return }
            guard let user = try? await authenticator.current(identity), user == identity.user,
                  (try? await stillAllowed(user)) == true else { return }
        }
    }
}

/// Wakes every ``ConnectionGuard`` at once when a request in this process may have changed
/// someone's rights (any successful POST, PUT, PATCH or DELETE), so that a socket closes as soon
/// as the change is committed rather than at its next quarter-second check. Changes made by other
/// processes are still found by the check.
final class RightsChanges: Sendable {
    private let waiters = Mutex<[UUID: CheckedContinuation<Void, Never>]>([:])

    func changed() {
        let all = waiters.withLock { waiters in
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for continuation in all { continuation.resume() }
    }

    /// Returns after `limit`, or earlier when ``changed()`` is called or the task is cancelled.
    func wait(upTo limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: limit) }
            group.addTask { await self.next() }
            await group.next()
            group.cancelAll()
        }
    }

    private func next() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = waiters.withLock { waiters -> Bool in
                    if Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            waiters.withLock { $0.removeValue(forKey: id) }?.resume()
        }
    }
}
