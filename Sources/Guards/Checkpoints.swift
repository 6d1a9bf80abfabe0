import Catalog
import Foundation

/// A place on a post's tour: a printed QR code holds the address of the guard's page with this
/// checkpoint's code, which the phone's own camera app opens (docs/guards.md, "Checkpoint tours").
/// The code is a random secret: a scan proves the phone saw the printed sheet (or a copy of it);
/// the position the phone reports with it says where.
public struct Checkpoint: Sendable, Codable, Equatable {
    public var id: Int64 = 0
    public var post: Int64
    public var name: String
    public var latitude: Double
    public var longitude: Double
    /// How often a guard on duty should pass; a checkpoint not scanned for longer is overdue.
    public var everyMinutes: Int
    public var code: String

    public init(post: Int64, name: String, latitude: Double, longitude: Double, everyMinutes: Int, code: String) {
        self.post = post
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.everyMinutes = everyMinutes
        self.code = code
    }
}

/// One scan of a checkpoint by a guard.
public struct CheckpointScan: Sendable, Codable, Equatable {
    public var id: Int64 = 0
    public var checkpoint: Int64
    public var post: Int64
    public var guardName: String
    public var atMicros: Int64
    public var latitude: Double?
    public var longitude: Double?
    /// Metres between where the phone said it was and the checkpoint, when it said.
    public var distanceMetres: Double?

    public init(checkpoint: Int64, post: Int64, guardName: String, atMicros: Int64, latitude: Double?, longitude: Double?, distanceMetres: Double?) {
        self.checkpoint = checkpoint
        self.post = post
        self.guardName = guardName
        self.atMicros = atMicros
        self.latitude = latitude
        self.longitude = longitude
        self.distanceMetres = distanceMetres
    }
}

extension GuardService {
    public func checkpoints(post: Int64? = nil) async throws -> [Checkpoint] {
        try await catalog.records(kind: Kind.checkpoint, tag: post.map(String.init), limit: 10_000).map(Self.checkpoint)
            .sorted { ($0.post, $0.id) < ($1.post, $1.id) }
    }

    public func checkpoint(code: String) async throws -> Checkpoint? {
        try await catalog.record(kind: Kind.checkpoint, key: code).map(Self.checkpoint)
    }

    public func checkpoint(id: Int64) async throws -> Checkpoint? {
        try await catalog.record(kind: Kind.checkpoint, id: id).map(Self.checkpoint)
    }

    static func checkpoint(_ record: StoredRecord) throws -> Checkpoint {
        var checkpoint = try decode(Checkpoint.self, record)
        checkpoint.id = record.id
        return checkpoint
    }

    /// Adds a checkpoint with a fresh random code (128 bits, URL-safe).
    public func addCheckpoint(post: Int64, name: String, latitude: Double, longitude: Double, everyMinutes: Int) async throws -> Checkpoint {
        var checkpoint = Checkpoint(post: post, name: name, latitude: latitude, longitude: longitude, everyMinutes: everyMinutes,
                                    code: Self.newCode())
        let record = try await catalog.insertRecord(kind: Kind.checkpoint, key: checkpoint.code,
                                                    fields: RecordFields(tag: String(post), time: Self.nowMicros(), body: try Self.encoder.encode(checkpoint))).record
        checkpoint.id = record.id
        return checkpoint
    }

    public func deleteCheckpoint(id: Int64) async throws -> Bool { try await catalog.deleteRecord(kind: Kind.checkpoint, id: id) }

    /// Records a scan; with an idempotency key (a phone sending again) once.
    public func recordScan(_ scan: CheckpointScan, key: String?) async throws -> CheckpointScan {
        let result = try await catalog.insertRecord(kind: Kind.scan, key: key.map { "\(scan.guardName):\($0)" },
                                                    fields: RecordFields(tag: String(scan.post), time: scan.atMicros, body: try Self.encoder.encode(scan)))
        var stored = try Self.decode(CheckpointScan.self, result.record)
        stored.id = result.record.id
        return stored
    }

    /// Scans of a post's checkpoints (or all) in a window, newest first.
    public func scans(post: Int64?, from: Int64, to: Int64, limit: Int = 10_000) async throws -> [CheckpointScan] {
        try await catalog.records(kind: Kind.scan, tag: post.map(String.init), from: from, to: to, limit: limit).map { record in
            var scan = try Self.decode(CheckpointScan.self, record)
            scan.id = record.id
            return scan
        }.sorted { ($0.atMicros, $0.id) > ($1.atMicros, $1.id) }
    }

    static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        // 22 characters of a 57-letter alphabet: about 128 bits.
        return String((0..<22).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
