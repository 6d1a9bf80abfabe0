/// Reads one `PrimitiveBlock` of an OSM PBF file (see ``PBFReader``) into an ``OSMDocument``.
///
/// Protocol buffers write fields in number order, so the granularity and offsets (fields 17–20)
/// come after the groups (field 2): the block is scanned once for where everything is, then the
/// groups are read.
enum PBFPrimitiveBlock {
    /// Where a block keeps its parts, and how its coordinates scale.
    struct Layout {
        var strings: [String] = []
        var groups: [Range<Int>] = []
        /// Nanodegrees per unit of a stored coordinate.
        var granularity: Int64 = 100
        var latOffset: Int64 = 0
        var lonOffset: Int64 = 0
    }

    /// Reads the block; returns how many nodes, way nodes and relation members it added.
    @discardableResult
    static func read(_ data: [UInt8], name: String, into doc: inout OSMDocument) throws(ImportError) -> Int {
        let before = (nodes: doc.nodes.count, ways: doc.ways.count, relations: doc.relations.count)
        var block = ProtobufReader(data, context: name)
        var layout = Layout()
        while let field = try block.nextField() {
            switch (field.number, field.type) {
            case (1, .lengthDelimited):
                var table = try block.message()
                while let f = try table.nextField() {
                    if f.number == 1, f.type == .lengthDelimited { layout.strings.append(try table.string()) } else { try table.skip(f.type) }
                }
            case (2, .lengthDelimited): layout.groups.append(try block.lengthDelimited())
            case (17, .varint): layout.granularity = try block.int64()
            case (19, .varint): layout.latOffset = try block.int64()
            case (20, .varint): layout.lonOffset = try block.int64()
            default: try block.skip(field.type)
            }
        }
        guard layout.granularity > 0, layout.granularity <= 1_000_000_000 else {
            throw ImportError(element: name, reason: "granularity \(layout.granularity) nanodegrees is not between 1 and 10⁹")
        }
        for range in layout.groups {
            var group = ProtobufReader(data, range: range, context: name)
            while let field = try group.nextField() {
                switch (field.number, field.type) {
                case (1, .lengthDelimited): try node(try group.message(), layout, into: &doc)
                case (2, .lengthDelimited): try denseNodes(try group.message(), layout, into: &doc)
                case (3, .lengthDelimited): try way(try group.message(), layout, into: &doc)
                case (4, .lengthDelimited): try relation(try group.message(), layout, into: &doc)
                default: try group.skip(field.type)  // change sets
                }
            }
        }
        return doc.nodes.count - before.nodes + doc.ways[before.ways...].reduce(0) { $0 + $1.refs.count }
            + doc.relations[before.relations...].reduce(0) { $0 + $1.members.count }
    }

    // MARK: - Elements

    /// A plain `Node`: id, keys, vals, info, lat, lon.
    static func node(_ message: ProtobufReader, _ layout: Layout, into doc: inout OSMDocument) throws(ImportError) {
        var m = message
        var id: Int64?, lat: Int64?, lon: Int64?
        var keys: [UInt64] = [], vals: [UInt64] = []
        var visible = true
        while let f = try m.nextField() {
            switch (f.number, f.type) {
            case (1, .varint): id = try m.signedVarint()
            case (2, _): try m.repeatedVarints(f.type, into: &keys)
            case (3, _): try m.repeatedVarints(f.type, into: &vals)
            case (4, .lengthDelimited): visible = try isVisible(try m.message())
            case (8, .varint): lat = try m.signedVarint()
            case (9, .varint): lon = try m.signedVarint()
            default: try m.skip(f.type)
            }
        }
        guard let id, let lat, let lon else { throw m.error("a node without id, lat or lon") }
        guard visible else { return }
        let tags = try tagPairs(keys, vals, layout, m, "node \(id)")
        try add(node: id, lat: lat, lon: lon, tags: tags, layout, m, into: &doc)
    }

    /// `DenseNodes`: parallel delta-coded lists of ids, lats and lons, and all tags in one list
    /// (`k v k v … 0` per node).
    static func denseNodes(_ message: ProtobufReader, _ layout: Layout, into doc: inout OSMDocument) throws(ImportError) {
        var m = message
        var ids: [UInt64] = [], lats: [UInt64] = [], lons: [UInt64] = [], keysVals: [UInt64] = []
        var visible: [UInt64] = []
        while let f = try m.nextField() {
            switch (f.number, f.type) {
            case (1, _): try m.repeatedVarints(f.type, into: &ids)
            case (5, .lengthDelimited):
                var info = try m.message()
                while let g = try info.nextField() {
                    if g.number == 6 { try info.repeatedVarints(g.type, into: &visible) } else { try info.skip(g.type) }
                }
            case (8, _): try m.repeatedVarints(f.type, into: &lats)
            case (9, _): try m.repeatedVarints(f.type, into: &lons)
            case (10, _): try m.repeatedVarints(f.type, into: &keysVals)
            default: try m.skip(f.type)
            }
        }
        guard lats.count == ids.count, lons.count == ids.count else {
            throw m.error("dense nodes with \(ids.count) ids, \(lats.count) latitudes and \(lons.count) longitudes")
        }
        guard visible.isEmpty || visible.count == ids.count else {
            throw m.error("dense nodes with \(ids.count) ids and \(visible.count) visibility flags")
        }
        var id: Int64 = 0, lat: Int64 = 0, lon: Int64 = 0
        var k = 0  // position in keysVals
        for i in ids.indices {
            id = try sum(id, ids[i].zigzagDecoded, m)
            lat = try sum(lat, lats[i].zigzagDecoded, m)
            lon = try sum(lon, lons[i].zigzagDecoded, m)
            var tags: [String: String] = [:]
            if !keysVals.isEmpty {
                while true {
                    guard k < keysVals.count else { throw m.error("the tags of dense node \(id) run past the end of keys_vals") }
                    let key = keysVals[k]
                    k += 1
                    if key == 0 { break }
                    guard k < keysVals.count else { throw m.error("tag of dense node \(id) has a key but no value") }
                    tags[try string(key, layout, m)] = try string(keysVals[k], layout, m)
                    k += 1
                }
            }
            if !visible.isEmpty && visible[i] == 0 { continue }
            try add(node: id, lat: lat, lon: lon, tags: tags, layout, m, into: &doc)
        }
    }

    /// A `Way`: id, keys, vals, info and delta-coded node refs.
    static func way(_ message: ProtobufReader, _ layout: Layout, into doc: inout OSMDocument) throws(ImportError) {
        var m = message
        var id: Int64?
        var keys: [UInt64] = [], vals: [UInt64] = [], deltas: [UInt64] = []
        var visible = true
        while let f = try m.nextField() {
            switch (f.number, f.type) {
            case (1, .varint): id = try m.int64()
            case (2, _): try m.repeatedVarints(f.type, into: &keys)
            case (3, _): try m.repeatedVarints(f.type, into: &vals)
            case (4, .lengthDelimited): visible = try isVisible(try m.message())
            case (8, _): try m.repeatedVarints(f.type, into: &deltas)
            default: try m.skip(f.type)  // 9, 10: locations on ways, not needed with the nodes at hand
            }
        }
        guard let id else { throw m.error("a way without id") }
        guard visible else { return }
        let tags = try tagPairs(keys, vals, layout, m, "way \(id)")
        var refs: [Int64] = []
        refs.reserveCapacity(deltas.count)
        var ref: Int64 = 0
        for d in deltas {
            ref = try sum(ref, d.zigzagDecoded, m)
            refs.append(ref)
        }
        doc.ways.append(OSMDocument.Way(id: id, refs: refs, tags: tags, line: 0))
    }

    /// A `Relation`: id, keys, vals, info, and parallel lists of member roles (string ids),
    /// delta-coded member ids and member types (0 node, 1 way, 2 relation).
    static func relation(_ message: ProtobufReader, _ layout: Layout, into doc: inout OSMDocument) throws(ImportError) {
        var m = message
        var id: Int64?
        var keys: [UInt64] = [], vals: [UInt64] = [], roles: [UInt64] = [], memids: [UInt64] = [], types: [UInt64] = []
        var visible = true
        while let f = try m.nextField() {
            switch (f.number, f.type) {
            case (1, .varint): id = try m.int64()
            case (2, _): try m.repeatedVarints(f.type, into: &keys)
            case (3, _): try m.repeatedVarints(f.type, into: &vals)
            case (4, .lengthDelimited): visible = try isVisible(try m.message())
            case (8, _): try m.repeatedVarints(f.type, into: &roles)
            case (9, _): try m.repeatedVarints(f.type, into: &memids)
            case (10, _): try m.repeatedVarints(f.type, into: &types)
            default: try m.skip(f.type)
            }
        }
        guard let id else { throw m.error("a relation without id") }
        guard roles.count == memids.count, types.count == memids.count else {
            throw m.error("relation \(id) has \(memids.count) members but \(roles.count) roles and \(types.count) types")
        }
        guard visible else { return }
        let tags = try tagPairs(keys, vals, layout, m, "relation \(id)")
        var members: [OSMDocument.Member] = []
        members.reserveCapacity(memids.count)
        var ref: Int64 = 0
        for i in memids.indices {
            ref = try sum(ref, memids[i].zigzagDecoded, m)
            let type: String
            switch types[i] {
            case 0: type = "node"
            case 1: type = "way"
            case 2: type = "relation"
            default: throw m.error("relation \(id): member type \(types[i]) is not node, way or relation")
            }
            // roles_sid is an int32: a negative one would be ten bytes and is out of the table anyway.
            members.append(OSMDocument.Member(type: type, ref: ref, role: try string(roles[i], layout, m)))
        }
        doc.relations.append(OSMDocument.Relation(id: id, members: members, tags: tags))
    }

    // MARK: - Helpers

    /// Whether an `Info` message leaves the element visible (history files mark deleted versions
    /// with `visible = false`, field 6).
    static func isVisible(_ info: ProtobufReader) throws(ImportError) -> Bool {
        var m = info
        var visible = true
        while let f = try m.nextField() {
            if f.number == 6, f.type == .varint { visible = try m.varint() != 0 } else { try m.skip(f.type) }
        }
        return visible
    }

    static func tagPairs(_ keys: [UInt64], _ vals: [UInt64], _ layout: Layout, _ m: ProtobufReader,
                         _ element: String) throws(ImportError) -> [String: String] {
        guard keys.count == vals.count else { throw m.error("\(element) has \(keys.count) tag keys but \(vals.count) values") }
        var tags: [String: String] = [:]
        for i in keys.indices { tags[try string(keys[i], layout, m)] = try string(vals[i], layout, m) }
        return tags
    }

    static func string(_ index: UInt64, _ layout: Layout, _ m: ProtobufReader) throws(ImportError) -> String {
        guard index < UInt64(layout.strings.count) else {
            throw m.error("string \(index) is not in the block's table of \(layout.strings.count)")
        }
        return layout.strings[Int(index)]
    }

    static func sum(_ a: Int64, _ b: Int64, _ m: ProtobufReader) throws(ImportError) -> Int64 {
        let (s, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw m.error("a delta-coded value overflows 64 bits") }
        return s
    }

    /// Stores a node, its coordinates in degrees: `(offset + granularity × value)` nanodegrees.
    /// Dividing the exact integer by 10⁹ rounds once, as reading the XML's decimal text does, so
    /// both formats give bit-identical degrees.
    static func add(node id: Int64, lat: Int64, lon: Int64, tags: [String: String], _ layout: Layout,
                    _ m: ProtobufReader, into doc: inout OSMDocument) throws(ImportError) {
        func nanodegrees(_ offset: Int64, _ value: Int64) -> Int64? {
            let (scaled, o1) = layout.granularity.multipliedReportingOverflow(by: value)
            let (n, o2) = offset.addingReportingOverflow(scaled)
            return o1 || o2 ? nil : n
        }
        guard let la = nanodegrees(layout.latOffset, lat), let lo = nanodegrees(layout.lonOffset, lon) else {
            throw ImportError(element: "node \(id)", reason: "missing or invalid lat/lon (\(m.context))")
        }
        let g = GeoCoordinate(latitude: Double(la) / 1e9, longitude: Double(lo) / 1e9)
        guard g.isValid else { throw ImportError(element: "node \(id)", reason: "missing or invalid lat/lon (\(m.context))") }
        doc.nodes[id] = g
        if !tags.isEmpty { doc.nodeTags[id] = tags }
    }
}
