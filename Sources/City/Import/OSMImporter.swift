import Foundation

/// Imports a city from OpenStreetMap XML (`.osm`, or gzip-compressed `.osm.gz`).
///
/// The import is all-or-nothing: any malformed element stops it with an ``ImportError`` naming the
/// line or element (`way 123: references missing node 456`). Relations that reach past the edge
/// of an extract are normal in extracts, not malformed: they are skipped and listed in
/// ``CityModel/warnings``.
public enum OSMImporter {
    /// Imports from the bytes of an `.osm` or `.osm.gz` file (gzip is recognised by its magic bytes).
    public static func importCity(from bytes: [UInt8], options: ImportOptions = ImportOptions()) throws(ImportError) -> CityModel {
        do {
            let xml = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes) : bytes
            let doc = try OSMDocument.parse(xml)
            var warnings: [String] = []
            let features = try features(of: doc, builder: CityBuilder(options: options), warnings: &warnings)
            return try CityBuilder(options: options).build(features, warnings: warnings)
        } catch let e as ImportError {
            throw e
        } catch {
            throw ImportError(element: "document", reason: String(describing: error))
        }
    }

    /// Imports from `Data`; see ``importCity(from:options:)-([UInt8],_)``.
    public static func importCity(from data: Data, options: ImportOptions = ImportOptions()) throws(ImportError) -> CityModel {
        try importCity(from: [UInt8](data), options: options)
    }

    static func features(of doc: OSMDocument, builder: CityBuilder, warnings: inout [String]) throws -> [RawFeature] {
        var out: [RawFeature] = []
        func coords(_ refs: [Int64], _ element: String) throws -> [GeoCoordinate] {
            try refs.map { r in
                guard let g = doc.nodes[r] else { throw ImportError(element: element, reason: "references missing node \(r)") }
                return g
            }
        }
        for (id, tags) in doc.nodeTags.sorted(by: { $0.key < $1.key }) {
            out.append(RawFeature(source: "node \(id)", tags: tags, geometry: .point(doc.nodes[id]!)))
        }
        // Every way must be whole: extract tools keep complete ways, so a missing node is damage.
        var wayIndex: [Int64: Int] = [:]
        for (i, w) in doc.ways.enumerated() {
            for r in w.refs where doc.nodes[r] == nil {
                throw ImportError(element: "way \(w.id)", reason: "references missing node \(r)")
            }
            wayIndex[w.id] = i
        }

        // Relations first, so that old-style multipolygons (tags on the outer way) can claim it.
        var claimedWays: Set<Int64> = []
        for rel in doc.relations {
            let type = rel.tags["type"]
            guard type == "multipolygon" || type == "boundary" else { continue }
            let name = "relation \(rel.id)"
            let wayMembers = rel.members.filter { $0.type == "way" }
            var tags = rel.tags
            var oldStyleOuter: [Int64] = []
            if !builder.wantsArea(tags), type == "multipolygon" {
                let outers = wayMembers.filter { $0.role == "outer" || $0.role.isEmpty }
                if let first = outers.first, let wi = wayIndex[first.ref], builder.wantsArea(doc.ways[wi].tags) {
                    tags = doc.ways[wi].tags
                    oldStyleOuter = outers.map(\.ref)
                }
            }
            guard builder.wantsArea(tags) else { continue }
            let missing = wayMembers.filter { wayIndex[$0.ref] == nil }
            if !missing.isEmpty {
                warnings.append("\(name): \(missing.count) of \(wayMembers.count) member ways lie outside the extract; skipped")
                continue
            }
            let assembled = try RingAssembler.rings(of: wayMembers.map { doc.ways[wayIndex[$0.ref]!].refs }, relation: name)
            if !assembled.leftOver.isEmpty {
                let ids = assembled.leftOver.map { "way \(wayMembers[$0].ref)" }.joined(separator: ", ")
                warnings.append("\(name): \(ids) fit in no closed ring and were left out")
            }
            out.append(RawFeature(source: name, tags: tags, geometry: .area(try assembled.rings.map { try coords($0, name) })))
            claimedWays.formUnion(oldStyleOuter)
        }

        for w in doc.ways {
            let name = "way \(w.id)"
            guard !w.tags.isEmpty else { continue }
            var tags = w.tags
            if claimedWays.contains(w.id) {
                // The relation already made the area; the way may still be a street or a boundary line.
                for k in ["building", "amenity", "leisure", "landuse", "parking", "place"] { tags[k] = nil }
            }
            guard w.refs.count >= 2 else {
                if builder.wantsArea(tags) || builder.streetClass(tags) != nil {
                    throw ImportError(element: name, reason: "has \(w.refs.count) node(s); a line needs 2")
                }
                continue
            }
            out.append(RawFeature(source: name, tags: tags, geometry: .line(try coords(w.refs, name))))
        }
        return out
    }
}
