import CTurboJPEG

extension GrayJPEG {
    /// The size of a JPEG that decodes whole (read at an eighth of its size, which checks every
    /// block without the memory of the full picture), or nil for anything else: not a JPEG, cut
    /// short, corrupt, or larger than `maximumSide` pixels on a side.
    public static func readableSize(_ jpeg: [UInt8], maximumSide: Int = 8192) -> (width: Int, height: Int)? {
        guard jpeg.count >= 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8, let decompressor = tjInitDecompress() else { return nil }
        defer { tjDestroy(decompressor) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let header = jpeg.withUnsafeBufferPointer { tjDecompressHeader3(decompressor, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colourspace) }
        guard header == 0, width > 0, height > 0, Int(width) <= maximumSide, Int(height) <= maximumSide else { return nil }
        let w = (Int(width) + 7) / 8, h = (Int(height) + 7) / 8
        var plane = [UInt8](repeating: 0, count: w * h)
        let decoded = plane.withUnsafeMutableBufferPointer { out in
            jpeg.withUnsafeBufferPointer {
                tjDecompress2(decompressor, $0.baseAddress, UInt($0.count), out.baseAddress, Int32(w), Int32(w), Int32(h), Int32(TJPF_GRAY.rawValue), Int32(TJFLAG_STOPONWARNING))
            }
        }
        // A stream cut short decodes with a warning (grey where the data ended): refused too.
        guard decoded == 0 else { return nil }
        return (Int(width), Int(height))
    }
}
