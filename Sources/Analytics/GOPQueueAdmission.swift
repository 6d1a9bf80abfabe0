/// The admission rule of a bounded queue of access units feeding a decoder on its own task
/// (motion analysis, the masked live encoder): when the queue is full, the rest of the GOP is
/// dropped, and admission resumes only at a key frame once there is room again — a decoder can only
/// restart at a key frame, and what is already queued still decodes. Ingest never waits.
enum GOPQueueAdmission {
    enum Verdict {
        case enqueue
        /// Dropped while skipping to the next key frame.
        case drop
        /// The queue just filled: this frame and the rest of its GOP are dropped.
        case overflow
    }

    static func admit(isKeyFrame: Bool, queued: Int, limit: Int, skipping: inout Bool) -> Verdict {
        if skipping {
            guard isKeyFrame, queued < limit else { return .drop }
            skipping = false
        } else if queued >= limit {
            skipping = true
            return .overflow
        }
        return .enqueue
    }
}
