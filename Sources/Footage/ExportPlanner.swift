import APIInput
import Catalog
import Foundation
import Hummingbird
import Media
import Recorder
import Synchronization

/// A virtual .mp4 for a time range: the generated header plus byte ranges of sample files.
struct ExportFile: Sendable {
    struct Source: Sendable {
        var path: String
        var offset: Int64
        var length: Int
    }

    var mp4: VirtualMP4
    var sources: [Source]
    var etag: String
    /// Recordings left out because their files are damaged (reported, never served).
    var skipped: [Int64]
    /// What ``mp4`` was laid out from (a masked transcode re-encodes them).
    var segments: [MP4Segment] = []
    var creationTime: Int64 = 0
}

/// Chooses what goes into an export, following docs/storage.md:
/// - it starts at the key frame at or before `start`, with an edit list so playback shows `start` first;
/// - it spans as many sample files as the range needs;
/// - gaps between runs are not filled: the recorded parts play back to back, and
///   `GET …/recordings` tells where the gaps are;
/// - recordings whose sample file is missing or shorter than the index are left out and named in
///   the `X-Aula-Skipped-Recordings` header.
struct ExportPlanner {
    let store: any RecordingStore
    let layout: SampleFileLayout
    let damaged: [Int64: String]

    func plan(camera: Int64, start: Int64, end: Int64) async throws -> ExportFile {
        let found = try await store.recordings(camera: camera, from: start, to: end)
        var segments: [MP4Segment] = []
        var sources: [ExportFile.Source] = []
        var skipped: [Int64] = []
        var trimStart: Int64 = 0
        var tailOver: Int64 = 0
        var parameterCache: [Int64: VideoParameters] = [:]
        var hash = FNV1a()
        hash.add("v\(VirtualMP4.formatVersion):\(camera):\(start):\(end)")
        for recording in found {
            let path = layout.path(camera: camera, recording: recording.id)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
            if damaged[recording.id] != nil || size == nil || size! < recording.bytes {
                skipped.append(recording.id)
                continue
            }
            let samples: [MP4Sample]
            do { samples = try SampleIndex.decode(recording.index, hasCompositionOffsets: recording.hasCompositionOffsets) } catch {
                skipped.append(recording.id)
                continue
            }
            // Decode times of the samples.
            var times: [Int64] = []
            times.reserveCapacity(samples.count)
            var t = recording.start90k
            for s in samples { times.append(t); t += Int64(s.duration) }
            var first = 0
            if segments.isEmpty {
                // The key frame at or before `start`.
                if let i = times.lastIndex(where: { $0 <= start }) {
                    first = (0...i).last(where: { samples[$0].isKeyFrame }) ?? 0
                    trimStart = max(0, start - times[first])
                } else {
                    first = samples.firstIndex(where: \.isKeyFrame) ?? 0
                }
            }
            let last = (times.lastIndex(where: { $0 < end }) ?? -1)
            guard last >= first else { continue }
            let chosen = Array(samples[first...last])
            tailOver = max(0, times[last] + Int64(samples[last].duration) - end)
            let offset = samples[..<first].reduce(Int64(0)) { $0 + Int64($1.size) }
            let parameters: VideoParameters
            if let cached = parameterCache[recording.sampleEntryID] { parameters = cached } else {
                guard let entry = try await store.sampleEntry(id: recording.sampleEntryID),
                      let p = try? VideoParameters(codec: entry.codec, parameterSets: entry.parameterSets) else {
                    skipped.append(recording.id)
                    continue
                }
                parameterCache[recording.sampleEntryID] = p
                parameters = p
            }
            let segment = MP4Segment(parameters: parameters, samples: chosen, source: sources.count)
            sources.append(ExportFile.Source(path: path, offset: offset, length: segment.dataLength))
            segments.append(segment)
            hash.add("\(recording.id):\(recording.frames):\(recording.bytes):\(first):\(last)")
        }
        guard !segments.isEmpty else {
            let reason = skipped.isEmpty ? "" : " (\(skipped.count) damaged recording(s) left out)"
            throw ProblemDetails(status: .notFound, title: "No video", detail: "camera \(camera) has no recorded video between \(Time90k.format(start)) and \(Time90k.format(end))\(reason)")
        }
        let media = segments.reduce(Int64(0)) { total, s in total + s.samples.reduce(Int64(0)) { $0 + Int64($1.duration) } }
        let mp4 = try VirtualMP4(segments: segments, trimStart90k: trimStart, trimmedDuration90k: max(1, media - trimStart - tailOver), creationTime: start / 90_000)
        return ExportFile(mp4: mp4, sources: sources, etag: "\"\(hash.hex)\"", skipped: skipped, segments: segments, creationTime: start / 90_000)
    }
}

/// 64-bit FNV-1a: a stable, cheap fingerprint for ETags (not a security measure).
struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for b in text.utf8 {
            value ^= UInt64(b)
            value = value &* 0x100_0000_01b3
        }
    }
    var hex: String { String(value, radix: 16) }
}

/// Exports already laid out, so that the many Range and HEAD requests of one playback build the
/// range's index once (issue 15) instead of once per request.
///
/// Only ranges that ended at least `settledSeconds` ago are kept (a range at the live edge still
/// grows), for ``lifetime``, at most ``capacity`` of them; a hit whose sample files are no longer
/// all there (retention deleted one) is built again.
final class ExportCache: Sendable {
    static let lifetime: Duration = .seconds(120)
    static let capacity = 64
    /// How long ago a range must have ended to be kept: later commits only append after it.
    let settledSeconds: Int64

    init(settledSeconds: Int64 = 30) { self.settledSeconds = settledSeconds }

    private let entries = Mutex<[String: (file: ExportFile, made: ContinuousClock.Instant)]>([:])
    private let counts = Mutex<(hits: Int, builds: Int)>((0, 0))

    func file(camera: Int64, start: Int64, end: Int64, now90k: Int64, build: () async throws -> ExportFile) async throws -> ExportFile {
        let key = "\(camera):\(start):\(end)"
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), now - hit.made < Self.lifetime,
           hit.file.sources.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) {
            counts.withLock { $0.hits += 1 }
            return hit.file
        }
        let file = try await build()
        counts.withLock { $0.builds += 1 }
        guard end <= now90k - settledSeconds * 90_000 else { return file }
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { now - $0.value.made < Self.lifetime }
                if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.made < $1.value.made })?.key { entries.removeValue(forKey: oldest) }
            }
            entries[key] = (file, now)
        }
        return file
    }

    /// Requests answered from the cache and indexes built, for tests and metrics.
    var statistics: (hits: Int, builds: Int) { counts.withLock { $0 } }
}
