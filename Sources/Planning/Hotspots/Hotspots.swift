import City

/// Settings of a hot-spot analysis.
public struct HotspotOptions: Sendable, Hashable, Codable {
    /// Grid cell side, metres.
    public var cellSize: Double = 50
    /// Quartic kernel bandwidth, metres.
    public var bandwidth: Double = 150
    /// Gi* neighbourhood; the default takes the 8 cells around each cell (queen contiguity).
    public var weights: SpatialWeights = .distanceBand(threshold: 75)

    public init(cellSize: Double = 50, bandwidth: Double = 150, weights: SpatialWeights? = nil) {
        self.cellSize = cellSize
        self.bandwidth = bandwidth
        self.weights = weights ?? .distanceBand(threshold: cellSize * 1.5)
    }
}

/// Hot spots of a set of offences on a grid: counts, kernel density and Gi* per cell.
public struct GridHotspots: Sendable, Hashable, Codable {
    public var grid: AnalysisGrid
    public var filter: OffenceFilter
    /// Offences per cell.
    public var counts: [Double]
    public var density: DensitySurface
    public var giStar: [GiStar]
    /// Offences that matched the filter (some may lie outside the grid).
    public var offenceCount: Int
}

/// A piece of street with the offences snapped to it.
public struct StreetSegment: Sendable, Hashable, Codable {
    /// Index into ``CityModel/streets``.
    public var street: Int
    public var name: String?
    public var from: Point
    public var to: Point
    public var count: Double

    public var midpoint: Point { Point(x: (from.x + to.x) / 2, y: (from.y + to.y) / 2) }
}

/// Hot spots along streets: Gi* over street segments, neighbours by the distance between midpoints.
public struct StreetHotspots: Sendable, Hashable, Codable {
    public var segments: [StreetSegment]
    public var giStar: [GiStar]
    /// Offences farther than the snap distance from every street.
    public var unsnapped: Int
}

public enum Hotspots {
    /// Counts, density and Gi* on a grid over `extent` (default: the box of the matching offences
    /// grown by one bandwidth) for the offences that pass `filter`.
    public static func grid(_ offences: [Offence], filter: OffenceFilter = OffenceFilter(), projection: LocalProjection,
                            options: HotspotOptions = HotspotOptions(), extent: BoundingBox? = nil) -> GridHotspots {
        let points = offences.filtered(filter).map { $0.point(in: projection) }
        var box = extent ?? BoundingBox(points: points)
        if extent == nil {
            if points.isEmpty { box = BoundingBox(minX: 0, minY: 0, maxX: options.cellSize, maxY: options.cellSize) }
            box = BoundingBox(minX: box.minX - options.bandwidth, minY: box.minY - options.bandwidth,
                              maxX: box.maxX + options.bandwidth, maxY: box.maxY + options.bandwidth)
        }
        let grid = AnalysisGrid(covering: box, cellSize: options.cellSize)
        let counts = grid.counts(of: points)
        let stats: [GiStar]
        switch options.weights {
        case .distanceBand(let t):
            // Neighbours by grid offsets: city-wide grids have hundreds of thousands of cells.
            stats = GetisOrd.giStar(values: counts, grid: grid, threshold: t)
        case .kNearest:
            stats = GetisOrd.giStar(values: counts, locations: (0..<grid.count).map(grid.centre), weights: options.weights)
        }
        return GridHotspots(grid: grid, filter: filter, counts: counts,
                            density: KernelDensity.surface(of: points, grid: grid, bandwidth: options.bandwidth),
                            giStar: stats, offenceCount: points.count)
    }

    /// Gi* on street segments: streets cut into pieces of about `segmentLength` metres, each offence
    /// counted on the nearest piece within `snapDistance`, neighbours by ``SpatialWeights`` between
    /// piece midpoints. `mainStreetsOnly` restricts the analysis to main streets.
    public static func streets(_ offences: [Offence], filter: OffenceFilter = OffenceFilter(), city: CityModel,
                               segmentLength: Double = 50, snapDistance: Double = 30, mainStreetsOnly: Bool = false,
                               weights: SpatialWeights = .distanceBand(threshold: 80)) -> StreetHotspots {
        var segments: [StreetSegment] = []
        for (si, street) in city.streets.enumerated() where !mainStreetsOnly || street.isMain {
            let length = street.length
            guard length > 0 else { continue }
            let pieces = max(1, Int((length / segmentLength).rounded()))
            for k in 0..<pieces {
                let a = PlaneGeometry.point(along: street.line, at: length * Double(k) / Double(pieces))
                let b = PlaneGeometry.point(along: street.line, at: length * Double(k + 1) / Double(pieces))
                segments.append(StreetSegment(street: si, name: street.name, from: a, to: b, count: 0))
            }
        }
        let mids = segments.map(\.midpoint)
        let index = BucketIndex(points: mids)
        let half = segmentLength
        var unsnapped = 0
        for o in offences.filtered(filter) {
            let p = o.point(in: city.projection)
            var best = -1
            var bestD = snapDistance
            for k in index.within(snapDistance + half, of: p) {
                let d = PlaneGeometry.distance(p, segments[k].from, segments[k].to)
                if d <= bestD { best = k; bestD = d }
            }
            if best >= 0 { segments[best].count += 1 } else { unsnapped += 1 }
        }
        let stats = GetisOrd.giStar(values: segments.map(\.count), locations: mids, weights: weights)
        return StreetHotspots(segments: segments, giStar: stats, unsnapped: unsnapped)
    }
}
