/// Camera coverage of a city's streets, courtyards and school grounds, kept up to date as cameras
/// are added, moved, turned or removed.
///
/// The engine caches each camera's ``VisibilityPolygon`` and, for every street piece and area, the
/// part the cameras see. Changing one camera recomputes its polygon and only the pieces and areas
/// under its old or new view; ``report()`` then only sums cached figures. A value type: keep it in
/// an actor (or a task) and mutate it there.
public struct CoverageEngine: Sendable {
    public let city: CityModel
    public let options: CoverageOptions

    private let obstacles: ObstacleIndex
    private var pieces: [StreetPiece] = []
    private var pieceGrid = GridIndex(cellSize: 50)
    private var targets: [AreaTarget] = []
    private var targetGrid = GridIndex(cellSize: 50)

    private struct CameraState: Sendable {
        var spec: CameraViewSpec
        var view: VisibilityPolygon
        var box: BoundingBox
    }

    private var slots: [String: Int] = [:]
    private var cameras: [Int: CameraState] = [:]
    private var nextSlot = 0
    private var cameraGrid = GridIndex(cellSize: 50)

    /// A street within this distance of a district boundary (metres) belongs to the first district
    /// that has it, in the order of ``CityModel/districts``.
    static let boundaryTolerance = 0.01

    /// Prepares the city: indexes buildings, splits streets and areas by district, marks lit parts.
    public init(city: CityModel, options: CoverageOptions = CoverageOptions()) {
        self.city = city
        self.options = options
        obstacles = ObstacleIndex(buildings: city.buildings)
        var lampGrid = GridIndex(cellSize: 50)
        for (i, l) in city.streetLights.enumerated() { lampGrid.insert(i, BoundingBox(points: [l.position])) }
        let districtBoxes = city.districts.map(\.area.boundingBox)
        buildPieces(lampGrid, districtBoxes)
        buildTargets(lampGrid, districtBoxes)
    }

    // MARK: Cameras

    /// The ids of the cameras the engine holds, sorted.
    public var cameraIDs: [String] { slots.keys.sorted() }

    /// The camera with this id, if present.
    public func camera(_ id: String) -> CameraViewSpec? { slots[id].flatMap { cameras[$0]?.spec } }

    /// The visibility polygon of a camera, if present.
    public func visibility(of id: String) -> VisibilityPolygon? { slots[id].flatMap { cameras[$0]?.view } }

    /// Replaces all cameras at once (a full recomputation). Throws, changing nothing, if any spec is
    /// invalid or an id repeats.
    public mutating func setCameras(_ specs: [CameraViewSpec]) throws(CameraSpecError) {
        var seen: Set<String> = []
        for s in specs {
            try s.validate()
            guard seen.insert(s.id).inserted else { throw CameraSpecError(field: "id", reason: "duplicate id \(s.id)") }
        }
        slots = [:]
        cameras = [:]
        cameraGrid = GridIndex(cellSize: 50)
        nextSlot = 0
        for s in specs { place(s) }
        for i in pieces.indices { recomputePiece(i) }
        for i in targets.indices { recomputeTarget(i) }
    }

    /// Adds a camera, or moves/turns/changes the one with the same id, recomputing only what its
    /// old and new views touch.
    public mutating func upsertCamera(_ spec: CameraViewSpec) throws(CameraSpecError) {
        try spec.validate()
        var boxes: [BoundingBox] = []
        if let old = slots[spec.id], let state = cameras[old] { boxes.append(state.box) }
        removeFromIndex(spec.id)
        boxes.append(place(spec))
        refresh(boxes)
    }

    /// Removes a camera; returns false when there was none with that id.
    @discardableResult
    public mutating func removeCamera(_ id: String) -> Bool {
        guard let slot = slots[id], let state = cameras[slot] else { return false }
        removeFromIndex(id)
        refresh([state.box])
        return true
    }

    /// Ids of the cameras that see `point`, sorted.
    public func camerasSeeing(_ point: Point) -> [String] {
        cameraGrid.query(BoundingBox(points: [point])).compactMap { slot in
            guard let s = cameras[slot], s.box.contains(point), s.view.polygon.contains(point) else { return nil }
            return s.spec.id
        }.sorted()
    }

    @discardableResult
    private mutating func place(_ spec: CameraViewSpec) -> BoundingBox {
        let c = spec.position.point(in: city.projection)
        let polygon = Visibility.polygon(from: c, heading: spec.heading, fieldOfView: spec.fieldOfView, range: spec.range,
                                         obstacles: obstacles, arcStep: options.arcStep)
        let slot = nextSlot
        nextSlot += 1
        let box = polygon.boundingBox
        slots[spec.id] = slot
        cameras[slot] = CameraState(spec: spec, view: VisibilityPolygon(cameraID: spec.id, origin: c, polygon: polygon), box: box)
        cameraGrid.insert(slot, box)
        return box
    }

    private mutating func removeFromIndex(_ id: String) {
        guard let slot = slots.removeValue(forKey: id), let state = cameras.removeValue(forKey: slot) else { return }
        cameraGrid.remove(slot, state.box)
    }

    private mutating func refresh(_ boxes: [BoundingBox]) {
        var p: Set<Int> = []
        var t: Set<Int> = []
        for b in boxes where !b.isEmpty {
            for i in pieceGrid.query(b) where pieces[i].box.intersects(b) { p.insert(i) }
            for i in targetGrid.query(b) where targets[i].box.intersects(b) { t.insert(i) }
        }
        for i in p { recomputePiece(i) }
        for i in t { recomputeTarget(i) }
    }

    /// Visibility polygons of the cameras whose views may touch `box`.
    private func views(touching box: BoundingBox) -> [Polygon] {
        cameraGrid.query(box).compactMap { slot in
            guard let s = cameras[slot], s.box.intersects(box) else { return nil }
            return s.view.polygon
        }
    }

    private mutating func recomputePiece(_ i: Int) {
        let piece = pieces[i]
        var covered = IntervalSet.empty
        for v in views(touching: piece.box) { covered = covered.union(Clipping.segment(piece.a, piece.b, inside: v)) }
        pieces[i].covered = covered
    }

    private mutating func recomputeTarget(_ i: Int) {
        let target = targets[i]
        let lines = target.lines
        var xs = [[Double]](repeating: [], count: lines.count)
        var seen = [IntervalSet](repeating: .empty, count: lines.count)
        for v in views(touching: target.box) {
            for ring in v.rings {
                var j = ring.count - 1
                for k in ring.indices {
                    lines.addCrossings(ring[j], ring[k], into: &xs)
                    j = k
                }
            }
            for r in xs.indices where !xs[r].isEmpty {
                seen[r] = seen[r].union(Clipping.pairUp(&xs[r]))
                xs[r].removeAll(keepingCapacity: true)
            }
        }
        for s in target.slices.indices {
            var covered = 0.0
            var coveredLit = 0.0
            let slice = target.slices[s]
            for r in seen.indices where !seen[r].isEmpty {
                covered += slice.rows[r].intersectionMeasure(seen[r])
                if !slice.litRows[r].isEmpty { coveredLit += slice.litRows[r].intersectionMeasure(seen[r]) }
            }
            targets[i].slices[s].covered = covered * lines.spacing
            targets[i].slices[s].coveredLit = coveredLit * lines.spacing
        }
    }

    // MARK: Figures

    /// City-wide and per-district figures from the cached state (cheap: sums only).
    public func report() -> CoverageReport {
        var perDistrict = [CoverageFigures](repeating: CoverageFigures(), count: city.districts.count + 1)
        func slot(_ d: Int) -> Int { d < 0 ? city.districts.count : d }
        for p in pieces {
            let m = CoverageMeasure(total: p.length, covered: p.covered.measure * p.length, lit: p.lit.measure * p.length,
                                    coveredLit: p.covered.intersectionMeasure(p.lit) * p.length)
            if p.isMain { perDistrict[slot(p.district)].mainStreets = perDistrict[slot(p.district)].mainStreets + m } else {
                perDistrict[slot(p.district)].otherStreets = perDistrict[slot(p.district)].otherStreets + m
            }
        }
        for t in targets {
            for s in t.slices {
                let m = CoverageMeasure(total: s.total, covered: s.covered, lit: s.lit, coveredLit: s.coveredLit)
                switch t.kind {
                case .courtyard: perDistrict[slot(s.district)].courtyards = perDistrict[slot(s.district)].courtyards + m
                case .schoolGround: perDistrict[slot(s.district)].schoolGrounds = perDistrict[slot(s.district)].schoolGrounds + m
                }
            }
        }
        var cityFigures = CoverageFigures()
        for f in perDistrict {
            cityFigures.mainStreets = cityFigures.mainStreets + f.mainStreets
            cityFigures.otherStreets = cityFigures.otherStreets + f.otherStreets
            cityFigures.courtyards = cityFigures.courtyards + f.courtyards
            cityFigures.schoolGrounds = cityFigures.schoolGrounds + f.schoolGrounds
        }
        let districts = city.districts.enumerated().map { (i, d) in
            DistrictCoverage(name: d.name, source: d.source, figures: perDistrict[i])
        }
        return CoverageReport(city: cityFigures, districts: districts, outsideDistricts: perDistrict[city.districts.count])
    }

    /// Every street piece with its seen sub-segments, for drawing covered and uncovered streets.
    public func streetCoverage() -> [StreetPieceCoverage] {
        pieces.map { p in
            let d = p.b - p.a
            return StreetPieceCoverage(
                street: p.street, district: p.district < 0 ? nil : p.district, from: p.a, to: p.b,
                covered: p.covered.intervals.map { [p.a + d * $0.lo, p.a + d * $0.hi] })
        }
    }

    /// Coverage of each courtyard and school ground, summed over the districts it spans.
    public func areaCoverage() -> [AreaCoverage] {
        targets.map { t in
            let m = t.slices.reduce(CoverageMeasure()) {
                $0 + CoverageMeasure(total: $1.total, covered: $1.covered, lit: $1.lit, coveredLit: $1.coveredLit)
            }
            return AreaCoverage(kind: t.kind, index: t.index, measure: m)
        }
    }

    // MARK: Preparation

    private mutating func buildPieces(_ lampGrid: GridIndex, _ districtBoxes: [BoundingBox]) {
        for (si, street) in city.streets.enumerated() {
            for (a, b) in zip(street.line, street.line.dropFirst()) where a != b {
                let box = BoundingBox(points: [a, b])
                var claimed = IntervalSet.empty
                var parts: [(district: Int, interval: IntervalSet)] = []
                for (di, d) in city.districts.enumerated() where districtBoxes[di].intersects(box) {
                    let inside = Clipping.segment(a, b, inside: d.area, tolerance: Self.boundaryTolerance).subtracting(claimed)
                    if !inside.isEmpty { parts.append((di, inside)) }
                    claimed = claimed.union(inside)
                }
                let outside = IntervalSet(sortedDisjoint: [(0, 1)]).subtracting(claimed)
                if !outside.isEmpty { parts.append((-1, outside)) }
                for (district, set) in parts {
                    for iv in set.intervals {
                        let pa = a + (b - a) * iv.lo
                        let pb = a + (b - a) * iv.hi
                        let len = pa.distance(to: pb)
                        guard len > 1e-9 else { continue }
                        let pbox = BoundingBox(points: [pa, pb])
                        var lit = IntervalSet.empty
                        for l in lampGrid.query(pbox.expanded(by: options.lampRadius)) {
                            lit = lit.union(Clipping.segment(pa, pb, insideDiscAt: city.streetLights[l].position, radius: options.lampRadius))
                        }
                        pieceGrid.insert(pieces.count, pbox)
                        pieces.append(StreetPiece(street: si, isMain: street.isMain, district: district, a: pa, b: pb,
                                                  length: len, box: pbox, lit: lit))
                    }
                }
            }
        }
    }

    private mutating func buildTargets(_ lampGrid: GridIndex, _ districtBoxes: [BoundingBox]) {
        var buildingGrid = GridIndex(cellSize: 50)
        for (i, b) in city.buildings.enumerated() { buildingGrid.insert(i, b.footprint.boundingBox) }
        let areas: [(AreaCoverage.Kind, Int, Polygon)] =
            city.courtyards.enumerated().map { (.courtyard, $0.offset, $0.element.area) }
            + city.schoolGrounds.enumerated().map { (.schoolGround, $0.offset, $0.element.area) }
        for (kind, index, polygon) in areas {
            let box = polygon.boundingBox
            let lines = Scanlines(covering: box, spacing: options.areaResolution)
            var open = lines.rows(inside: polygon)
            // Open ground only: the ground under a building can never be seen.
            for bi in buildingGrid.query(box) where city.buildings[bi].footprint.boundingBox.intersects(box) {
                let under = lines.rows(inside: city.buildings[bi].footprint)
                for r in open.indices where !under[r].isEmpty { open[r] = open[r].subtracting(under[r]) }
            }
            // Ground already counted for an earlier area of the same kind (a parking lot drawn over
            // a yard) is not counted again, so totals are the area of the union. Scanlines sit on
            // a shared grid, so rows of different areas line up by an integer offset.
            for ti in targetGrid.query(box) where targets[ti].kind == kind && targets[ti].box.intersects(box) {
                let other = targets[ti]
                let offset = Int(((lines.originY - other.lines.originY) / lines.spacing).rounded())
                for r in open.indices where !open[r].isEmpty {
                    let o = r + offset
                    guard o >= 0, o < other.lines.count else { continue }
                    for slice in other.slices where !slice.rows[o].isEmpty { open[r] = open[r].subtracting(slice.rows[o]) }
                }
            }
            let lamps = lampGrid.query(box.expanded(by: options.lampRadius))
            var slices: [AreaTarget.Slice] = []
            var claimed = [IntervalSet](repeating: .empty, count: lines.count)
            var groups: [(Int, [IntervalSet])] = []
            for (di, d) in city.districts.enumerated() where districtBoxes[di].intersects(box) {
                let inside = lines.rows(inside: d.area)
                var rows = open
                for r in rows.indices {
                    rows[r] = rows[r].intersection(inside[r]).subtracting(claimed[r])
                    claimed[r] = claimed[r].union(rows[r])
                }
                groups.append((di, rows))
            }
            groups.append((-1, open.indices.map { open[$0].subtracting(claimed[$0]) }))
            for (district, rows) in groups {
                let total = rows.reduce(0) { $0 + $1.measure } * lines.spacing
                guard total > 0 else { continue }
                var litRows = [IntervalSet](repeating: .empty, count: lines.count)
                if !lamps.isEmpty {
                    for r in rows.indices where !rows[r].isEmpty {
                        var lit = IntervalSet.empty
                        for l in lamps {
                            lit = lit.union(Clipping.row(lines.y(r), insideDiscAt: city.streetLights[l].position, radius: options.lampRadius))
                        }
                        litRows[r] = rows[r].intersection(lit)
                    }
                }
                let litTotal = litRows.reduce(0) { $0 + $1.measure } * lines.spacing
                slices.append(AreaTarget.Slice(district: district, rows: rows, litRows: litRows, total: total, lit: litTotal))
            }
            guard !slices.isEmpty else { continue }
            targetGrid.insert(targets.count, box)
            targets.append(AreaTarget(kind: kind, index: index, box: box, lines: lines, slices: slices))
        }
    }
}
