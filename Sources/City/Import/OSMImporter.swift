import Foundation

/// Imports a city from OpenStreetMap: XML (`.osm`, gzip-compressed `.osm.gz`) or PBF
/// (`.osm.pbf`), recognised by their content, not their names.
///
/// A file that is not OSM (broken XML, a malformed PBF block) stops the import with an
/// ``ImportError`` naming the line or block. Features that are broken in an otherwise sound file
/// (an unclosed building outline, a way through nodes the file does not hold, a relation whose
/// members close no ring or lie outside the extract) are skipped, each named in
/// ``CityModel/warnings`` (``CityModel/skippedFeatures`` counts them); a street cut at the edge of
/// the extract keeps its pieces inside (``CityModel/cutStreets``).
public enum OSMImporter {
    /// Imports from the bytes of an `.osm`, `.osm.gz` or `.osm.pbf` file.
    public static func importCity(from bytes: [UInt8], options: ImportOptions = ImportOptions()) throws(ImportError) -> CityModel {
        do {
            let doc = try document(from: bytes, options: options)
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

    /// Whether the bytes are an OSM PBF file (by their first block header).
    public static func isPBF(_ bytes: [UInt8]) -> Bool { PBFReader.isPBF(bytes) }

    /// The elements of the file: PBF, XML, or either of them gzip-compressed.
    static func document(from bytes: [UInt8], options: ImportOptions) throws -> OSMDocument {
        let plain = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, limit: options.maximumInflatedSize) : bytes
        if PBFReader.isPBF(plain) {
            return try PBFReader.read(plain, maximumInflatedSize: options.maximumInflatedSize, maximumElements: options.maximumElements)
        }
        return try OSMDocument.parse(plain)
    }

    /// Tags that make a way an area; a street piece cut from such a way keeps none of them.
    static let areaKeys = ["building", "amenity", "leisure", "landuse", "parking", "place", "boundary"]

    static func features(of doc: OSMDocument, builder: CityBuilder, warnings: inout [String]) throws -> [RawFeature] {
        var out: [RawFeature] = []
        for (id, tags) in doc.nodeTags.sorted(by: { $0.key < $1.key }) {
            out.append(RawFeature(source: "node \(id)", tags: tags, geometry: .point(doc.nodes[id]!)))
        }
        var wayIndex: [Int64: Int] = [:]
        for (i, w) in doc.ways.enumerated() { wayIndex[w.id] = i }
        func isWhole(_ refs: [Int64]) -> Bool { refs.allSatisfy { doc.nodes[$0] != nil } }

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
                warnings.append(ImportWarning.skipped(name, "\(missing.count) of \(wayMembers.count) member ways lie outside the extract"))
                continue
            }
            let cut = wayMembers.filter { !isWhole(doc.ways[wayIndex[$0.ref]!].refs) }
            if !cut.isEmpty {
                let ids = cut.prefix(5).map { "way \($0.ref)" }.joined(separator: ", ") + (cut.count > 5 ? " …" : "")
                warnings.append(ImportWarning.skipped(name, "member \(ids) \(cut.count == 1 ? "is" : "are") \(ImportWarning.cutMarker) (nodes missing)"))
                continue
            }
            let assembled: RingAssembler.Result
            do {
                assembled = try RingAssembler.rings(of: wayMembers.map { doc.ways[wayIndex[$0.ref]!].refs }, relation: name)
            } catch let error as ImportError {
                warnings.append(ImportWarning.skipped(error))
                continue
            }
            if !assembled.leftOver.isEmpty {
                let ids = assembled.leftOver.map { "way \(wayMembers[$0].ref)" }.joined(separator: ", ")
                warnings.append("\(name): \(ids) fit in no closed ring and were left out")
            }
            out.append(RawFeature(source: name, tags: tags, geometry: .area(assembled.rings.map { $0.map { doc.nodes[$0]! } })))
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
            let isArea = builder.wantsArea(tags), isStreet = builder.streetClass(tags) != nil
            let points = w.refs.map { doc.nodes[$0] }
            let missing = points.count(where: { $0 == nil })
            if missing == 0 {
                guard w.refs.count >= 2 else {
                    if isArea || isStreet { warnings.append(ImportWarning.skipped(name, "has \(w.refs.count) node(s); a line needs 2")) }
                    continue
                }
                out.append(RawFeature(source: name, tags: tags, geometry: .line(points.map { $0! })))
                continue
            }
            // The way reaches past the edge of the extract (or the file lost nodes): an outline
            // with a gap is no area, but the pieces of a street inside are streets.
            if isArea {
                let what = builder.isBuilding(tags) ? "building outline" : "area outline"
                warnings.append(ImportWarning.skipped(name, "\(what) references \(missing) node\(missing == 1 ? "" : "s") missing from the file (\(ImportWarning.cutMarker))"))
            }
            guard isStreet else { continue }
            var pieces: [[GeoCoordinate]] = [[]]
            for p in points {
                if let p { pieces[pieces.count - 1].append(p) } else if !pieces[pieces.count - 1].isEmpty { pieces.append([]) }
            }
            pieces.removeAll { $0.count < 2 }
            guard !pieces.isEmpty else {
                warnings.append(ImportWarning.skipped(name, "street has no two consecutive nodes in the file (\(missing) of \(w.refs.count) missing)"))
                continue
            }
            warnings.append(ImportWarning.cut(name, missing: missing, of: w.refs.count, pieces: pieces.count))
            var streetTags = tags
            for k in areaKeys { streetTags[k] = nil }
            for piece in pieces { out.append(RawFeature(source: name, tags: streetTags, geometry: .line(piece))) }
        }
        return out
    }
}
