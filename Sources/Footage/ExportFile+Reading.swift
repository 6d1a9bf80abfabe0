import NIOCore
import NIOFileSystem

extension ExportFile {
    /// The one reader of recorded video: calls `body` with the bytes of `range` of the .mp4 in
    /// order, in chunks of at most `chunk` bytes: the generated header from memory, the samples
    /// from their sample files through SwiftNIO's file system, which reads on its own threads, so
    /// that neither an event loop nor the cooperative pool ever waits on the disk. No clip is
    /// held whole in memory. Playback (Range requests), exports and evidence packages use it.
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
