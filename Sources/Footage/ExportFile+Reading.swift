import NIOCore
import NIOFileSystem

extension ExportFile {
    /// The one reader of recorded video: calls `body` with the bytes of `range` of the .mp4 in
    /// order, in chunks of at most `chunk` bytes: the generated header from memory, the samples
    /// from their sample files through SwiftNIO's file system, which reads on its own threads, so
    /// that neither an event loop nor the cooperative pool ever waits on the disk. No clip is
    /// held whole in memory. Playback (Range requests), exports and evidence packages use it.
    /// Sources on another node of the cluster are read from it through ``peers``.
    public func forEachChunk(in range: Range<Int>? = nil, chunk: Int = 256 * 1024, _ body: (ByteBuffer) async throws -> Void) async throws {
        let header = mp4.header
        for part in mp4.parts(in: range ?? 0..<mp4.totalSize) {
            switch part {
            case .header(let r):
                try await body(ByteBuffer(bytes: header[r]))
            case .segment(let index, let r):
                let source = sources[index]
                let start = source.offset + Int64(r.lowerBound), end = source.offset + Int64(r.upperBound)
                var read: Int64 = 0
                if !source.node.isEmpty {
                    guard let peers else { throw FootageError.missing(path: "\(source.node):\(source.path)") }
                    try await peers.read(node: source.node, camera: source.camera, recording: source.recording, range: start..<end) { buffer in
                        read += Int64(buffer.readableBytes)
                        try await body(buffer)
                    }
                    guard read == end - start else { throw FootageError.short(path: "\(source.node):\(source.path)") }
                    continue
                }
                do {
                    try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(source.path)) { handle in
                        for try await buffer in handle.readChunks(in: start..<end, chunkLength: .bytes(Int64(chunk))) {
                            read += Int64(buffer.readableBytes)
                            try await body(buffer)
                        }
                    }
                } catch let error as FileSystemError where error.code == .notFound {
                    throw FootageError.missing(path: source.path)
                }
                guard read == end - start else { throw FootageError.short(path: source.path) }
            }
        }
    }
}

extension ExportFile {
    /// The same file with every source on another node copied into the local file `path` first
    /// (for work that reads sample files with blocking calls, such as a masked transcode).
    public func localized(into path: String) async throws -> ExportFile {
        guard sources.contains(where: { !$0.node.isEmpty }) else { return self }
        var copy = self
        try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: true)) { handle in
            var offset: Int64 = 0
            for (i, source) in sources.enumerated() where !source.node.isEmpty {
                guard let peers else { throw FootageError.missing(path: "\(source.node):\(source.path)") }
                let start = offset
                try await peers.read(node: source.node, camera: source.camera, recording: source.recording,
                                     range: source.offset..<(source.offset + Int64(source.length))) { buffer in
                    try await handle.write(contentsOf: buffer, toAbsoluteOffset: offset)
                    offset += Int64(buffer.readableBytes)
                }
                guard offset - start == Int64(source.length) else { throw FootageError.short(path: "\(source.node):\(source.path)") }
                copy.sources[i] = Source(path: path, offset: start, length: source.length)
            }
        }
        return copy
    }
}
