import Catalog
import Foundation
import Media

/// Chooses what goes into an export, following docs/storage.md:
/// - it starts at the key frame at or before `start`, with an edit list so playback shows `start` first;
/// - it spans as many sample files as the range needs;
/// - gaps between runs are not filled: the recorded parts play back to back, and
///   `GET …/recordings` tells where the gaps are;
/// - recordings whose sample file is missing or shorter than the index are left out and named in
///   the `X-Aula-Skipped-Recordings` header.
public struct ExportPlanner: Sendable {
    let store: any RecordingStore
    let layout: SampleFileLayout
    let damaged: [Int64: String]
    /// Reads recordings that another node of the cluster holds (nil with one node alone).
    let peers: (any PeerFootage)?

    public init(store: any RecordingStore, layout: SampleFileLayout, damaged: [Int64: String], peers: (any PeerFootage)? = nil) {
        self.store = store
        self.layout = layout
        self.damaged = damaged
        self.peers = peers
    }

    /// `stream`: the camera's main stream (evidence, and playback unless asked), or its sub
    /// stream when that is recorded too.
    public func plan(camera: Int64, stream: RecordedStream = .main, start: Int64, end: Int64) async throws -> ExportFile {
        let found = try await store.recordings(camera: camera, stream: stream, from: start, to: end)
        var segments: [MP4Segment] = []
        var sources: [ExportFile.Source] = []
        var skipped: [Int64] = []
        var trimStart: Int64 = 0
        var tailOver: Int64 = 0
        var parameterCache: [Int64: VideoParameters] = [:]
        var hash = FNV1a()
        hash.add("v\(VirtualMP4.formatVersion):\(camera):\(start):\(end)" + (stream == .main ? "" : ":\(stream.name)"))
        var reachable: [String: Bool] = [:]
        /// Decode times of the samples of the last segment, and its run.
        var previous: (run: Int64, times: [Int64])?
        for recording in found {
            let path = layout.path(camera: camera, recording: recording.id)
            if recording.node.isEmpty {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
                if damaged[recording.id] != nil || size == nil || size! < recording.bytes {
                    skipped.append(recording.id)
                    continue
                }
            } else {
                // On another node: left out (and named) when that node is not alive; the node
                // itself refuses bytes its file does not have when they are read.
                if reachable[recording.node] == nil { reachable[recording.node] = await peers?.reachable(node: recording.node) ?? false }
                guard reachable[recording.node] == true else {
                    skipped.append(recording.id)
                    continue
                }
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
            // Two nodes recorded the same moments: at a hand-over the new owner starts before the
            // old one stops (make-before-break, docs/cluster.md). The earlier recording then ends
            // where this one starts (with its key frame), so that no moment plays twice.
            if let prev = previous, prev.run != recording.runID, var earlier = segments.last,
               let overlapAt = prev.times.firstIndex(where: { $0 >= times[first] }) {
                guard overlapAt > 0 else { continue }
                earlier = MP4Segment(parameters: earlier.parameters, samples: Array(earlier.samples.prefix(overlapAt)), source: earlier.source)
                segments[segments.count - 1] = earlier
                sources[sources.count - 1].length = earlier.dataLength
            }
            let chosen = Array(samples[first...last])
            previous = (recording.runID, Array(times[first...last]))
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
            sources.append(ExportFile.Source(path: path, offset: offset, length: segment.dataLength, node: recording.node, camera: camera, recording: recording.id))
            segments.append(segment)
            hash.add("\(recording.id):\(recording.frames):\(recording.bytes):\(first):\(last)")
        }
        guard !segments.isEmpty else {
            throw FootageError.noVideo(camera: camera, start90k: start, end90k: end, damagedLeftOut: skipped.count)
        }
        let media = segments.reduce(Int64(0)) { total, s in total + s.samples.reduce(Int64(0)) { $0 + Int64($1.duration) } }
        let mp4 = try VirtualMP4(segments: segments, trimStart90k: trimStart, trimmedDuration90k: max(1, media - trimStart - tailOver), creationTime: start / 90_000)
        var file = ExportFile(mp4: mp4, sources: sources, etag: "\"\(hash.hex)\"", skipped: skipped, segments: segments, creationTime: start / 90_000)
        file.peers = peers
        return file
    }
}
