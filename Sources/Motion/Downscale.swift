/// Box-filter downscaling of a luma plane by an integer factor.
///
/// Averaging `factor × factor` blocks is both the cheapest scaler and a low-pass filter: it divides
/// the standard deviation of independent sensor noise by `factor`, which is what a background model
/// wants. Integer factors keep it exact and branch-free; the analysis width is therefore
/// `width / factor`, the factor chosen so that it is closest to the wanted width.
enum Downscale {
    /// The integer factor that brings `width` closest to `targetWidth` (at least 1).
    static func factor(width: Int, targetWidth: Int) -> Int {
        guard targetWidth > 0, width > targetWidth else { return 1 }
        let lower = width / targetWidth
        let upper = lower + 1
        return abs(width / lower - targetWidth) <= abs(width / upper - targetWidth) ? lower : upper
    }

    /// Averages blocks of `src` (stride `stride`) into a `width / factor × height / factor` plane.
    static func luma(_ src: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, factor: Int) -> (width: Int, height: Int, pixels: [UInt8]) {
        let ow = width / factor, oh = height / factor
        let area = UInt32(factor * factor)
        let half = area / 2
        var sums = [UInt32](repeating: 0, count: ow)
        let out = [UInt8](unsafeUninitializedCapacity: ow * oh) { buffer, count in
            sums.withUnsafeMutableBufferPointer { acc in
                for oy in 0..<oh {
                    for i in 0..<ow { acc[i] = 0 }
                    for r in 0..<factor {
                        let row = src + (oy * factor + r) * stride
                        var x = 0
                        for ox in 0..<ow {
                            var s: UInt32 = 0
                            for k in 0..<factor { s &+= UInt32(row[x + k]) }
                            acc[ox] &+= s
                            x += factor
                        }
                    }
                    let dst = buffer.baseAddress! + oy * ow
                    for ox in 0..<ow { dst[ox] = UInt8(truncatingIfNeeded: (acc[ox] + half) / area) }
                }
            }
            count = ow * oh
        }
        return (ow, oh, out)
    }
}
