/// Derives courtyards where nothing is tagged: open ground walled in on all sides by buildings.
///
/// The outlines of all buildings form a planar graph (vertices merged when they coincide within
/// 1 cm, and split where one building's corner sits on another's wall). Every bounded face of that
/// graph that no building covers is ground enclosed by buildings: a courtyard. A group of buildings
/// standing free inside it (with any yards of its own) is cut out as a hole, so nested yards are
/// counted once. Faces smaller than `minimumArea` (light wells) or larger than `maximumArea` are
/// dropped. Walls that cross without sharing a point do not close a face; that only loses yards,
/// it never invents one.
struct CourtyardDeriver {
    let minimumArea: Double
    let maximumArea: Double

    func courtyards(between buildings: [Building]) -> [Courtyard] {
        var graph = PlanarGraph()
        for b in buildings {
            for ring in b.footprint.rings {
                for i in ring.indices { graph.addEdge(ring[i], ring[(i + 1) % ring.count]) }
            }
        }
        graph.splitTJunctions(tolerance: 0.02)
        let (faces, outlines) = graph.faces()
        var buildingGrid = GridIndex(cellSize: 50)
        for (i, b) in buildings.enumerated() { buildingGrid.insert(i, b.footprint.boundingBox) }

        // Each group's outline is a hole in the smallest face around it.
        let faceAreas = faces.map(Polygon.signedArea)
        let faceBoxes = faces.map { BoundingBox(points: $0) }
        var faceGrid = GridIndex(cellSize: 100)
        // A face larger than a courtyard may be is never kept, so it need not take the holes of the
        // groups inside it (any face around it is larger still); leaving it out of the grid keeps
        // the outer faces of a whole district from filling millions of cells.
        for (i, box) in faceBoxes.enumerated() where faceAreas[i] <= maximumArea { faceGrid.insert(i, box) }
        var holes = [[[Point]]](repeating: [], count: faces.count)
        for outline in outlines {
            let box = BoundingBox(points: outline)
            let probe = outline[0]
            var parent: Int?
            // Faces no larger than the outline are the group's own (the probe sits on their edge).
            let ownSize = abs(Polygon.signedArea(outline)) * (1 + 1e-9)
            for f in faceGrid.query(box) where faceBoxes[f].contains(probe) && faceAreas[f] > ownSize {
                if Polygon.ringContains(faces[f], probe), parent.map({ faceAreas[f] < faceAreas[$0] }) ?? true { parent = f }
            }
            if let parent { holes[parent].append(outline) }
        }

        var out: [Courtyard] = []
        for (i, face) in faces.enumerated() {
            guard faceAreas[i] >= minimumArea, faceAreas[i] <= maximumArea else { continue }
            let yard = Polygon(rings: [face] + holes[i])
            guard yard.area >= minimumArea, let sample = yard.interiorPoint else { continue }
            // A face that is some building's own outline (or lies under a larger one) is not open ground.
            let covered = buildingGrid.query(BoundingBox(points: [sample])).contains { buildings[$0].footprint.contains(sample) }
            if covered { continue }
            out.append(Courtyard(source: "derived courtyard \(out.count + 1)", origin: .derived, area: yard))
        }
        return out
    }
}

extension Polygon {
    /// A point strictly inside, from the widest stretch of a scanline through the middle; nil for
    /// an empty or degenerate polygon.
    var interiorPoint: Point? {
        let box = boundingBox
        guard !box.isEmpty, box.maxY > box.minY else { return nil }
        var best: (x: Double, y: Double, w: Double)?
        // A few lines, slightly off-centre so they rarely pass exactly through a vertex.
        for f in [0.5013, 0.2507, 0.7491, 0.1249, 0.8753] {
            let y = box.minY + (box.maxY - box.minY) * f
            for iv in Clipping.row(y, inside: self).intervals where iv.hi - iv.lo > (best?.w ?? 0) {
                best = ((iv.lo + iv.hi) / 2, y, iv.hi - iv.lo)
            }
        }
        return best.map { Point(x: $0.x, y: $0.y) }
    }
}
