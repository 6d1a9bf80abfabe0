import Catalog
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Keeps a long connection (a live-view, alert or duty WebSocket) within its user's rights for as
/// long as it is open (ARCHITECTURE.md, decision 11; docs/security.md, "Open connections").
///
/// Every `interval`, and at once after any change made through the API (``RightsChanges``), it
/// asks who the connection's credential belongs to now and lets the route check what it carries.
/// It ends, and the route closes the socket, when the session was signed out or expired, the token
/// was revoked or expired, the user was deleted or changed in any way (role, grants,
/// `seeBehindMasks`, a password reset), or the route's own check fails (a grant lost on that
/// camera, a privacy zone added or changed).
///
/// The node's connections are checked together by one task (``OpenConnections``), each distinct
/// credential read from the catalogue at most once per interval (``CredentialChecks``): the
/// sixteen tiles of one browser's wall cost one read, not sixteen, and any change made through
/// this node's API drops every answer at once. Polling the catalogue rather than listening for
/// in-process events also sees changes made by `aula users` from another process, or on another
/// node, within the interval.
struct ConnectionGuard: Sendable {
    let authenticator: Authenticator
    let rights: RightsChanges
    static let interval: Duration = .milliseconds(250)

    /// Returns when the connection must close (or when the task is cancelled).
    func watch(_ identity: Identity, every interval: Duration = Self.interval, stillAllowed: @escaping @Sendable (User) async throws -> Bool) async {
        await rights.connections.watch(identity, every: interval, read: { [authenticator] in try await authenticator.readMany($0) },
                                       stillAllowed: stillAllowed)
    }
}

/// Told when a request in this process may have changed someone's rights (any successful POST,
/// PUT, PATCH or DELETE but the guards' own reports): every open connection is checked at once,
/// so that a socket closes as soon as the change is committed rather than at its next check, and
/// every answer ``credentials`` keeps is forgotten. Changes made by other processes are found by
/// the checks.
final class RightsChanges: Sendable {
    /// Who each credential belonged to when last read, shared by the node's connections and requests.
    let credentials = CredentialChecks()
    /// The connections kept within their rights.
    let connections: OpenConnections
    private let waiters = Waiters()

    init() {
        connections = OpenConnections(credentials: credentials, rounds: waiters)
    }

    func changed() {
        credentials.forget()
        connections.checkAll()
        waiters.wakeAll()
    }

    /// Returns after `limit`, or earlier when ``changed()`` is called or the task is cancelled.
    func wait(upTo limit: Duration) async {
        await waiters.wait(upTo: limit)
    }

    /// Tasks waiting for a change or a time, whichever comes first.
    final class Waiters: Sendable {
        private let state = Mutex<(next: UInt64, waiting: [UInt64: CheckedContinuation<Void, Never>])>((0, [:]))

        func wakeAll() {
            let all = state.withLock { state in
                defer { state.waiting = [:] }
                return Array(state.waiting.values)
            }
            for continuation in all { continuation.resume() }
        }

        /// One continuation and one event-loop timer (cheaper than a task group with a sleeping child).
        func wait(upTo limit: Duration) async {
            let id = state.withLock { state in
                state.next &+= 1
                return state.next
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        if Task.isCancelled { return true }
                        state.waiting[id] = continuation
                        return false
                    }
                    if now { return continuation.resume() }
                    let nanoseconds = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
                    // Resumed by whichever comes first; the other finds the waiter gone.
                    NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
                        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
                    }
                }
            } onCancel: {
                state.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
            }
        }
    }
}

/// The node's answers to "who does this credential belong to now", each kept for at most the
/// interval of the check that asks, and all forgotten when a change is made through the API.
///
/// An answer read while a change was being committed is not kept: the generation is taken before
/// the read, and the answer is stored only if no change came meanwhile.
final class CredentialChecks: Sendable {
    private struct Answer {
        var identity: Identity?
        var read: ContinuousClock.Instant
    }
    private let state = Mutex<(generation: UInt64, answers: [String: Answer])>((0, [:]))
    /// Answers are swept when there are this many (each credential has one).
    static let sweepAt = 20_000

    func forget() {
        state.withLock { state in
            state.generation &+= 1
            state.answers.removeAll(keepingCapacity: true)
        }
    }

    /// Who `credential` belongs to (nil: nobody, any more): an answer read less than `age` ago
    /// (counted from before its read began), or what `read` answers now.
    func current(_ credential: Identity.Credential, within age: Duration, read: () async throws -> Identity?) async throws -> Identity? {
        let key = credential.key
        let now = ContinuousClock.now
        let (kept, generation) = state.withLock { state in
            (state.answers[key].flatMap { now - $0.read < age ? $0 : nil }, state.generation)
        }
        if let kept { return kept.identity }
        let identity = try await read()
        keep([key: identity], read: now, generation: generation)
        return identity
    }

    /// The same for many credentials, by ``Identity/Credential/key``: those without an answer read
    /// less than `age` ago are read together, in one call of `read` (which answers by key and
    /// leaves out credentials that have no owner).
    func current(_ credentials: [Identity.Credential], within age: Duration,
                 read: ([Identity.Credential]) async throws -> [String: Identity]) async throws -> [String: Identity?] {
        let now = ContinuousClock.now
        var answers: [String: Identity?] = [:]
        var missing: [Identity.Credential] = []
        let generation = state.withLock { state in
            for credential in credentials {
                let key = credential.key
                if let kept = state.answers[key], now - kept.read < age { answers[key] = kept.identity } else { missing.append(credential) }
            }
            return state.generation
        }
        if missing.isEmpty { return answers }
        let found = try await read(missing)
        var fresh: [String: Identity?] = [:]
        for credential in missing { fresh[credential.key] = found[credential.key] }
        keep(fresh, read: now, generation: generation)
        return answers.merging(fresh) { _, new in new }
    }

    private func keep(_ fresh: [String: Identity?], read: ContinuousClock.Instant, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.answers.count + fresh.count >= Self.sweepAt {
                state.answers = state.answers.filter { read - $0.value.read < .seconds(60) }
                if state.answers.count + fresh.count >= Self.sweepAt { state.answers.removeAll(keepingCapacity: true) }
            }
            for (key, identity) in fresh { state.answers[key] = Answer(identity: identity, read: read) }
        }
    }
}

extension Identity.Credential {
    /// The credential's digest, by kind (a session and a token never share a key).
    var key: String {
        switch self {
        case .session(let digest, _): "s" + digest
        case .apiToken(let digest): "t" + digest
        }
    }
}
