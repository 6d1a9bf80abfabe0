import CZlib
@testable import City

/// Writes an ``OSMDocument`` as OSM PBF, for tests: the encoder half of ``PBFReader``, written
/// from the format's description (fileformat.proto, osmformat.proto) like the reader, so that
/// `read(write(doc)) == doc` checks the two against each other, and so that hostile files can be
/// made by changing one field.
struct PBFTestWriter {
    /// Elements per `PrimitiveBlock` (real writers use 8,000).
    var elementsPerBlock = 8_000
    /// Nodes as `DenseNodes` (what every writer does) or as plain `Node` messages.
    var denseNodes = true
    /// zlib-compressed blobs, or raw ones.
    var compress = true
    /// Nanodegrees per coordinate unit, and offsets, in nanodegrees.
    var granularity: Int64 = 100
    var latOffset: Int64 = 0
    var lonOffset: Int64 = 0

    // MARK: - Protocol buffers

    struct Message {
        var bytes: [UInt8] = []

        mutating func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 {
                bytes.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func key(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }
        mutating func uint(_ field: Int, _ v: UInt64) { key(field, 0); varint(v) }
        mutating func int(_ field: Int, _ v: Int64) { uint(field, UInt64(bitPattern: v)) }
        mutating func sint(_ field: Int, _ v: Int64) { uint(field, zigzag(v)) }

        mutating func bytes(_ field: Int, _ b: [UInt8]) {
            key(field, 2)
            varint(UInt64(b.count))
            bytes += b
        }

        mutating func string(_ field: Int, _ s: String) { bytes(field, Array(s.utf8)) }
        mutating func message(_ field: Int, _ m: Message) { bytes(field, m.bytes) }

        mutating func packed(_ field: Int, _ values: [UInt64]) {
            var inner = Message()
            for v in values { inner.varint(v) }
            bytes(field, inner.bytes)
        }

        /// Delta-coded, zigzag, packed.
        mutating func deltas(_ field: Int, _ values: [Int64]) {
            var previous: Int64 = 0
            packed(field, values.map { v in
                defer { previous = v }
                return zigzag(v &- previous)
            })
        }
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    // MARK: - Blocks

    /// One file block: length, `BlobHeader`, `Blob`.
    func block(type: String, _ payload: [UInt8]) -> [UInt8] {
        var blob = Message()
        if compress {
            blob.int(2, Int64(payload.count))
            blob.bytes(3, Self.deflate(payload))
        } else {
            blob.bytes(1, payload)
        }
        return Self.frame(type: type, blob: blob.bytes)
    }

    /// Length, `BlobHeader` with `type` and the blob's size, then the blob as given.
    static func frame(type: String, blob: [UInt8], declaredSize: Int64? = nil) -> [UInt8] {
        var header = Message()
        header.string(1, type)
        header.int(3, declaredSize ?? Int64(blob.count))
        let n = UInt32(header.bytes.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + header.bytes + blob
    }

    func headerBlock(requiredFeatures: [String] = ["OsmSchema-V0.6", "DenseNodes"]) -> [UInt8] {
        var h = Message()
        for f in requiredFeatures { h.string(4, f) }
        h.string(16, "Aula tests")
        return block(type: "OSMHeader", h.bytes)
    }

    /// The whole file.
    func write(_ doc: OSMDocument) -> [UInt8] {
        var out = headerBlock()
        let nodeIDs = doc.nodes.keys.sorted()
        for chunk in stride(from: 0, to: nodeIDs.count, by: elementsPerBlock) {
            out += block(type: "OSMData", primitiveBlock { strings in
                var group = Message()
                let ids = Array(nodeIDs[chunk..<min(nodeIDs.count, chunk + elementsPerBlock)])
                if denseNodes {
                    var dense = Message()
                    dense.deltas(1, ids)
                    dense.deltas(8, ids.map { units(doc.nodes[$0]!.latitude, latOffset) })
                    dense.deltas(9, ids.map { units(doc.nodes[$0]!.longitude, lonOffset) })
                    if ids.contains(where: { doc.nodeTags[$0] != nil }) {
                        var kv: [UInt64] = []
                        for id in ids {
                            for (k, v) in (doc.nodeTags[id] ?? [:]).sorted(by: { $0.key < $1.key }) {
                                kv += [strings.index(k), strings.index(v)]
                            }
                            kv.append(0)
                        }
                        dense.packed(10, kv)
                    }
                    group.message(2, dense)
                } else {
                    for id in ids {
                        var node = Message()
                        node.sint(1, id)
                        let tags = (doc.nodeTags[id] ?? [:]).sorted(by: { $0.key < $1.key })
                        if !tags.isEmpty {
                            node.packed(2, tags.map { strings.index($0.key) })
                            node.packed(3, tags.map { strings.index($0.value) })
                        }
                        node.sint(8, units(doc.nodes[id]!.latitude, latOffset))
                        node.sint(9, units(doc.nodes[id]!.longitude, lonOffset))
                        group.message(1, node)
                    }
                }
                return [group]
            })
        }
        for chunk in stride(from: 0, to: doc.ways.count, by: elementsPerBlock) {
            out += block(type: "OSMData", primitiveBlock { strings in
                var group = Message()
                for w in doc.ways[chunk..<min(doc.ways.count, chunk + elementsPerBlock)] {
                    var way = Message()
                    way.int(1, w.id)
                    let tags = w.tags.sorted(by: { $0.key < $1.key })
                    way.packed(2, tags.map { strings.index($0.key) })
                    way.packed(3, tags.map { strings.index($0.value) })
                    way.deltas(8, w.refs)
                    group.message(3, way)
                }
                return [group]
            })
        }
        for chunk in stride(from: 0, to: doc.relations.count, by: elementsPerBlock) {
            out += block(type: "OSMData", primitiveBlock { strings in
                var group = Message()
                for r in doc.relations[chunk..<min(doc.relations.count, chunk + elementsPerBlock)] {
                    var rel = Message()
                    rel.int(1, r.id)
                    let tags = r.tags.sorted(by: { $0.key < $1.key })
                    rel.packed(2, tags.map { strings.index($0.key) })
                    rel.packed(3, tags.map { strings.index($0.value) })
                    rel.packed(8, r.members.map { strings.index($0.role) })
                    rel.deltas(9, r.members.map(\.ref))
                    rel.packed(10, r.members.map { ["node": 0, "way": 1, "relation": 2][$0.type]! })
                    group.message(4, rel)
                }
                return [group]
            })
        }
        return out
    }

    /// The string table, built while the groups are written (index 0 is the empty string, which
    /// the format reserves as the end of a dense node's tags).
    final class Strings {
        var list = [""]
        var indices = ["": 0]
        func index(_ s: String) -> UInt64 {
            if let i = indices[s] { return UInt64(i) }
            list.append(s)
            indices[s] = list.count - 1
            return UInt64(list.count - 1)
        }
    }

    func primitiveBlock(_ groups: (Strings) -> [Message]) -> [UInt8] {
        let strings = Strings()
        let written = groups(strings)
        var table = Message()
        for s in strings.list { table.string(1, s) }
        var block = Message()
        block.message(1, table)
        for g in written { block.message(2, g) }
        if granularity != 100 { block.int(17, granularity) }
        if latOffset != 0 { block.int(19, latOffset) }
        if lonOffset != 0 { block.int(20, lonOffset) }
        return block.bytes
    }

    /// Degrees to stored units: `(degrees × 10⁹ − offset) / granularity`, rounded.
    func units(_ degrees: Double, _ offset: Int64) -> Int64 {
        ((degrees * 1e9 - Double(offset)) / Double(granularity)).rounded().toInt64
    }

    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(bytes.count), 6) }
        }
        precondition(status == Z_OK)
        return Array(out[0..<Int(size)])
    }

    /// gzip (for the .osm.gz bomb): zlib's deflate with a gzip wrapper.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let produced = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: i.baseAddress)
                stream.avail_in = UInt32(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                precondition(CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return o.count - Int(stream.avail_out)
            }
        }
        return Array(out[0..<produced])
    }
}

extension Double {
    fileprivate var toInt64: Int64 { Int64(self) }
}
