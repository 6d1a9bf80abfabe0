import Analytics
import APIInput
import AulaSecurity
import Catalog
import Crypto
import Footage
import Foundation
import Hummingbird
import Recorder

/// Signed evidence exports and evidence locks.
struct EvidenceRoutes: Sendable {
    let catalog: AulaCatalog
    let layout: SampleFileLayout
    let recovery: RecoveryState
    let signer: EvidenceSigner
    let privacy: PrivacyZones
    let maskedExports: MaskedExports
    /// The retention policy, for the space locked footage may take.
    var retention = RetentionPolicy()
    /// Footage on other nodes of the cluster (nil alone).
    var peers: PeerDirectory?

    /// Longest range one evidence export may cover.
    static let maxExportSeconds: Int64 = 6 * 3600
    /// Longest range one evidence lock may keep: a lock is for an incident, not a camera's archive.
    static let maxLockSeconds: Int64 = 7 * 86_400
    /// Active locks one user may hold.
    static let maxLocksPerUser = 100
    /// The share of the space for recordings that locked footage may take: beyond it, retention
    /// could not free enough for the cameras to go on recording.
    static let maxLockedShare = 0.5

    func register(on routes: Routes<AulaContext>) {
        routes.post("api/cameras/:id/evidence", .roles(.operator, camera: .export, audit: "export.evidence"), APIDoc("A signed evidence package (tar) of a range", body: .object(["start": .time, "end": .time]), answer: .file("application/x-tar")), use: export)
        routes.get("api/evidence-locks", .roles(.operator), "Evidence locks", use: listLocks)
        routes.post("api/evidence-locks", .roles(.operator, audit: "evidence.lock"), APIDoc("Keep a range of footage past retention", body: .object(["camera": .integer, "start": .time, "end": .time, "reason": .string])), use: lock)
        routes.delete("api/evidence-locks/:id", .roles(audit: "evidence.unlock"), APIDoc("Release an evidence lock", answer: .empty), use: unlock)
    }

    /// `start` and `end` from a JSON body, as RFC 3339 times at most `maxSeconds` apart.
    static func range(_ body: inout JSONBody, maxSeconds: Int64) throws -> (Int64, Int64) {
        body.require("start", "end")
        let start = body.time90k("start"), end = body.time90k("end")
        if let start, let end, end <= start { body.fail("end", "must be after start") }
        if let start, let end, end > start, end - start > maxSeconds * 90_000 {
            body.fail("end", "the range must be at most \(maxSeconds / 3600) hours")
        }
        try body.check()
        guard let start, let end else { throw ProblemDetails.validation(body.errors) }
        return (start, end)
    }

    private func camera(_ text: String?, field: String) async throws -> Camera {
        try await CameraID.existing(text, in: catalog, field: field)
    }

    /// A tar with `manifest.json`, `manifest.sig` and the clip; see ``EvidencePackage``.
    func export(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let camera = try await camera(context.parameters.get("id"), field: "id")
        var body = try await JSONBody.read(request, limit: 16 * 1024)
        let (start, end) = try Self.range(&body, maxSeconds: Self.maxExportSeconds)
        var file = try await ExportPlanner(store: catalog, layout: layout, damaged: recovery.damaged, peers: peers).plan(camera: camera.id, start: start, end: end)
        var mediaName = "aula-camera\(camera.id)-\(Time90k.fileStamp(start)).mp4"
        // Without the right to see behind privacy masks: a package of its own around the masked
        // transcode, saying so, and naming the recorded clip it was derived from by its digest.
        var derivedFrom: (sha: String, bytes: Int)?
        if let masker = privacy.masks(for: user, camera: camera.id) {
            var original = SHA256()
            try await file.forEachChunk { original.update(data: $0.readableBytesView) }
            derivedFrom = (SecretToken.hex(original.finalize()), file.mp4.totalSize)
            file = try await maskedExports.masked(file, masker: masker)
            mediaName = mediaName.replacingOccurrences(of: ".mp4", with: "-masked.mp4")
        }
        // First pass: the clip's digest, which the manifest (sent first) must state.
        var sha = SHA256()
        try await file.forEachChunk { sha.update(data: $0.readableBytesView) }
        let now = Date()
        var manifest = EvidenceManifest(
            cameraID: camera.id, cameraName: camera.name, start: Time90k.format(start), end: Time90k.format(end),
            exportedBy: user.name, exportedAt: RFC3339.format(micros: Int64(now.timeIntervalSince1970 * 1_000_000)),
            mediaFile: mediaName, mediaBytes: file.mp4.totalSize, mediaSHA256: SecretToken.hex(sha.finalize()), signingKey: signer.publicKeyHex)
        if let derivedFrom {
            manifest.privacyMasked = EvidenceManifest.PrivacyMasking(
                method: "decoded, privacy zones blacked out (Y=16, U=V=128), re-encoded as H.264 with libx264",
                sourceMediaSHA256: derivedFrom.sha, sourceMediaBytes: derivedFrom.bytes)
        }
        let prefix = try EvidencePackage.prefix(manifest: manifest, signer: signer, mtime: Int64(now.timeIntervalSince1970))
        let suffix = EvidencePackage.suffix(mediaBytes: manifest.mediaBytes)
        let expected = manifest.mediaSHA256
        context.auditNote.set("camera \(camera.id) \(manifest.start) to \(manifest.end); sha256 \(expected)"
                              + (derivedFrom.map { "; privacy masks applied (re-encoded from sha256 \($0.sha))" } ?? ""))
        let length = prefix.count + manifest.mediaBytes + suffix.count
        let served = file
        let responseBody = ResponseBody(contentLength: length) { writer in
            try await writer.write(ByteBuffer(bytes: prefix))
            // Second pass: the same bytes again, checked, so a file changed in between cannot be
            // sent under a manifest that does not describe it.
            var again = SHA256()
            try await served.forEachChunk { chunk in
                again.update(data: chunk.readableBytesView)
                try await writer.write(chunk)
            }
            guard SecretToken.hex(again.finalize()) == expected else {
                throw ProblemDetails(status: .internalServerError, detail: "the footage changed while it was being exported")
            }
            try await writer.write(ByteBuffer(bytes: suffix))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: "application/x-tar",
            .contentDisposition: "attachment; filename=\"aula-evidence-camera\(camera.id)-\(Time90k.fileStamp(start)).tar\"",
            .contentLength: String(length),
        ], body: responseBody)
    }

    struct LockJSON: Encodable {
        var id: Int64
        var camera: Int64
        var start: String
        var end: String
        var reason: String
        var createdBy: String
        var createdAt: String
        init(_ l: EvidenceLock) {
            id = l.id
            camera = l.cameraID
            start = Time90k.format(l.start90k)
            end = Time90k.format(l.end90k)
            reason = l.reason
            createdBy = l.createdBy
            createdAt = RFC3339.format(micros: l.createdAt)
        }
    }

    /// Only the locks on cameras whose footage the user may export: a lock's reason describes an
    /// incident on that camera.
    func listLocks(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        let cameras = Dictionary(uniqueKeysWithValues: try await catalog.cameras().map { ($0.id, $0) })
        let visible = try await catalog.evidenceLocks().filter {
            user.may(.export, cameras[$0.cameraID] ?? Camera(id: $0.cameraID, name: "", rtspURL: "", latitude: 0, longitude: 0))
        }
        return try JSONResponse.make(visible.map(LockJSON.init))
    }

    /// `{"camera": 3, "start": …, "end": …, "reason": "…"}`.
    func lock(_ request: Request, context: AulaContext) async throws -> Response {
        let user = try context.user()
        var body = try await JSONBody.read(request, limit: 16 * 1024)
        var errors: [FieldError] = []
        body.require("camera")
        let cameraID = body.id("camera")
        var reason = ""
        switch body.string("reason") {
        case .some(.some(let r)) where !r.trimmingCharacters(in: .whitespaces).isEmpty && r.count <= 500: reason = r
        case .none where !body.has("reason"): errors.append(FieldError(field: "reason", message: "is required (why the footage is kept)"))
        default: errors.append(FieldError(field: "reason", message: "must be 1 to 500 characters"))
        }
        let range: (Int64, Int64)?
        do { range = try Self.range(&body, maxSeconds: Self.maxLockSeconds) } catch let p as ProblemDetails {
            errors += p.errors
            range = nil
        }
        guard errors.isEmpty, let cameraID, let range else { throw ProblemDetails.validation(CameraRoutes<AulaContext>.unique(errors)) }
        // A lock on a deleted camera's footage is allowed: footage outlives its camera.
        if !user.may(.export, try await catalog.camera(id: cameraID) ?? Camera(id: cameraID, name: "", rtspURL: "", latitude: 0, longitude: 0)) {
            throw ProblemDetails(status: .forbidden, detail: "\(user.name) may not export camera \(cameraID), so may not lock its footage")
        }
        let existing = try await catalog.evidenceLocks()
        guard existing.filter({ $0.createdBy == user.name }).count < Self.maxLocksPerUser else {
            throw ProblemDetails(status: .tooManyRequests, type: "/docs/security.md#evidence-locks", title: "Too many evidence locks",
                                 detail: "\(user.name) holds \(Self.maxLocksPerUser) evidence locks, the most one user may; unlock some or ask an administrator")
        }
        let candidate = EvidenceLock(cameraID: cameraID, start90k: range.0, end90k: range.1, reason: reason, createdBy: user.name)
        if let capacity = recordingCapacity() {
            let locked = try await lockedBytes(existing + [candidate])
            if Double(locked) > Double(capacity) * Self.maxLockedShare {
                throw ProblemDetails(status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), type: "/docs/security.md#evidence-locks", title: "Locked footage would crowd out recording",
                                     detail: "with this lock, locked footage would take \(locked / 1_000_000) MB of the \(capacity / 1_000_000) MB that recording may use (at most \(Int(Self.maxLockedShare * 100)) %); export the footage instead, or unlock older evidence",
                                     errors: [FieldError(field: "end", message: "the locked footage would take too much of the recording space")])
            }
        }
        let saved = try await catalog.insert(candidate)
        context.auditNote.set("camera \(cameraID) \(Time90k.format(range.0)) to \(Time90k.format(range.1)): \(reason)")
        var response = try JSONResponse.make(LockJSON(saved), status: .created)
        response.headers[.location] = "/api/evidence-locks/\(saved.id)"
        return response
    }

    /// Bytes of the recordings that `locks` cover, each counted once.
    func lockedBytes(_ locks: [EvidenceLock]) async throws -> Int64 {
        var seen = Set<Int64>()
        var total: Int64 = 0
        for lock in locks {
            for r in try await catalog.recordings(camera: lock.cameraID, from: lock.start90k, to: lock.end90k) where seen.insert(r.id).inserted {
                total += r.bytes
            }
        }
        return total
    }

    /// The space recordings may use: the quota, within what the volume holds beyond its reserve.
    func recordingCapacity() -> Int64? {
        guard let volume = VolumeSpace.of(layout.root) else { return retention.quotaBytes }
        let usable = volume.totalBytes - retention.reserve(volumeBytes: volume.totalBytes)
        return min(retention.effectiveQuota(volumeBytes: volume.totalBytes) ?? usable, usable)
    }

    func unlock(_ request: Request, context: AulaContext) async throws -> Response {
        guard let id = PathID.parse(context.parameters.get("id")) else {
            throw ProblemDetails(status: .notFound, detail: "lock ids are positive whole numbers", errors: [FieldError(field: "id", message: "must be a positive whole number")])
        }
        guard try await catalog.deleteEvidenceLock(id: id) else { throw ProblemDetails.notFound("evidence lock \(id) does not exist") }
        return Response(status: .noContent)
    }
}
