import Foundation

extension ExportFile {
    /// Calls `body` with the whole .mp4 in order, in chunks of at most `chunk` bytes, reading the
    /// sample files as it goes so that no clip is held whole in memory.
    func forEachChunk(chunk: Int = 256 * 1024, _ body: ([UInt8]) async throws -> Void) async throws {
        let header = mp4.header
        for part in mp4.parts(in: 0..<mp4.totalSize) {
            switch part {
            case .header(let r):
                try await body(Array(header[r]))
            case .segment(let index, let r):
                let source = sources[index]
                guard let handle = FileHandle(forReadingAtPath: source.path) else {
                    throw ProblemDetails(status: .internalServerError, detail: "a sample file disappeared while being exported")
                }
                defer { try? handle.close() }
                try handle.seek(toOffset: UInt64(source.offset) + UInt64(r.lowerBound))
                var position = r.lowerBound
                while position < r.upperBound {
                    let n = min(chunk, r.upperBound - position)
                    guard let data = try handle.read(upToCount: n), data.count == n else {
                        throw ProblemDetails(status: .internalServerError, detail: "a sample file is shorter than its index")
                    }
                    try await body([UInt8](data))
                    position += n
                }
            }
        }
    }
}
