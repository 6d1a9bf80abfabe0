import Analytics
import Catalog
import Footage
import Foundation
import Media
import Motion
import NIOPosix

/// Playback and exports for users who may not see behind privacy masks: the planned range
/// (``ExportPlanner``) decoded, blacked out and re-encoded into a file in `masked-cache/`, then
/// served like any other ``ExportFile`` (HEAD, Range, ETag) — docs/motion.md, "Privacy masks".
///
/// - A player asks for many byte ranges of one file: the transcode is made once and kept (the
///   newest `maxFiles`, in a folder emptied at start-up); requests for a file being made wait for it.
/// - Transcoding is CPU-bound and runs on NIO's blocking thread pool, at most `maxConcurrent` at a
///   time, so that it never takes the threads that serve requests or record cameras.
/// - Ranges longer than `maxSeconds` are refused (the cost grows with the length).
actor MaskedExports {
    let directory: String
    let maxFiles: Int
    let maxConcurrent: Int
    static let maxSeconds: Int64 = 3600
    let options = PrivacyTranscoder.Options.export

    private var files: [String: (file: ExportFile, lastUse: ContinuousClock.Instant)] = [:]
    private var building: [String: Task<ExportFile, any Error>] = [:]
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Transcodes made (not served from the cache), for tests and status.
    private(set) var made = 0

    init(directory: String, maxFiles: Int = 16, maxConcurrent: Int = 1) {
        self.directory = directory
        self.maxFiles = maxFiles
        self.maxConcurrent = maxConcurrent
        // Files of an earlier run are not known to this one.
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The masked version of `original`, made now or taken from the cache.
    func masked(_ original: ExportFile, masker: PrivacyMasker) async throws -> ExportFile {
        let duration = original.mp4.duration90k
        guard duration <= Self.maxSeconds * 90_000 else {
            throw ProblemDetails.validation([FieldError(field: "end", message: "footage with privacy masks is re-encoded for you; ask for at most \(Self.maxSeconds / 60) minutes at a time")])
        }
        var hash = FNV1a()
        hash.add("masked-v1:\(original.etag):\(masker.fingerprint):\(options.preset):\(options.crf)")
        let key = hash.hex
        if let cached = files[key] {
            files[key]?.lastUse = .now
            return cached.file
        }
        if let task = building[key] { return try await task.value }
        let path = directory + "/\(key).mp4"
        let options = self.options
        let task = Task<ExportFile, any Error> {
            await self.acquire()
            // Footage on another node of the cluster is copied here first (the transcode reads
            // sample files with blocking calls), and the copy goes once the transcode is made.
            let copied = path + ".source"
            defer { try? FileManager.default.removeItem(atPath: copied) }
            do {
                let local = try await original.localized(into: copied)
                let file = try await NIOThreadPool.singleton.runIfActive {
                    try Self.transcode(local, masker: masker, options: options, to: path, etag: "\"m\(key)\"")
                }
                self.release()
                return file
            } catch {
                self.release()
                throw error
            }
        }
        building[key] = task
        defer { building[key] = nil }
        let file = try await task.value
        made += 1
        files[key] = (file, .now)
        evict()
        return file
    }

    private func evict() {
        while files.count > maxFiles, let oldest = files.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            files[oldest.key] = nil
            for source in Set(oldest.value.file.sources.map(\.path)) { try? FileManager.default.removeItem(atPath: source) }
        }
    }

    private func acquire() async {
        if running < maxConcurrent {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }

    /// Decodes every planned segment from its sample file, masks and re-encodes it into `path`,
    /// and lays the result out with the original's edit list (same start, same duration).
    static func transcode(_ original: ExportFile, masker: PrivacyMasker, options: PrivacyTranscoder.Options, to path: String, etag: String) throws -> ExportFile {
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw ProblemDetails(status: .internalServerError, detail: "could not create a masked file in the cache folder")
        }
        defer { try? out.close() }
        var segments: [MP4Segment] = []
        var sources: [ExportFile.Source] = []
        var offset: Int64 = 0
        for segment in original.segments where !segment.samples.isEmpty {
            let source = original.sources[segment.source]
            guard let input = FileHandle(forReadingAtPath: source.path) else {
                throw ProblemDetails(status: .internalServerError, detail: "a sample file disappeared while being masked")
            }
            defer { try? input.close() }
            try input.seek(toOffset: UInt64(source.offset))
            let transcoder = try PrivacyTranscoder(source: segment.parameters, masker: masker, options: options)
            var units: [AccessUnit] = []
            var decodeTime: Int64 = 0
            for sample in segment.samples {
                guard let data = try input.read(upToCount: Int(sample.size)), data.count == Int(sample.size) else {
                    throw ProblemDetails(status: .internalServerError, detail: "a sample file is shorter than its index")
                }
                let pts = decodeTime + Int64(sample.compositionOffset)
                decodeTime += Int64(sample.duration)
                let unit = AccessUnit(timestamp: pts, rtpTimestamp: UInt32(truncatingIfNeeded: pts), isKeyFrame: sample.isKeyFrame,
                                      nalUnits: try AVCCFormat.split([UInt8](data)))
                do { units += try transcoder.transcode(unit) } catch {
                    // A damaged picture costs the rest of its GOP, as in analysis.
                    continue
                }
            }
            units += try transcoder.finish()
            guard let parameters = transcoder.outputParameters, !units.isEmpty else { continue }
            // The output has no B-frames: each picture lasts until the next one's presentation time.
            let lastDuration = Int64(segment.samples.last!.duration)
            var samples: [MP4Sample] = []
            var bytes: [UInt8] = []
            for (i, unit) in units.enumerated() {
                let duration = i + 1 < units.count ? units[i + 1].timestamp - unit.timestamp : lastDuration
                let before = bytes.count
                AVCCFormat.append(unit.nalUnits, to: &bytes)
                samples.append(MP4Sample(duration: UInt32(clamping: max(1, duration)), size: UInt32(bytes.count - before), isKeyFrame: unit.isKeyFrame))
            }
            try out.write(contentsOf: Data(bytes))
            let masked = MP4Segment(parameters: parameters, samples: samples, source: sources.count)
            sources.append(ExportFile.Source(path: path, offset: offset, length: masked.dataLength))
            segments.append(masked)
            offset += Int64(bytes.count)
        }
        guard !segments.isEmpty else {
            throw ProblemDetails(status: .internalServerError, detail: "no picture of the range could be decoded to mask it")
        }
        let media = segments.reduce(Int64(0)) { total, s in total + s.samples.reduce(Int64(0)) { $0 + Int64($1.duration) } }
        let trim = min(original.mp4.trimStart90k, max(0, media - 1))
        let mp4 = try VirtualMP4(segments: segments, trimStart90k: trim, trimmedDuration90k: max(1, min(original.mp4.duration90k, media - trim)),
                                 creationTime: original.creationTime)
        return ExportFile(mp4: mp4, sources: sources, etag: etag, skipped: original.skipped, segments: segments, creationTime: original.creationTime)
    }
}
