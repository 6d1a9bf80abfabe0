import Analytics
import APIInput
import Catalog
import Footage
import Foundation
import Hummingbird
import Media
import Motion
import Recorder

/// `/api/cameras/{id}/recordings` and `/api/cameras/{id}/recording.mp4`.
///
/// A user without the right to see behind privacy masks gets a camera with privacy zones as a
/// masked transcode of the range (``MaskedExports``), with the same HEAD, Range and ETag rules;
/// everyone else gets the recorded bytes.
struct RecordingRoutes: Sendable {
    typealias Context = AulaContext
    let cameras: any CameraStore
    let recordings: any RecordingStore
    let layout: SampleFileLayout
    let recovery: RecoveryState
    let privacy: PrivacyZones
    let maskedExports: MaskedExports
    let exports: ExportCache
    /// Footage on other nodes of the cluster (nil alone).
    let peers: PeerDirectory?

    func register(on routes: Routes<Context>) {
        routes.get("api/cameras/:id/recordings", .roles(.operator, .analyst, camera: .playback), APIDoc("Runs and gaps of recorded video", query: ["start": .time, "end": .time, "stream": .string]), use: list)
        routes.get("api/cameras/:id/recording.mp4", .roles(.operator, .analyst, camera: .playback, audit: "view.playback"), APIDoc("Any range of recorded video as one MP4 (Range, ETag)", query: ["start": .time, "end": .time, "codec": .string, "stream": .string], answer: .file("video/mp4")), use: mp4)
        routes.head("api/cameras/:id/recording.mp4", .roles(.operator, .analyst, camera: .playback), APIDoc("The size and ETag of a range's MP4", query: ["start": .time, "end": .time, "codec": .string, "stream": .string], answer: .file("video/mp4")), use: mp4)
    }

    struct Run: Encodable {
        var start: String
        var end: String
        var frames: Int
        var bytes: Int64
        var recordings: Int
    }

    struct Gap: Encodable {
        var start: String
        var end: String
        var seconds: Double
    }

    struct Listing: Encodable {
        var camera: Int64
        var stream: String
        var start: String
        var end: String
        var runs: [Run]
        var gaps: [Gap]
    }

    func list(_ request: Request, context: Context) async throws -> Response {
        let camera = try await cameraID(context)
        let (start, end, stream) = try timeRange(request, maxSeconds: Self.maxListingSeconds)
        let found = try await recordings.recordings(camera: camera, stream: stream, from: start, to: end)
        var runs: [(start: Int64, end: Int64, frames: Int, bytes: Int64, count: Int)] = []
        var lastRun: Int64?
        for r in found {
            if r.runID == lastRun, var run = runs.popLast() {
                run.end = max(run.end, r.end90k)
                run.frames += r.frames
                run.bytes += r.bytes
                run.count += 1
                runs.append(run)
            } else {
                runs.append((r.start90k, r.end90k, r.frames, r.bytes, 1))
            }
            lastRun = r.runID
        }
        var gaps: [Gap] = []
        var cursor = start
        for run in runs {
            if run.start > cursor { gaps.append(Gap(start: Time90k.format(cursor), end: Time90k.format(run.start), seconds: Double(run.start - cursor) / 90_000)) }
            cursor = max(cursor, run.end)
        }
        if cursor < end { gaps.append(Gap(start: Time90k.format(cursor), end: Time90k.format(end), seconds: Double(end - cursor) / 90_000)) }
        let listing = Listing(
            camera: camera, stream: stream.name, start: Time90k.format(start), end: Time90k.format(end),
            runs: runs.map { Run(start: Time90k.format($0.start), end: Time90k.format($0.end), frames: $0.frames, bytes: $0.bytes, recordings: $0.count) },
            gaps: gaps)
        return try JSONResponse.make(listing)
    }

    func mp4(_ request: Request, context: Context) async throws -> Response {
        let camera = try await cameraID(context)
        let cameraName = try await cameras.camera(id: camera)?.name ?? "camera"
        let (start, end, stream) = try timeRange(request, maxSeconds: Self.maxExportSeconds)
        let convert = try Self.wantsH264(request)
        let planner = ExportPlanner(store: recordings, layout: layout, damaged: recovery.damaged, peers: peers)
        var export = try await exports.file(camera: camera, stream: stream, start: start, end: end, now90k: Int64(Date().timeIntervalSince1970 * 90_000)) {
            try await planner.plan(camera: camera, stream: stream, start: start, end: end)
        }
        var name = "aula-camera\(camera)-\(Self.fileSafe(cameraName))-\(Time90k.fileStamp(start))\(stream == .sub ? "-sub" : "").mp4"
        if stream == .sub { context.auditNote.set("sub stream") }
        if let masker = privacy.masks(for: context.identity?.user, camera: camera) {
            export = try await maskedExports.masked(export, masker: masker)
            name = name.replacingOccurrences(of: ".mp4", with: "-masked.mp4")
            context.auditNote.set((stream == .sub ? "sub stream; " : "") + "privacy masks applied (re-encoded)")
        } else if convert, export.segments.contains(where: { $0.parameters.codec != .h264 }) {
            // H.265 footage for a browser or player without HEVC, on request: the masked-export
            // machinery with no mask (one libx264 encode, cached like a masked range).
            export = try await maskedExports.masked(export, masker: PrivacyMasker(polygons: []))
            name = name.replacingOccurrences(of: ".mp4", with: "-h264.mp4")
            context.auditNote.set((stream == .sub ? "sub stream; " : "") + "converted to H.264")
        }
        return try RangeResponder.respond(to: request, file: export, fileName: name)
    }

    private func cameraID(_ context: Context) async throws -> Int64 {
        try await CameraID.existing(context.parameters.get("id"), in: cameras).id
    }

    /// Listings span at most this; an export at most ``maxExportSeconds``.
    static let maxListingSeconds: Int64 = 400 * 86_400
    static let maxExportSeconds: Int64 = 31 * 86_400

    /// `start` and `end` query parameters as RFC 3339 times, in 90 kHz ticks since the epoch, and
    /// `stream` (main unless asked for the sub stream).
    private func timeRange(_ request: Request, maxSeconds: Int64) throws -> (Int64, Int64, RecordedStream) {
        var query = QueryFields(request)
        let range = query.timeRange(required: true, maxSeconds: maxSeconds)
        let stream = query.recordedStream()
        try query.check()
        guard let start = range.start, let end = range.end else { throw ProblemDetails.validation(query.errors) }
        return (start, end, stream)
    }

    /// `?codec=h264`: the range converted to H.264 when it was recorded in another codec
    /// (docs/live.md, "Every camera in every browser"); absent: as recorded.
    static func wantsH264(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters.get("codec") {
        case nil: return false
        case "h264"?: return true
        case let other?:
            throw ProblemDetails.validation([FieldError(field: "codec", message: "must be h264 (or left out for the footage as recorded), not \(String(other.prefix(40)))")])
        }
    }

    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
    }
}
