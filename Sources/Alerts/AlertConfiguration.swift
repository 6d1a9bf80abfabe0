/// When alerts are raised and escalated (docs/motion.md, "Alerts").
public struct AlertConfiguration: Sendable {
    /// An alert nobody acknowledged within this time is marked escalated and sent again, flagged.
    public var escalateAfter: Duration = .seconds(120)
    /// A camera with no frame for this long is offline.
    public var offlineAfter: Duration = .seconds(10)
    /// A streaming camera whose writer has written nothing for this long has stalled recording.
    public var stallAfter: Duration = .seconds(30)
    /// How often camera status, recording and disk are checked and escalations are due.
    public var checkInterval: Duration = .milliseconds(500)

    public init() {}
}
