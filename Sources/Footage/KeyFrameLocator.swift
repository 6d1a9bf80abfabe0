import Catalog
import Foundation
import Media
import NIOCore
import NIOFileSystem

/// One recorded key frame: where its bytes are, the parameters to decode it, and when it was
/// recorded. Playback's preview pictures (`frame.jpg?at=`) are made from these: a key frame needs no
/// other picture, so the cost of a preview is one read and one decode whatever the moment.
public struct RecordedKeyFrame: Sendable {
    /// The frame's wall time (decode time), 90 kHz ticks since the epoch.
    public var time90k: Int64
    public var parameters: VideoParameters
    /// Its bytes in the recording's sample file (length-prefixed NAL units, as stored).
    public var source: ExportFile.Source
    var peers: (any PeerFootage)?

    /// The access unit, read from the sample file (or from the node that holds it).
    public func accessUnit() async throws -> AccessUnit {
        let range = source.offset..<(source.offset + Int64(source.length))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.length)
        if !source.node.isEmpty {
            guard let peers else { throw FootageError.missing(path: "\(source.node):\(source.path)") }
            try await peers.read(node: source.node, camera: source.camera, recording: source.recording, range: range) { bytes += $0.readableBytesView }
        } else {
            do {
                try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(source.path)) { handle in
                    for try await buffer in handle.readChunks(in: range, chunkLength: .bytes(256 * 1024)) { bytes += buffer.readableBytesView }
                }
            } catch let error as FileSystemError where error.code == .notFound {
                throw FootageError.missing(path: source.path)
            }
        }
        guard bytes.count == source.length else { throw FootageError.short(path: source.path) }
        let nalUnits: [[UInt8]]
        do { nalUnits = try AVCCFormat.split(bytes) } catch { throw FootageError.short(path: source.path) }
        return AccessUnit(timestamp: 0, rtpTimestamp: 0, isKeyFrame: true, nalUnits: nalUnits)
    }
}

extension ExportPlanner {
    /// The key frame at or before `at` in the recording that holds `at`. A moment in a gap has no
    /// picture (``FootageError/noVideo``): showing the last picture before an outage as if it were
    /// the courtyard at that moment would mislead, and the timeline already says where the gaps are.
    /// Damaged recordings and those on a node that is not alive are left out, as in exports.
    public func keyFrame(camera: Int64, stream: RecordedStream = .main, at: Int64) async throws -> RecordedKeyFrame {
        let found = try await store.recordings(camera: camera, stream: stream, from: at, to: at + 1)
        var damagedLeftOut = 0
        // The newest recording holding `at` (two may overlap at a cluster's hand-over).
        for recording in found.reversed() where recording.start90k <= at {
            let path = layout.path(camera: camera, recording: recording.id)
            if recording.node.isEmpty {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
                guard damaged[recording.id] == nil, let size, size >= recording.bytes else { damagedLeftOut += 1; continue }
            } else if await peers?.reachable(node: recording.node) != true {
                damagedLeftOut += 1
                continue
            }
            guard let samples = try? SampleIndex.decode(recording.index, hasCompositionOffsets: recording.hasCompositionOffsets),
                  let entry = try await store.sampleEntry(id: recording.sampleEntryID),
                  let parameters = try? VideoParameters(codec: entry.codec, parameterSets: entry.parameterSets) else {
                damagedLeftOut += 1
                continue
            }
            var time = recording.start90k, offset: Int64 = 0
            var chosen: (time: Int64, offset: Int64, size: Int)?
            for sample in samples {
                if time > at { break }
                if sample.isKeyFrame { chosen = (time, offset, Int(sample.size)) }
                time += Int64(sample.duration)
                offset += Int64(sample.size)
            }
            guard let chosen else { continue }
            return RecordedKeyFrame(time90k: chosen.time, parameters: parameters,
                                    source: ExportFile.Source(path: path, offset: chosen.offset, length: chosen.size, node: recording.node,
                                                              camera: camera, recording: recording.id),
                                    peers: peers)
        }
        throw FootageError.noVideo(camera: camera, start90k: at, end90k: at, damagedLeftOut: damagedLeftOut)
    }
}
