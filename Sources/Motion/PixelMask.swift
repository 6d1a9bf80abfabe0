/// A polygon rasterised onto a pixel grid: `true` where the pixel's centre lies inside.
///
/// Zones are stored normalised and rasterised once per resolution (the analysis grid, a decoded
/// frame, an export), so the per-frame work is a lookup.
public struct PixelMask: Sendable, Hashable {
    public let width: Int
    public let height: Int
    /// Row-major, 1 inside, 0 outside.
    public private(set) var bits: [UInt8]

    public init(width: Int, height: Int, filled: Bool = false) {
        self.width = width
        self.height = height
        bits = [UInt8](repeating: filled ? 1 : 0, count: width * height)
    }

    /// Rasterises `polygon` by scanlines through pixel centres.
    public init(_ polygon: ZonePolygon, width: Int, height: Int) {
        self.init(width: width, height: height)
        insert(polygon)
    }

    /// Sets the pixels inside `polygon`.
    public mutating func insert(_ polygon: ZonePolygon) {
        fill(polygon, value: 1)
    }

    /// Clears the pixels inside `polygon`.
    public mutating func remove(_ polygon: ZonePolygon) {
        fill(polygon, value: 0)
    }

    private mutating func fill(_ polygon: ZonePolygon, value: UInt8) {
        let pts = polygon.points.map { (x: $0.x * Double(width), y: $0.y * Double(height)) }
        var crossings: [Double] = []
        for row in 0..<height {
            let cy = Double(row) + 0.5
            crossings.removeAll(keepingCapacity: true)
            var j = pts.count - 1
            for i in pts.indices {
                let a = pts[i], b = pts[j]
                if (a.y > cy) != (b.y > cy) {
                    crossings.append(a.x + (cy - a.y) / (b.y - a.y) * (b.x - a.x))
                }
                j = i
            }
            crossings.sort()
            var k = 0
            while k + 1 < crossings.count {
                // Pixel centres x + 0.5 in [left, right).
                let first = max(0, Int((crossings[k] - 0.5).rounded(.up)))
                let last = min(width - 1, Int((crossings[k + 1] - 0.5).rounded(.up)) - 1)
                if first <= last { for x in first...last { bits[row * width + x] = value } }
                k += 2
            }
        }
    }

    /// Pixels set.
    public var count: Int { bits.reduce(0) { $0 + Int($1) } }

    public subscript(x: Int, y: Int) -> Bool { bits[y * width + x] != 0 }
}
