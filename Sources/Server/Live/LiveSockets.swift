import Synchronization

/// How many live-view sockets are open, per user and in all, so that no one user (a script, a
/// browser left with a hundred tabs) and no crowd can take the event loops that receive and
/// write video (docs/live.md, "Limits").
///
/// Checked before the upgrade (a clear 429 or 503 saying why) and taken for real when the socket
/// opens; a socket that loses that race is closed at once with the same reason.
final class LiveSockets: Sendable {
    let perUser: Int
    let total: Int
    private let open = Mutex<(byUser: [String: Int], total: Int)>(([:], 0))

    init(perUser: Int, total: Int) {
        self.perUser = perUser
        self.total = total
    }

    /// Why `user` may not open another socket now; nil when they may.
    func refusal(user: String) -> ProblemDetails? {
        let (mine, all) = open.withLock { ($0.byUser[user] ?? 0, $0.total) }
        if all >= total {
            return ProblemDetails(status: .serviceUnavailable, type: "/docs/live.md#limits", title: "Too many live views",
                                  detail: "this server shows at most \(total) live views at once, and all are in use; try again later")
        }
        if mine >= perUser {
            return ProblemDetails(status: .tooManyRequests, type: "/docs/live.md#limits", title: "Too many live views",
                                  detail: "\(user) has \(mine) live views open, the most one user may; close some first")
        }
        return nil
    }

    /// Takes a place for `user`; false when none is left.
    func acquire(user: String) -> Bool {
        open.withLock { state in
            guard state.total < total, state.byUser[user, default: 0] < perUser else { return false }
            state.total += 1
            state.byUser[user, default: 0] += 1
            return true
        }
    }

    func release(user: String) {
        open.withLock { state in
            state.total = max(0, state.total - 1)
            let left = (state.byUser[user] ?? 1) - 1
            state.byUser[user] = left > 0 ? left : nil
        }
    }

    var count: Int { open.withLock { $0.total } }
}
