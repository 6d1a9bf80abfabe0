import CZlib

/// Inflates gzip data with zlib, so `.osm.gz` files import without a separate step.
enum Gzip {
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// The decompressed bytes; concatenated gzip members (as `cat a.gz b.gz` makes) are joined.
    static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: largest window, and let zlib detect the gzip header itself.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ImportError(element: "gzip", reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 8)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        try input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { outBuf -> Int32 in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if status == Z_STREAM_END {
                    if stream.avail_in == 0 { return }
                    guard inflateReset(&stream) == Z_OK else { throw ImportError(element: "gzip", reason: "cannot read next member") }
                    continue
                }
                guard status == Z_OK else {
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw ImportError(element: "gzip", reason: "corrupt data at byte \(Int(stream.total_in)): \(message)")
                }
                if stream.avail_in == 0 && stream.avail_out != 0 {
                    throw ImportError(element: "gzip", reason: "unexpected end of compressed data")
                }
            }
        }
        return output
    }
}
