/// A uniform grid over the plane that maps cells to the integer ids of items whose bounding boxes
/// touch them. Cities are fairly even in density, so a grid beats a tree here and stays simple to
/// update when a camera moves.
struct GridIndex: Sendable {
    let cellSize: Double
    private var cells: [Cell: [Int]] = [:]

    struct Cell: Hashable, Sendable {
        var i: Int
        var j: Int
    }

    init(cellSize: Double) { self.cellSize = cellSize }

    private func range(_ box: BoundingBox) -> (ClosedRange<Int>, ClosedRange<Int>) {
        let i0 = Int((box.minX / cellSize).rounded(.down))
        let i1 = Int((box.maxX / cellSize).rounded(.down))
        let j0 = Int((box.minY / cellSize).rounded(.down))
        let j1 = Int((box.maxY / cellSize).rounded(.down))
        return (i0...Swift.max(i0, i1), j0...Swift.max(j0, j1))
    }

    mutating func insert(_ id: Int, _ box: BoundingBox) {
        guard !box.isEmpty else { return }
        let (ri, rj) = range(box)
        for i in ri { for j in rj { cells[Cell(i: i, j: j), default: []].append(id) } }
    }

    mutating func remove(_ id: Int, _ box: BoundingBox) {
        guard !box.isEmpty else { return }
        let (ri, rj) = range(box)
        for i in ri {
            for j in rj {
                let key = Cell(i: i, j: j)
                cells[key]?.removeAll { $0 == id }
                if cells[key]?.isEmpty == true { cells[key] = nil }
            }
        }
    }

    /// Ids of items whose cells touch `box`, each once, in ascending order. Callers still check the
    /// exact geometry: a shared cell does not mean the items meet.
    func query(_ box: BoundingBox) -> [Int] {
        guard !box.isEmpty else { return [] }
        let (ri, rj) = range(box)
        var out: [Int] = []
        for i in ri { for j in rj { if let ids = cells[Cell(i: i, j: j)] { out.append(contentsOf: ids) } } }
        if out.count > 1 {
            out.sort()
            var w = 1
            for r in 1..<out.count where out[r] != out[w - 1] {
                out[w] = out[r]
                w += 1
            }
            out.removeLast(out.count - w)
        }
        return out
    }
}
