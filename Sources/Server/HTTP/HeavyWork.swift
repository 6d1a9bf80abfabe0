import Foundation
import NIOPosix
import Synchronization

/// CPU-heavy answers (camera plans, hot-spot grids, pilot evaluations) run here, on threads of
/// their own, never on Swift's cooperative pool, which the recorder's tasks and every other
/// request share (issue 15, class 8).
///
/// At most ``threads`` run at once (one per core, at most two); at most ``queueLimit`` wait, and
/// beyond that a request is told at once that the server is busy (503) instead of piling up. A
/// request whose client has gone before its turn comes is dropped without running.
final class HeavyWork: Sendable {
    let threads: Int
    let queueLimit: Int
    private let pool: NIOThreadPool
    private let pending = Mutex(0)

    init(threads: Int = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount)), queueLimit: Int = 8) {
        self.threads = threads
        self.queueLimit = queueLimit
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// Requests running or waiting.
    var inUse: Int { pending.withLock { $0 } }

    /// Runs `work` on the pool; a 503 when too much is waiting, CancellationError when the
    /// requesting task was cancelled before `work` started.
    func run<T: Sendable>(_ what: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = pending.withLock { n in
            guard n < threads + queueLimit else { return false }
            n += 1
            return true
        }
        guard admitted else {
            throw ProblemDetails(status: .serviceUnavailable, title: "Busy",
                                 detail: "the server is computing \(threads + queueLimit) plans or analyses already; try \(what) again in a moment")
        }
        defer { pending.withLock { $0 -= 1 } }
        let cancelled = Atomic(false)
        return try await withTaskCancellationHandler {
            try await pool.runIfActive {
                if cancelled.load(ordering: .relaxed) { throw CancellationError() }
                return try work()
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
    }
}
