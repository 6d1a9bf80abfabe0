import Catalog
import Footage
import Foundation

/// Index rows the catalogue could not take (it was unreachable: a PostgreSQL restart or
/// fail-over), kept durably on the local disk until it can, so that a node that crashes or is
/// restarted during an outage does not lose the footage recorded meanwhile (docs/cluster.md,
/// "Catalogue outages"). Without the rows, start-up reconciliation would remove those sample
/// files as never committed.
///
/// The file holds the latest set of uncommitted rows, replaced whole (written beside, fsynced,
/// renamed): a crash leaves the previous set or the new one, never a mix. It is bounded: beyond
/// ``maxBytes`` the newest rows are kept and the rest stay in memory only (said in the log).
///
/// Format (little-endian): `AULAIDX1`, the row count (UInt32), each row (id, camera, run, start,
/// duration, frames, bytes, sample entry: Int64 each; flags: UInt8, bit 0 composition offsets,
/// bit 1 ends the run; index length UInt32, index bytes), then a 64-bit FNV-1a of all before it.
public struct IndexJournal: Sendable {
    public let path: String
    public let maxBytes: Int

    public init(path: String, maxBytes: Int = 256 << 20) {
        self.path = path
        self.maxBytes = maxBytes
    }

    public struct Damaged: Error, CustomStringConvertible {
        public var description: String
    }

    static let magic = Array("AULAIDX1".utf8)

    /// Replaces the journal with `rows` (the newest that fit in ``maxBytes``); returns how many
    /// rows were left out.
    @discardableResult
    public func save(_ rows: [Recording]) throws -> Int {
        var kept: [Recording] = []
        var size = Self.magic.count + 4 + 8
        for row in rows.sorted(by: { ($0.start90k, $0.id) > ($1.start90k, $1.id) }) {
            let rowSize = 8 * 8 + 1 + 4 + row.index.count
            if size + rowSize > maxBytes { break }
            size += rowSize
            kept.append(row)
        }
        var bytes = Self.magic
        bytes.reserveCapacity(size)
        append(UInt32(kept.count), to: &bytes)
        for row in kept.reversed() {
            for value in [row.id, row.cameraID, row.runID, row.start90k, row.duration90k, Int64(row.frames), row.bytes, row.sampleEntryID] {
                append(UInt64(bitPattern: value), to: &bytes)
            }
            bytes.append((row.hasCompositionOffsets ? 1 : 0) | (row.endsRun ? 2 : 0))
            append(UInt32(row.index.count), to: &bytes)
            bytes += row.index
        }
        append(Self.checksum(bytes), to: &bytes)
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXFailure(operation: "create \(temporary)", code: errno) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else { throw POSIXFailure(operation: "write \(temporary)", code: errno) }
            written += n
        }
        guard fsync(fd) == 0 else { throw POSIXFailure(operation: "fsync \(temporary)", code: errno) }
        guard rename(temporary, path) == 0 else { throw POSIXFailure(operation: "rename \(temporary)", code: errno) }
        try SampleFile.syncDirectory((path as NSString).deletingLastPathComponent)
        return rows.count - kept.count
    }

    /// The rows kept, or none when there is no journal. A journal that is cut short or altered is
    /// refused whole, naming the byte where it stops making sense.
    public func load() throws -> [Recording] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let bytes = [UInt8](data)
        guard bytes.count >= Self.magic.count + 4 + 8, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
            throw Damaged(description: "\(path): not an index journal (no AULAIDX1 header)")
        }
        let body = bytes.count - 8
        guard read(UInt64.self, bytes, at: body) == Self.checksum(Array(bytes[..<body])) else {
            throw Damaged(description: "\(path): the checksum does not match (cut short or altered; \(bytes.count) bytes)")
        }
        var at = Self.magic.count
        let count = Int(read(UInt32.self, bytes, at: at))
        at += 4
        var rows: [Recording] = []
        for n in 0..<count {
            guard at + 8 * 8 + 1 + 4 <= body else { throw Damaged(description: "\(path): row \(n) is cut short at byte \(at)") }
            var fields: [Int64] = []
            for _ in 0..<8 {
                fields.append(Int64(bitPattern: read(UInt64.self, bytes, at: at)))
                at += 8
            }
            let flags = bytes[at]
            at += 1
            let length = Int(read(UInt32.self, bytes, at: at))
            at += 4
            guard length <= body - at, fields[5] >= 0, fields[5] <= Int64(Int32.max) else {
                throw Damaged(description: "\(path): row \(n) has an impossible length or frame count at byte \(at)")
            }
            rows.append(Recording(id: fields[0], cameraID: fields[1], runID: fields[2], start90k: fields[3], duration90k: fields[4],
                                  frames: Int(fields[5]), bytes: fields[6], sampleEntryID: fields[7], index: Array(bytes[at..<at + length]),
                                  hasCompositionOffsets: flags & 1 != 0, endsRun: flags & 2 != 0))
            at += length
        }
        guard at == body else { throw Damaged(description: "\(path): \(body - at) bytes after the last row") }
        return rows
    }

    public func remove() throws {
        if unlink(path) != 0 && errno != ENOENT { throw POSIXFailure(operation: "remove \(path)", code: errno) }
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { raw in
            for i in 0..<MemoryLayout<T>.size { raw[i] = bytes[offset + i] }
        }
        return T(littleEndian: value)
    }
}
