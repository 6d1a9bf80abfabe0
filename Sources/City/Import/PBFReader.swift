/// Reads OpenStreetMap PBF (`.osm.pbf`), the binary format most extract services offer, into the
/// same ``OSMDocument`` the XML reader fills, so that both formats make the same city.
///
/// A PBF file is a sequence of blocks: a 4-byte big-endian length, a `BlobHeader` message (its
/// type and the size of what follows) and a `Blob` (raw or zlib-compressed bytes). The first block
/// is an `OSMHeader` (`HeaderBlock`: the features a reader must understand); the others are
/// `OSMData` (`PrimitiveBlock`: a string table, coordinate granularity and offsets, and groups of
/// nodes, dense nodes, ways and relations, with ids, coordinates and references delta-coded).
/// Field numbers are those of the format's `fileformat.proto` and `osmformat.proto`.
///
/// Everything is bounded by the format's own limits: a `BlobHeader` under 64 KiB, a blob (and
/// what it inflates to) under 32 MiB, and all blocks together under
/// ``ImportOptions/maximumInflatedSize``; the elements read (nodes, way nodes, relation members)
/// under ``ImportOptions/maximumElements``, checked after each block, since a varint of one byte
/// becomes an `Int64` of eight. A malformed file is an ``ImportError`` naming the block
/// and the byte (`PBF block 3 (file offset 70112): …`), never a trap.
enum PBFReader {
    static let maximumHeaderSize = 64 * 1024
    static let maximumBlobSize = 32 * 1024 * 1024
    /// Required features this reader understands (`HeaderBlock.required_features`).
    static let knownFeatures: Set<String> = ["OsmSchema-V0.6", "DenseNodes", "HistoricalInformation"]

    /// Whether the bytes start like a PBF file: a small header length and a `BlobHeader` whose
    /// first field is the type `OSMHeader` or `OSMData` (files are recognised by content, not name).
    static func isPBF(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 6, bytes[0] == 0, bytes[1] == 0, bytes[4] == 0x0A else { return false }
        let length = Int(bytes[5])
        guard bytes.count >= 6 + length else { return false }
        let type = bytes[6..<(6 + length)]
        return type.elementsEqual("OSMHeader".utf8) || type.elementsEqual("OSMData".utf8)
    }

    static func read(_ bytes: [UInt8], maximumInflatedSize: Int,
                     maximumElements: Int = ImportOptions().maximumElements) throws(ImportError) -> OSMDocument {
        var doc = OSMDocument()
        var offset = 0
        var index = 0
        var inflated = 0
        var sawHeader = false
        var elements = 0
        while offset < bytes.count {
            index += 1
            let name = "PBF block \(index) (file offset \(offset))"
            guard bytes.count - offset >= 4 else {
                throw ImportError(element: name, reason: "file ends inside a block's length (\(bytes.count - offset) of 4 bytes)")
            }
            let headerSize = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard headerSize > 0, headerSize <= maximumHeaderSize else {
                throw ImportError(element: name, reason: "block header of \(headerSize) bytes; the format allows 1 to 64 KiB")
            }
            guard bytes.count - offset - 4 >= headerSize else {
                throw ImportError(element: name, reason: "file ends inside the block header (truncated file)")
            }
            var header = ProtobufReader(bytes, range: (offset + 4)..<(offset + 4 + headerSize), context: name)
            var type: String?
            var dataSize: Int64?
            while let field = try header.nextField() {
                switch (field.number, field.type) {
                case (1, .lengthDelimited): type = try header.string()
                case (3, .varint): dataSize = try header.int64()
                default: try header.skip(field.type)
                }
            }
            guard let type, let dataSize else { throw ImportError(element: name, reason: "block header without type or data size") }
            guard dataSize > 0, dataSize <= Int64(maximumBlobSize) else {
                throw ImportError(element: name, reason: "\(type) blob of \(dataSize) bytes; the format allows 1 byte to 32 MiB")
            }
            let blobStart = offset + 4 + headerSize
            guard bytes.count - blobStart >= Int(dataSize) else {
                throw ImportError(element: name, reason: "\(type) blob of \(dataSize) bytes, but the file ends after \(bytes.count - blobStart) (truncated file)")
            }
            let blobRange = blobStart..<(blobStart + Int(dataSize))
            offset = blobRange.upperBound
            if index == 1 && type != "OSMHeader" {
                throw ImportError(element: name, reason: "the first block is \(type), not OSMHeader")
            }
            guard type == "OSMHeader" || type == "OSMData" else { continue }  // the format says: skip unknown blocks
            let data = try blob(bytes, blobRange, name: name, budget: maximumInflatedSize - inflated)
            inflated += data.count
            if type == "OSMHeader" {
                try readHeader(data, name: name)
                sawHeader = true
            } else {
                guard sawHeader else { throw ImportError(element: name, reason: "OSMData before the OSMHeader block") }
                elements += try PBFPrimitiveBlock.read(data, name: name, into: &doc)
                guard elements <= maximumElements else {
                    throw ImportError(element: name, reason: "the file holds more than \(maximumElements) nodes, way nodes and relation members, the limit of an import")
                }
            }
        }
        guard sawHeader else { throw ImportError(element: "PBF file", reason: "no OSMHeader block (empty file)") }
        return doc
    }

    /// The bytes a `Blob` holds: raw, or zlib-inflated to exactly its `raw_size`.
    static func blob(_ bytes: [UInt8], _ range: Range<Int>, name: String, budget: Int) throws(ImportError) -> [UInt8] {
        var blob = ProtobufReader(bytes, range: range, context: name)
        var raw: Range<Int>?
        var zlib: Range<Int>?
        var rawSize: Int64?
        while let field = try blob.nextField() {
            switch (field.number, field.type) {
            case (1, .lengthDelimited): raw = try blob.lengthDelimited()
            case (2, .varint): rawSize = try blob.int64()
            case (3, .lengthDelimited): zlib = try blob.lengthDelimited()
            case (4, _): throw unsupported("LZMA", name)
            case (5, _): throw unsupported("bzip2", name)
            case (6, _): throw unsupported("LZ4", name)
            case (7, _): throw unsupported("Zstandard", name)
            default: try blob.skip(field.type)
            }
        }
        if let raw {
            guard raw.count <= budget else { throw tooMuch(name, budget) }
            return Array(bytes[raw])
        }
        guard let zlib else { throw ImportError(element: name, reason: "blob holds no data (neither raw nor zlib_data)") }
        guard let rawSize, rawSize >= 0, rawSize <= Int64(maximumBlobSize) else {
            throw ImportError(element: name, reason: "zlib blob declares raw_size \(rawSize.map(String.init) ?? "none"); the format requires one up to 32 MiB")
        }
        guard Int(rawSize) <= budget else { throw tooMuch(name, budget) }
        let data = try Gzip.inflate(bytes[zlib], format: .zlib, limit: Int(rawSize), element: name)
        guard data.count == Int(rawSize) else {
            throw ImportError(element: name, reason: "zlib data inflates to \(data.count) bytes; raw_size says \(rawSize)")
        }
        return data
    }

    private static func unsupported(_ compression: String, _ name: String) -> ImportError {
        ImportError(element: name, reason: "\(compression)-compressed blocks are not supported; "
                    + "write the file with zlib blocks (what osmium and osmconvert write by default)")
    }

    private static func tooMuch(_ name: String, _ budget: Int) -> ImportError {
        ImportError(element: name, reason: "the file's blocks inflate to more than the limit of an import (\(max(0, budget)) bytes left)")
    }

    /// Checks that the `HeaderBlock` asks for nothing this reader does not understand.
    static func readHeader(_ data: [UInt8], name: String) throws(ImportError) {
        var header = ProtobufReader(data, context: name)
        while let field = try header.nextField() {
            if field.number == 4, field.type == .lengthDelimited {
                let feature = try header.string()
                guard knownFeatures.contains(feature) else {
                    throw ImportError(element: name, reason: "the file requires the feature \"\(feature)\", which Aula does not read")
                }
            } else {
                try header.skip(field.type)
            }
        }
    }
}
