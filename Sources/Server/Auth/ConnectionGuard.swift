import Catalog
import Foundation

/// Keeps a long connection (a live-view or alert WebSocket) within its user's rights for as long
/// as it is open (ARCHITECTURE.md, decision 11; docs/security.md, "Open connections").
///
/// Every ``interval`` it asks the catalogue again who the connection's credential belongs to and
/// lets the route check what it carries. It ends, and the route closes the socket, when the
/// session was signed out or expired, the token was revoked or expired, the user was deleted or
/// changed in any way (role, grants, `seeBehindMasks`, a password reset), or the route's own check
/// fails (a grant lost on that camera, a privacy zone added or changed). Polling the catalogue
/// rather than listening for in-process events also sees changes made by `aula users` from
/// another process; a read by primary key every quarter second per open socket is cheap.
struct ConnectionGuard: Sendable {
    let authenticator: Authenticator
    static let interval: Duration = .milliseconds(250)

    /// Returns when the connection must close (or when the task is cancelled).
    func watch(_ identity: Identity, stillAllowed: @Sendable (User) async throws -> Bool) async {
        while true {
            do { try await Task.sleep(for: Self.interval) } catch { return }
            guard let user = try? await authenticator.current(identity), user == identity.user,
                  (try? await stillAllowed(user)) == true else { return }
        }
    }
}
