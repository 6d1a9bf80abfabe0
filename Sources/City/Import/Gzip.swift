import CZlib

/// Inflates gzip and zlib data with zlib, with a bound on what comes out: a file of a few
/// kilobytes can claim gigabytes (a "zip bomb"), so inflating stops with an ``ImportError`` as
/// soon as the output would pass the limit, before it is allocated.
enum Gzip {
    enum Format {
        /// A gzip file (`.osm.gz`); concatenated members (as `cat a.gz b.gz` makes) are joined.
        case gzip
        /// One zlib stream (RFC 1950), as in the `zlib_data` of an OSM PBF block.
        case zlib
    }

    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// The decompressed bytes of a gzip file, at most `limit` of them.
    static func decompress(_ input: [UInt8], limit: Int) throws(ImportError) -> [UInt8] {
        try inflate(input[...], format: .gzip, limit: limit, element: "gzip")
    }

    /// Inflates `input`; more than `limit` bytes of output is an error naming `element`.
    static func inflate(_ input: ArraySlice<UInt8>, format: Format, limit requested: Int, element: String) throws(ImportError) -> [UInt8] {
        // Whatever a caller passes: one more than the limit must still be a valid size.
        let limit = max(0, min(requested, 1 << 62))
        guard input.count <= Int(UInt32.max) else {
            throw ImportError(element: element, reason: "\(input.count) bytes of compressed data; zlib reads at most 4 GiB at once")
        }
        var stream = z_stream()
        // 15: the largest window; + 32 lets zlib read the gzip header itself.
        let windowBits: Int32 = format == .gzip ? 15 + 32 : 15
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ImportError(element: element, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, input.count * 8))
        // One byte more than the limit allows, so that passing it is seen without inflating further.
        var chunk = [UInt8](repeating: 0, count: min(1 << 18, limit + 1))
        let result: ImportError? = input.withUnsafeBufferPointer { inBuf -> ImportError? in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            while true {
                let room = min(chunk.count, limit + 1 - output.count)
                let status = chunk.withUnsafeMutableBufferPointer { outBuf -> Int32 in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(room)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = room - Int(stream.avail_out)
                if output.count + produced > limit {
                    return ImportError(element: element, reason: "inflates to more than \(describeSize(limit)), the limit of an import")
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END {
                    guard format == .gzip, stream.avail_in != 0 else { return nil }
                    guard inflateReset(&stream) == Z_OK else { return ImportError(element: element, reason: "cannot read the next gzip member") }
                    continue
                }
                // The output always has room, so no progress (Z_BUF_ERROR) means the input ran out.
                if status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
                    return ImportError(element: element, reason: "unexpected end of compressed data")
                }
                guard status == Z_OK else {
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    return ImportError(element: element, reason: "corrupt data at byte \(Int(stream.total_in)): \(message)")
                }
            }
        }
        if let result { throw result }
        return output
    }

    /// `1 GiB`, `32 MiB`, `1000 bytes`.
    static func describeSize(_ bytes: Int) -> String {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
