import APIInput
import Catalog
import Foundation
import Hummingbird
import Recorder
import Synchronization

/// What the camera status says about recording (docs/api.md, "Camera status").
struct RecordingStatusResponse: Encodable {
    /// Bytes of sample files in the index.
    var bytes: Int64
    var oldestTime: String?
    var newestTime: String?
    /// Video written to sample files but not yet in the index, in milliseconds (at most about one
    /// flush interval while the writer keeps up).
    var writeLagMs: Int?
    var framesWritten: Int
    var framesDropped: Int
    var maxAgeDays: Int?
    /// The sub stream's recordings, when it has any (storage.md, "Two streams of a camera").
    var subStream: SubStreamRecording?
}

/// The recorded sub stream of a camera, in its status.
struct SubStreamRecording: Encodable {
    var bytes: Int64
    var oldestTime: String
    var newestTime: String
    var framesWritten: Int
    var framesDropped: Int
}

/// Everything that describes recording for status, storage and metrics.
struct RecordingObserver: Sendable {
    let writer: RecordingWriter
    /// The sub streams' writer (nil: a node that records none).
    var subWriter: RecordingWriter? = nil
    let store: any RecordingStore
    let usageCache: UsageCache
    let storage: StorageState
    let policy: RetentionPolicy

    func statuses() async throws -> [Int64: RecordingStatusResponse] {
        let usage = try await usageCache.usage(of: .main)
        let subUsage = try await usageCache.usage(of: .sub)
        let stats = writer.cameraStats()
        let subStats = subWriter?.cameraStats() ?? [:]
        let ages = try await store.maxAgeDays()
        var result: [Int64: RecordingStatusResponse] = [:]
        for camera in Set(usage.keys).union(stats.keys) {
            let u = usage[camera]
            let s = stats[camera]
            var lag: Int?
            if let written = s?.newestWritten90k {
                lag = Int(max(0, written - (u?.newest90k ?? written)) / 90)
            }
            result[camera] = RecordingStatusResponse(
                bytes: u?.bytes ?? 0, oldestTime: u.map { Time90k.format($0.oldest90k) }, newestTime: u.map { Time90k.format($0.newest90k) },
                writeLagMs: lag, framesWritten: s?.framesWritten ?? 0, framesDropped: s?.framesDropped ?? 0,
                maxAgeDays: ages[camera] ?? policy.defaultMaxAgeSeconds.map { Int($0 / 86_400) },
                subStream: subUsage[camera].map { sub in
                    SubStreamRecording(bytes: sub.bytes, oldestTime: Time90k.format(sub.oldest90k), newestTime: Time90k.format(sub.newest90k),
                                       framesWritten: subStats[camera]?.framesWritten ?? 0, framesDropped: subStats[camera]?.framesDropped ?? 0)
                })
        }
        return result
    }

    func empty(camera: Int64, ages: [Int64: Int]) -> RecordingStatusResponse {
        RecordingStatusResponse(bytes: 0, writeLagMs: nil, framesWritten: 0, framesDropped: 0,
                                maxAgeDays: ages[camera] ?? policy.defaultMaxAgeSeconds.map { Int($0 / 86_400) })
    }

    var pressure: StoragePressure { StoragePressure(writer: writer, storage: storage, policy: policy) }

    /// Disk pressure (see ``StoragePressure``).
    func pressure(volume: VolumeSpace?, recordingsBytes: Int64) -> String {
        pressure.level(volume: volume, recordingsBytes: recordingsBytes)
    }
}

struct StorageResponse: Encodable {
    struct Volume: Encodable { var totalBytes: Int64; var availableBytes: Int64 }
    var pressure: String
    var volume: Volume?
    var recordingsBytes: Int64
    var quotaBytes: Int64?
    var reserveBytes: Int64?
    var defaultMaxAgeDays: Int?
    var writeFailures: Int
    var lastWriteError: String?
    var lastWriteErrorTime: String?
    var lastFlushTime: String?
    var lastFlushMs: Double?
    var lastFlushError: String?
    var lastRetentionTime: String?
    var retentionDeletedRecordings: Int
    var retentionDeletedBytes: Int64
    /// Motion events deleted with their footage.
    var retentionDeletedEvents: Int
    var lastRetentionError: String?
}

/// `GET /api/storage`, `GET|PUT /api/cameras/{id}/retention`.
struct StorageRoutes<Context: RequestContext>: Sendable {
    let observer: RecordingObserver
    let cameras: any CameraStore

    func register(on routes: Routes<Context>) {
        routes.get("api/storage", .roles(.operator), "Disk, retention and recording figures", use: storage)
        routes.get("api/cameras/:id/retention", .roles(.operator, camera: .metadata), "A camera's retention", use: showRetention)
        routes.put("api/cameras/:id/retention", .roles(audit: "camera.retention"), APIDoc("Set a camera's maximum age of footage", body: .object(["maxAgeDays": .integer])), use: setRetention)
    }

    func storage(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await storageResponse())
    }

    func storageResponse() async throws -> StorageResponse {
        let volume = VolumeSpace.of(observer.writer.layout.root)
        let bytes = try await observer.usageCache.totalBytes()
        let trouble = observer.writer.writeFailures
        let flush = observer.writer.flushStatus
        let state = observer.storage.snapshot
        return StorageResponse(
            pressure: observer.pressure(volume: volume, recordingsBytes: bytes),
            volume: volume.map { .init(totalBytes: $0.totalBytes, availableBytes: $0.availableBytes) },
            recordingsBytes: bytes,
            quotaBytes: volume.flatMap { observer.policy.effectiveQuota(volumeBytes: $0.totalBytes) } ?? observer.policy.quotaBytes,
            reserveBytes: volume.map { observer.policy.reserve(volumeBytes: $0.totalBytes) },
            defaultMaxAgeDays: observer.policy.defaultMaxAgeSeconds.map { Int($0 / 86_400) },
            writeFailures: trouble.failures, lastWriteError: trouble.message, lastWriteErrorTime: trouble.lastFailure.map(RFC3339.format(micros:)),
            lastFlushTime: flush.at > 0 ? RFC3339.format(micros: flush.at) : nil, lastFlushMs: flush.at > 0 ? Double(flush.lagMicros) / 1000 : nil,
            lastFlushError: flush.error,
            lastRetentionTime: state.lastPassTime.map(RFC3339.format(micros:)),
            retentionDeletedRecordings: state.deletedRecordings, retentionDeletedBytes: state.deletedBytes,
            retentionDeletedEvents: state.deletedEvents, lastRetentionError: state.lastError)
    }

    /// `maxAgeDays` is always present, `null` when the camera follows the server's default.
    struct RetentionBody: Encodable {
        var cameraId: Int64
        var maxAgeDays: Int?
        var effectiveMaxAgeDays: Int?
        enum CodingKeys: String, CodingKey { case cameraId, maxAgeDays, effectiveMaxAgeDays }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cameraId, forKey: .cameraId)
            try c.encode(maxAgeDays, forKey: .maxAgeDays)
            try c.encode(effectiveMaxAgeDays, forKey: .effectiveMaxAgeDays)
        }
    }

    func showRetention(_ request: Request, context: Context) async throws -> Response {
        let id = try await cameraID(context)
        let days = try await observer.store.maxAgeDays()[id]
        return try JSONResponse.make(RetentionBody(cameraId: id, maxAgeDays: days, effectiveMaxAgeDays: days ?? observer.policy.defaultMaxAgeSeconds.map { Int($0 / 86_400) }))
    }

    /// Body: `{"maxAgeDays": 30}`, or `null` to follow the server's default.
    func setRetention(_ request: Request, context: Context) async throws -> Response {
        let id = try await cameraID(context)
        var body = try await JSONBody.read(request)
        guard body.has("maxAgeDays") else { throw ProblemDetails.validation([FieldError(field: "maxAgeDays", message: "is required (a number of days, or null)")]) }
        var days: Int?
        if case .null = body.object["maxAgeDays"] {
            days = nil
        } else {
            days = body.integer("maxAgeDays", in: 1...36_500)
        }
        guard body.errors.isEmpty else { throw ProblemDetails.validation(body.errors) }
        let unknown = body.object.keys.filter { $0 != "maxAgeDays" }.sorted()
        guard unknown.isEmpty else { throw ProblemDetails.validation(unknown.map { FieldError(field: $0, message: "is not a retention field") }) }
        try await observer.store.setMaxAgeDays(days, camera: id)
        return try JSONResponse.make(RetentionBody(cameraId: id, maxAgeDays: days, effectiveMaxAgeDays: days ?? observer.policy.defaultMaxAgeSeconds.map { Int($0 / 86_400) }))
    }

    private func cameraID(_ context: Context) async throws -> Int64 {
        try await CameraID.existing(context.parameters.get("id"), in: cameras).id
    }
}
