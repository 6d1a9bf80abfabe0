/// Blacks out privacy masks in pictures: for live view, playback and exports (for anyone without
/// the right to see behind them; the caller decides who) and for event thumbnails (always).
///
/// Masks are rasterised once per resolution and reused. Works on 8-bit planar YUV 4:2:0 (what the
/// decoders produce) or on a luma plane alone.
public struct PrivacyMasker: Sendable {
    public let polygons: [ZonePolygon]
    /// Black in limited-range video (Y = 16, U = V = 128).
    public static let blackLuma: UInt8 = 16
    public static let neutralChroma: UInt8 = 128

    public init(zones: [Zone]) {
        polygons = zones.filter { $0.kind == .privacy }.map(\.polygon)
    }

    public init(polygons: [ZonePolygon]) {
        self.polygons = polygons
    }

    /// The pixels to black out at a resolution.
    public func mask(width: Int, height: Int) -> PixelMask {
        var mask = PixelMask(width: width, height: height)
        for p in polygons { mask.insert(p) }
        return mask
    }

    /// Blacks out the masks in a luma plane of `width × height` with rows `stride` bytes apart.
    public func apply(luma: UnsafeMutablePointer<UInt8>, width: Int, height: Int, stride: Int) {
        guard !polygons.isEmpty else { return }
        let m = mask(width: width, height: height)
        Self.fill(luma, stride: stride, mask: m, value: Self.blackLuma)
    }

    /// Blacks out the masks in a YUV 4:2:0 picture (chroma planes at half resolution, rounded up).
    public func apply(y: UnsafeMutablePointer<UInt8>, yStride: Int, u: UnsafeMutablePointer<UInt8>, uStride: Int,
                      v: UnsafeMutablePointer<UInt8>, vStride: Int, width: Int, height: Int) {
        guard !polygons.isEmpty else { return }
        Self.fill(y, stride: yStride, mask: mask(width: width, height: height), value: Self.blackLuma)
        let chroma = mask(width: (width + 1) / 2, height: (height + 1) / 2)
        Self.fill(u, stride: uStride, mask: chroma, value: Self.neutralChroma)
        Self.fill(v, stride: vStride, mask: chroma, value: Self.neutralChroma)
    }

    /// The masks of a YUV 4:2:0 picture, rasterised once for a resolution (a transcoder keeps them
    /// for every frame of a stream).
    public struct Planes: Sendable {
        public let width: Int
        public let height: Int
        let luma: PixelMask
        let chroma: PixelMask
        /// Rows with at least one masked pixel, so that the others are not walked.
        let lumaRows: [Int]
        let chromaRows: [Int]
    }

    public func planes(width: Int, height: Int) -> Planes {
        let luma = mask(width: width, height: height), chroma = mask(width: (width + 1) / 2, height: (height + 1) / 2)
        func rows(_ m: PixelMask) -> [Int] { (0..<m.height).filter { y in m.bits[(y * m.width)..<((y + 1) * m.width)].contains(1) } }
        return Planes(width: width, height: height, luma: luma, chroma: chroma, lumaRows: rows(luma), chromaRows: rows(chroma))
    }

    /// Blacks out rasterised masks in a YUV 4:2:0 picture of `planes.width × planes.height`.
    public static func apply(_ planes: Planes, y: UnsafeMutablePointer<UInt8>, yStride: Int, u: UnsafeMutablePointer<UInt8>, uStride: Int,
                             v: UnsafeMutablePointer<UInt8>, vStride: Int) {
        fill(y, stride: yStride, mask: planes.luma, rows: planes.lumaRows, value: blackLuma)
        fill(u, stride: uStride, mask: planes.chroma, rows: planes.chromaRows, value: neutralChroma)
        fill(v, stride: vStride, mask: planes.chroma, rows: planes.chromaRows, value: neutralChroma)
    }

    static func fill(_ plane: UnsafeMutablePointer<UInt8>, stride: Int, mask: PixelMask, rows: [Int], value: UInt8) {
        mask.bits.withUnsafeBufferPointer { bits in
            for y in rows {
                let row = plane + y * stride
                let m = bits.baseAddress! + y * mask.width
                for x in 0..<mask.width where m[x] != 0 { row[x] = value }
            }
        }
    }

    /// Blacks out the masks in an analysis picture.
    public func apply(to frame: inout LumaFrame) {
        guard !polygons.isEmpty else { return }
        let (w, h) = (frame.width, frame.height)
        frame.pixels.withUnsafeMutableBufferPointer { apply(luma: $0.baseAddress!, width: w, height: h, stride: w) }
    }

    static func fill(_ plane: UnsafeMutablePointer<UInt8>, stride: Int, mask: PixelMask, value: UInt8) {
        mask.bits.withUnsafeBufferPointer { bits in
            for y in 0..<mask.height {
                let row = plane + y * stride
                let m = bits.baseAddress! + y * mask.width
                for x in 0..<mask.width where m[x] != 0 { row[x] = value }
            }
        }
    }
}
