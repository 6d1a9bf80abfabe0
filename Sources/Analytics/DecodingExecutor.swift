import Dispatch

/// Where a decoding task runs: a serial dispatch queue of its own, on dispatch's worker threads,
/// instead of Swift's cooperative pool.
///
/// The cooperative pool has one thread per core (two on the machines Aula runs on) and carries every
/// RTSP session, HTTP request and live socket. A motion analyser or a masked encoder decodes (and
/// encodes) video for as long as frames come: on the pool it would hold a thread for tens of
/// milliseconds per frame, and on a busy machine sessions and requests would wait behind it. Each
/// task gets its own serial queue, so its libavcodec contexts still see one job at a time.
final class DecodingExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
