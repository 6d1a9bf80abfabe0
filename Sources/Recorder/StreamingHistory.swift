import Foundation
import Media
import Synchronization

/// When each camera started and stopped streaming, kept in memory for the last day, so that the
/// health page can show how much of the last 24 hours each camera was streaming (docs/api.md,
/// "Camera health").
///
/// A camera is streaming from its session's first frame to the session's end. The history starts
/// when the server starts; the share is of the time observed since then (at most 24 hours).
public final class StreamingHistory: FrameSink {
    public struct Change: Sendable, Equatable {
        /// Microseconds since the epoch.
        public var time: Int64
        public var streaming: Bool
    }

    public struct Summary: Sendable, Equatable {
        public var streamingSeconds: Double
        public var observedSeconds: Double
        /// `streamingSeconds / observedSeconds`, 0…1; nil before anything was observed.
        public var share: Double?
        /// State changes in the window, oldest first.
        public var changes: [Change]
    }

    private struct State {
        var changes: [Int64: [Change]] = [:]
    }

    private let state = Mutex(State())
    private let started: Int64
    private let clock: @Sendable () -> Int64
    public static let window: Int64 = 86_400_000_000

    public init(clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000_000) }) {
        self.clock = clock
        started = clock()
    }

    public func streamStarted(camera: Int64, parameters: VideoParameters) { record(camera: camera, streaming: true) }

    public func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) {}

    public func streamEnded(camera: Int64) { record(camera: camera, streaming: false) }

    /// Records a change (also usable directly, for tests and for cameras removed while streaming).
    public func record(camera: Int64, streaming: Bool, at time: Int64? = nil) {
        let now = time ?? clock()
        state.withLock { s in
            var list = s.changes[camera] ?? []
            if list.last?.streaming == streaming { return }
            list.append(Change(time: now, streaming: streaming))
            // Keep the last change before the window: it says the state at the window's start.
            let horizon = now - Self.window
            if let firstInside = list.firstIndex(where: { $0.time >= horizon }), firstInside > 1 {
                list.removeFirst(firstInside - 1)
            }
            s.changes[camera] = list
        }
    }

    /// The last 24 hours (or since the server started) of `camera`.
    public func summary(camera: Int64, now: Int64? = nil) -> Summary {
        let now = now ?? clock()
        let from = max(started, now - Self.window)
        let list = state.withLock { $0.changes[camera] ?? [] }
        var streaming = false
        var since = from
        var total: Int64 = 0
        var inside: [Change] = []
        for change in list {
            if change.time <= from {
                streaming = change.streaming
                continue
            }
            inside.append(change)
            if streaming { total += change.time - since }
            streaming = change.streaming
            since = change.time
        }
        if streaming { total += max(0, now - since) }
        let observed = max(0, now - from)
        return Summary(streamingSeconds: Double(total) / 1e6, observedSeconds: Double(observed) / 1e6,
                       share: observed > 0 ? Double(total) / Double(observed) : nil, changes: inside)
    }
}
