import APIInput
import Catalog
import Foundation
import Hummingbird
import Recorder

/// `GET /api/camera-health`: per camera, what the health page adds to `GET /api/cameras` status:
/// the share of the last 24 hours it was streaming, its state changes, and the recording gaps of
/// the last 24 hours (docs/api.md, "Camera health").
struct CameraHealthRoute<Context: RequestContext>: Sendable {
    let cameras: any CameraStore
    let recordings: any RecordingStore
    let history: StreamingHistory

    struct Change: Encodable { var time: String; var streaming: Bool }

    struct Entry: Encodable {
        var camera: Int64
        var streamingSeconds: Double
        var observedSeconds: Double
        /// 0…1, or null before anything was observed.
        var uptime: Double?
        var changes: [Change]
        var recordedSeconds: Double
        var gaps: Int
        var gapSeconds: Double
        var longestGapSeconds: Double
    }

    func register(on routes: Routes<Context>) {
        routes.get("api/camera-health", .roles(.operator), "Each camera's streaming and recording over the last 24 hours", use: list)
    }

    func list(_ request: Request, context: Context) async throws -> Response {
        let user = (context as? any IdentifiedRequestContext)?.identity?.user
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let end90k = now * 9 / 100
        let start90k = end90k - 86_400 * 90_000
        var entries: [Entry] = []
        for camera in try await cameras.cameras() where user?.may(.metadata, camera) == true {
            let summary = history.summary(camera: camera.id, now: now)
            // Gaps between recorded stretches in the last 24 h (the edges count: nothing recorded
            // before the first run or after the last one is a gap too), longer than a second.
            let found = try await recordings.recordings(camera: camera.id, from: start90k, to: end90k)
            // Not before the camera was added: a camera added an hour ago has not missed a day.
            let from90k = max(start90k, camera.createdAt * 9 / 100)
            var cursor = from90k, recorded: Int64 = 0, gaps = 0, gapTicks: Int64 = 0, longest: Int64 = 0
            func gap(_ ticks: Int64) {
                // Below a second is the flush boundary between files, not a gap.
                guard ticks > 90_000 else { return }
                gaps += 1; gapTicks += ticks; longest = max(longest, ticks)
            }
            for r in found.sorted(by: { $0.start90k < $1.start90k }) {
                let s = max(r.start90k, from90k), e = min(r.end90k, end90k)
                guard e > s else { continue }
                if s > cursor { gap(s - cursor) }
                recorded += max(0, e - max(s, cursor))
                cursor = max(cursor, e)
            }
            // The last few seconds are written but not yet in the index (one flush): not a gap.
            if end90k - cursor > 5 * 90_000 { gap(end90k - cursor) }
            entries.append(Entry(
                camera: camera.id, streamingSeconds: summary.streamingSeconds, observedSeconds: summary.observedSeconds, uptime: summary.share,
                changes: summary.changes.map { Change(time: RFC3339.format(micros: $0.time), streaming: $0.streaming) },
                recordedSeconds: Double(recorded) / 90_000, gaps: gaps, gapSeconds: Double(gapTicks) / 90_000, longestGapSeconds: Double(longest) / 90_000))
        }
        return try JSONResponse.make(["cameras": entries])
    }
}
