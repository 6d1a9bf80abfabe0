import Foundation
import PropertyBased
import Randomness
import Testing
@testable import City

/// OSM PBF: read what the test writer writes (every encoding the format allows), and refuse
/// hostile files with an ``ImportError`` naming the block, in bounded memory, never a trap.
@Suite struct PBFReaderTests {
    static let sampleDocument: OSMDocument = try! OSMDocument.parse(Array(OSMImporterTests.sample.utf8))

    // MARK: - Reading what is written

    @Test func sampleAsPBFIsTheSameCityAsItsXML() throws {
        let xmlCity = try OSMImporter.importCity(from: Array(OSMImporterTests.sample.utf8))
        for dense in [true, false] {
            for compress in [true, false] {
                var writer = PBFTestWriter()
                writer.denseNodes = dense
                writer.compress = compress
                writer.elementsPerBlock = 3
                let pbf = writer.write(Self.sampleDocument)
                #expect(OSMImporter.isPBF(pbf))
                #expect(try OSMImporter.importCity(from: pbf) == xmlCity, "dense \(dense), compress \(compress)")
            }
        }
    }

    /// read(write(doc)) == doc for random documents, block sizes, granularities and offsets.
    @Test func randomDocumentsRoundTrip() async throws {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let doc = Self.randomDocument(&rng)
            var writer = PBFTestWriter()
            writer.denseNodes = rng.below(2) == 0
            writer.compress = rng.below(2) == 0
            writer.elementsPerBlock = 1 + rng.below(40)
            writer.granularity = [100, 100, 1, 1000][rng.below(4)]
            if rng.below(2) == 0 {
                writer.latOffset = Int64(rng.below(2_000_001)) - 1_000_000
                writer.lonOffset = Int64(rng.below(2_000_001)) - 1_000_000
            }
            let back = try PBFReader.read(writer.write(doc), maximumInflatedSize: 1 << 30)
            // Exact at the default granularity without offsets (10⁻⁷° is what the XML holds);
            // otherwise within one unit of the granularity.
            let exact = writer.granularity == 100 && writer.latOffset == 0 && writer.lonOffset == 0
            Self.expectSame(back, doc, tolerance: exact ? 0 : Double(writer.granularity) / 1e9)
        }
    }

    static func randomDocument(_ rng: inout SeededRandom) -> OSMDocument {
        var doc = OSMDocument()
        let words = ["", "building", "yes", "highway", "residential", "name", "Rue d'Aula", "Қала", "outer", "inner"]
        func tags() -> [String: String] {
            var t: [String: String] = [:]
            // Keys are never empty: string 0 ends a dense node's tags (values may be empty).
            for _ in 0..<rng.below(4) { t[words[1 + rng.below(words.count - 1)]] = words[rng.below(words.count)] }
            return t
        }
        var ids: [Int64] = []
        for _ in 0..<rng.below(120) {
            // Ids far apart and negative too (JOSM's new elements), coordinates in 1e-7° steps.
            let id = Int64(bitPattern: rng.next() >> 2) * (rng.below(5) == 0 ? -1 : 1)
            ids.append(id)
            doc.nodes[id] = GeoCoordinate(latitude: Double(Int(rng.below(1_800_000_001)) - 900_000_000) / 1e7,
                                          longitude: Double(Int(rng.below(3_600_000_001)) - 1_800_000_000) / 1e7)
            // Like the XML reader, only nodes with tags are in nodeTags.
            if rng.below(3) == 0, case let t = tags(), !t.isEmpty { doc.nodeTags[id] = t }
        }
        for w in 0..<rng.below(30) {
            let refs = (0..<rng.below(12)).map { _ in ids.isEmpty ? Int64(rng.below(100)) : ids[rng.below(ids.count)] }
            doc.ways.append(OSMDocument.Way(id: Int64(w * 7 + 1), refs: refs, tags: tags(), line: 0))
        }
        for r in 0..<rng.below(6) {
            let members = (0..<rng.below(6)).map { _ in
                OSMDocument.Member(type: ["node", "way", "relation"][rng.below(3)], ref: Int64(bitPattern: rng.next() >> 1) - (1 << 61),
                                   role: words[rng.below(words.count)])
            }
            doc.relations.append(OSMDocument.Relation(id: Int64(r + 100), members: members, tags: tags()))
        }
        return doc
    }

    static func expectSame(_ a: OSMDocument, _ b: OSMDocument, tolerance: Double) {
        #expect(a.nodes.count == b.nodes.count)
        for (id, g) in b.nodes {
            guard let h = a.nodes[id] else { Issue.record("node \(id) lost"); continue }
            #expect(abs(h.latitude - g.latitude) <= tolerance && abs(h.longitude - g.longitude) <= tolerance, "node \(id)")
        }
        #expect(a.nodeTags == b.nodeTags)
        #expect(a.ways.map(\.id) == b.ways.map(\.id))
        #expect(a.ways.map(\.refs) == b.ways.map(\.refs))
        #expect(a.ways.map(\.tags) == b.ways.map(\.tags))
        #expect(a.relations.map(\.id) == b.relations.map(\.id))
        #expect(a.relations.map(\.tags) == b.relations.map(\.tags))
        #expect(a.relations.map { $0.members.map { "\($0.type) \($0.ref) \($0.role)" } }
                == b.relations.map { $0.members.map { "\($0.type) \($0.ref) \($0.role)" } })
    }

    // MARK: - Hostile files

    static func importError(_ bytes: [UInt8], options: ImportOptions = ImportOptions()) -> ImportError? {
        do {
            _ = try OSMImporter.importCity(from: bytes, options: options)
            return nil
        } catch {
            return error
        }
    }

    /// Cut anywhere, the file is refused with the block that was cut, never half imported.
    @Test func truncatedFileNamesTheBlock() throws {
        var writer = PBFTestWriter()
        writer.elementsPerBlock = 4
        let pbf = writer.write(Self.sampleDocument)
        let boundaries = try Self.blockBoundaries(pbf)
        #expect(boundaries.count == 7)  // header, 3 of nodes, 2 of ways, 1 of relations
        // Shorter than a block header's start (15 bytes) the file is not recognised as PBF.
        for cut in 1..<15 { #expect(Self.importError(Array(pbf[0..<cut])) != nil) }
        for cut in 15..<pbf.count {
            // A file cut between blocks is a shorter valid file: the format has no end marker.
            guard let error = Self.importError(Array(pbf[0..<cut])) else {
                #expect(boundaries.contains(cut), "cut at \(cut) was imported")
                continue
            }
            #expect(error.element.hasPrefix("PBF block "), "cut at \(cut): \(error)")
        }
        // The real file, cut inside its third block.
        let andorra = try #require(FileManager.default.contents(atPath: RealExtractTests.url("andorra.osm.pbf").path))
        let error = try #require(Self.importError([UInt8](andorra.prefix(200_000))))
        #expect(error.element.hasPrefix("PBF block "))
        #expect(error.reason.contains("truncated file"))
    }

    /// Where each block of a file ends.
    static func blockBoundaries(_ file: [UInt8]) throws -> [Int] {
        var offset = 0
        var ends: [Int] = []
        while offset < file.count {
            let size = file[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            var header = ProtobufReader(file, range: (offset + 4)..<(offset + 4 + size), context: "test")
            var dataSize = 0
            while let f = try header.nextField() {
                if f.number == 3 { dataSize = Int(try header.varint()) } else { try header.skip(f.type) }
            }
            offset += 4 + size + dataSize
            ends.append(offset)
        }
        return ends
    }

    @Test func blobClaimingTwoGigabytesIsRefused() throws {
        let writer = PBFTestWriter()
        var file = writer.headerBlock()
        file += PBFTestWriter.frame(type: "OSMData", blob: [0x0A, 0x00], declaredSize: 2_000_000_000)
        let error = try #require(Self.importError(file))
        #expect(error.element.hasPrefix("PBF block 2 (file offset "))
        #expect(error.reason == "OSMData blob of 2000000000 bytes; the format allows 1 byte to 32 MiB")

        // A blob whose raw_size claims 2 GB.
        var blob = PBFTestWriter.Message()
        blob.int(2, 2_000_000_000)
        blob.bytes(3, PBFTestWriter.deflate([0x0A, 0x00]))
        let claimed = writer.headerBlock() + PBFTestWriter.frame(type: "OSMData", blob: blob.bytes)
        #expect(Self.importError(claimed)?.reason == "zlib blob declares raw_size 2000000000; the format requires one up to 32 MiB")

        // A block header claiming 2 GB.
        let header = [0x7F, 0xFF, 0xFF, 0xFF, 0x0A, 0x07] + Array("OSMData".utf8)
        #expect(Self.importError(writer.headerBlock() + header)?.reason == "block header of 2147483647 bytes; the format allows 1 to 64 KiB")
    }

    /// 64 MiB of zeros in 64 KB, declared as 1 KiB: inflating stops at the declared size.
    @Test func zlibBombStopsAtTheDeclaredSize() throws {
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        let bomb = PBFTestWriter.deflate(zeros)
        #expect(bomb.count < 100_000)
        var blob = PBFTestWriter.Message()
        blob.int(2, 1024)
        blob.bytes(3, bomb)
        let writer = PBFTestWriter()
        let file = writer.headerBlock() + PBFTestWriter.frame(type: "OSMData", blob: blob.bytes)
        let error = try #require(Self.importError(file))
        #expect(error.element.hasPrefix("PBF block 2 "))
        #expect(error.reason == "inflates to more than 1 KiB, the limit of an import")

        // Valid blocks of 30 MiB each (a string table of one long string), declared honestly:
        // together they stop at the import's limit (40 MiB here), at the second of them.
        var table = PBFTestWriter.Message()
        table.bytes(1, [UInt8](repeating: 0x61, count: 30 << 20))
        var primitive = PBFTestWriter.Message()
        primitive.message(1, table)
        let big = writer.block(type: "OSMData", primitive.bytes)
        #expect(big.count < 100_000)
        var options = ImportOptions()
        options.maximumInflatedSize = 40 << 20
        let tooMuch = try #require(Self.importError(writer.headerBlock() + big + big, options: options))
        #expect(tooMuch.element.hasPrefix("PBF block 3 "))
        #expect(tooMuch.reason.hasPrefix("the file's blocks inflate to more than the limit of an import"))
    }

    /// One block of 2 MB of zero deltas is a way of 2 million references to one node: 16 MB of
    /// memory from 2 KB of zlib. Past the import's element limit (1 million here; 100 million by
    /// default) the file is refused after that block.
    @Test func blockOfOneByteDeltasStopsAtTheElementLimit() throws {
        #expect(ImportOptions().maximumElements == 100_000_000)
        var table = PBFTestWriter.Message()
        table.string(1, "")
        var way = PBFTestWriter.Message()
        way.int(1, 1)
        way.bytes(8, [UInt8](repeating: 0, count: 2_000_000))  // packed sint64 deltas, all 0
        var group = PBFTestWriter.Message()
        group.message(3, way)
        var block = PBFTestWriter.Message()
        block.message(1, table)
        block.message(2, group)
        let writer = PBFTestWriter()
        let file = writer.headerBlock() + writer.block(type: "OSMData", block.bytes)
        #expect(file.count < 10_000)
        var options = ImportOptions()
        options.maximumElements = 1_000_000
        let error = try #require(Self.importError(file, options: options))
        #expect(error.element.hasPrefix("PBF block 2 "))
        #expect(error.reason == "the file holds more than 1000000 nodes, way nodes and relation members, the limit of an import")
    }

    /// An .osm.gz that inflates past the limit stops there (1 GiB by default; 1 MiB here).
    @Test func gzipBombStopsAtTheLimit() throws {
        #expect(ImportOptions().maximumInflatedSize == 1 << 30)
        let bomb = PBFTestWriter.gzip([UInt8](repeating: 0x20, count: 16 << 20))
        #expect(bomb.count < 40_000)
        var options = ImportOptions()
        options.maximumInflatedSize = 1 << 20
        #expect(Self.importError(bomb, options: options) == ImportError(element: "gzip", reason: "inflates to more than 1 MiB, the limit of an import"))
        // Under the limit the same file is read (and is no OSM); any limit a caller sets is safe.
        for limit in [32 << 20, Int.max] {
            options.maximumInflatedSize = limit
            #expect(Self.importError(bomb, options: options) == ImportError(element: "line 1", reason: "no XML element in the file: not OSM XML or PBF"))
        }
        options.maximumInflatedSize = -1
        #expect(Self.importError(bomb, options: options) == ImportError(element: "gzip", reason: "inflates to more than 0 bytes, the limit of an import"))
    }

    @Test func fileThatIsNotOSMFailsWholeWithItsLine() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]
        let notOSM = ImportError(element: "line 1", reason: "no XML element in the file: not OSM XML or PBF")
        #expect(Self.importError(png) == notOSM)
        let json = Array("{\"type\": \"FeatureCollection\", \"features\": []}".utf8)
        #expect(Self.importError(json) == notOSM)
        let html = Array("<!DOCTYPE html>\n<html><body>Not found</body></html>".utf8)
        #expect(Self.importError(html) == ImportError(element: "line 2", reason: "not an OSM XML document (root element <html>)"))
    }

    @Test func malformedBlocksAreNamed() throws {
        let writer = PBFTestWriter()
        func dataBlock(_ payload: [UInt8]) -> [UInt8] { writer.headerBlock() + writer.block(type: "OSMData", payload) }

        // A varint of eleven bytes.
        let longVarint = dataBlock([0x88] + [UInt8](repeating: 0xFF, count: 10) + [0x01])
        #expect(Self.importError(longVarint)?.reason.hasPrefix("a number is longer than 64 bits") == true)

        // A string table of one string, and a way whose tag points at string 5.
        var table = PBFTestWriter.Message()
        table.string(1, "")
        var way = PBFTestWriter.Message()
        way.int(1, 9)
        way.packed(2, [5])
        way.packed(3, [0])
        var group = PBFTestWriter.Message()
        group.message(3, way)
        var block = PBFTestWriter.Message()
        block.message(1, table)
        block.message(2, group)
        #expect(Self.importError(dataBlock(block.bytes))?.reason.hasPrefix("string 5 is not in the block's table of 1") == true)

        // Dense nodes with two ids and one latitude.
        var dense = PBFTestWriter.Message()
        dense.deltas(1, [1, 2])
        dense.deltas(8, [10])
        dense.deltas(9, [10, 20])
        group = PBFTestWriter.Message()
        group.message(2, dense)
        block = PBFTestWriter.Message()
        block.message(1, table)
        block.message(2, group)
        #expect(Self.importError(dataBlock(block.bytes))?.reason.hasPrefix("dense nodes with 2 ids, 1 latitudes and 2 longitudes") == true)

        // A field that claims more bytes than its message holds.
        #expect(Self.importError(dataBlock([0x0A, 0x7F, 0x00]))?.reason.hasPrefix("a field of 127 bytes runs past the end of its message") == true)

        // A feature the reader does not know, and a first block that is no header.
        let unknown = writer.headerBlock(requiredFeatures: ["OsmSchema-V0.6", "LocationsOnWays-Only"])
        #expect(Self.importError(unknown)?.reason == "the file requires the feature \"LocationsOnWays-Only\", which Aula does not read")
        let headless = writer.block(type: "OSMData", [])
        #expect(Self.importError(headless)?.reason == "the first block is OSMData, not OSMHeader")

        // Compressions other than zlib are named.
        var zstd = PBFTestWriter.Message()
        zstd.int(2, 10)
        zstd.bytes(7, [0x28, 0xB5, 0x2F, 0xFD])
        let zstdFile = writer.headerBlock() + PBFTestWriter.frame(type: "OSMData", blob: zstd.bytes)
        #expect(Self.importError(zstdFile)?.reason.hasPrefix("Zstandard-compressed blocks are not supported") == true)

        // A node at latitude 95°.
        var badNode = PBFTestWriter.Message()
        badNode.sint(1, 7)
        badNode.sint(8, 950_000_000)
        badNode.sint(9, 0)
        group = PBFTestWriter.Message()
        group.message(1, badNode)
        block = PBFTestWriter.Message()
        block.message(1, table)
        block.message(2, group)
        #expect(Self.importError(dataBlock(block.bytes))?.element == "node 7")
    }

    /// Random bytes behind a valid header, many times: an error, never a trap.
    @Test func randomBlocksNeverTrap() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            var writer = PBFTestWriter()
            writer.compress = rng.below(2) == 0
            var payload = writer.write(Self.sampleDocument)
            // Flip a few bytes anywhere after the header block.
            for _ in 0..<(1 + rng.below(4)) {
                let i = 40 + rng.below(payload.count - 40)
                payload[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = try? OSMImporter.importCity(from: payload)
        }
    }
}
