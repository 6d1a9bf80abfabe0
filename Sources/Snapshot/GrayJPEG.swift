import CTurboJPEG

/// Decodes a JPEG to its grey (luma) plane, lets a caller change it, and encodes it again: how a
/// motion thumbnail made before a privacy zone existed is masked when it is served (the
/// thumbnails are luma pictures, so nothing is lost by going through grey).
public enum GrayJPEG {
    /// The redrawn JPEG; `edit` gets the plane, its width, height and stride.
    public static func redraw(_ jpeg: [UInt8], quality: Int = 80,
                              edit: (UnsafeMutablePointer<UInt8>, Int, Int, Int) -> Void) throws(SnapshotError) -> [UInt8] {
        guard let decompressor = tjInitDecompress() else { throw SnapshotError("libturbojpeg did not start") }
        defer { tjDestroy(decompressor) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let header = jpeg.withUnsafeBufferPointer { tjDecompressHeader3(decompressor, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colourspace) }
        guard header == 0, width > 0, height > 0, width <= 8192, height <= 8192 else { throw SnapshotError("the stored thumbnail is not a readable JPEG") }
        let w = Int(width), h = Int(height)
        var plane = [UInt8](repeating: 0, count: w * h)
        let decoded = plane.withUnsafeMutableBufferPointer { out in
            jpeg.withUnsafeBufferPointer { tjDecompress2(decompressor, $0.baseAddress, UInt($0.count), out.baseAddress, width, Int32(w), height, Int32(TJPF_GRAY.rawValue), 0) }
        }
        guard decoded == 0 else { throw SnapshotError("the stored thumbnail could not be decoded") }
        plane.withUnsafeMutableBufferPointer { edit($0.baseAddress!, w, h, w) }
        guard let compressor = tjInitCompress() else { throw SnapshotError("libturbojpeg did not start") }
        defer { tjDestroy(compressor) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let encoded = plane.withUnsafeBufferPointer {
            tjCompress2(compressor, $0.baseAddress, width, Int32(w), height, Int32(TJPF_GRAY.rawValue), &buffer, &size, Int32(TJSAMP_GRAY.rawValue), Int32(quality), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard encoded == 0, let buffer else { throw SnapshotError("the masked thumbnail could not be encoded") }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
