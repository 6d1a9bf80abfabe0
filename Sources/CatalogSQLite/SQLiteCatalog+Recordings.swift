import Catalog
import Foundation
import GRDB
import Media

extension SQLiteCatalog: RecordingStore {
    public func maxAgeDays() async throws -> [Int64: Int] {
        try await pool.read { db in
            var result: [Int64: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT camera_id, max_age_days FROM camera_retention WHERE max_age_days IS NOT NULL") {
                result[row[0]] = row[1]
            }
            return result
        }
    }

    public func setMaxAgeDays(_ days: Int?, camera: Int64) async throws {
        try await pool.write { db in
            if let days {
                try db.execute(sql: "INSERT OR REPLACE INTO camera_retention (camera_id, max_age_days) VALUES (?, ?)", arguments: [camera, days])
            } else {
                try db.execute(sql: "DELETE FROM camera_retention WHERE camera_id = ?", arguments: [camera])
            }
        }
    }

    public func commit(_ recordings: [Recording]) async throws {
        guard !recordings.isEmpty else { return }
        try await pool.write { db in
            for r in recordings {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO recording (id, camera_id, run_id, start_90k, duration_90k, frames, bytes,
                          sample_entry_id, sample_index, has_composition_offsets, ends_run, stream)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [r.id, r.cameraID, r.runID, r.start90k, r.duration90k, r.frames, r.bytes, r.sampleEntryID,
                                Data(r.index), r.hasCompositionOffsets, r.endsRun, r.stream.rawValue])
            }
        }
    }

    public func sampleEntryID(codec: VideoCodec, parameterSets: ParameterSets) async throws -> Int64 {
        try await pool.write { db in
            let args: StatementArguments = [codec.rawValue, parameterSets.vps.map { Data($0) }, parameterSets.sps.map { Data($0) }, parameterSets.pps.map { Data($0) }]
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM sample_entry WHERE codec = ? AND vps IS ? AND sps IS ? AND pps IS ?", arguments: args) {
                return id
            }
            try db.execute(sql: "INSERT INTO sample_entry (codec, vps, sps, pps) VALUES (?, ?, ?, ?)", arguments: args)
            return db.lastInsertedRowID
        }
    }

    public func sampleEntry(id: Int64) async throws -> SampleEntry? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sample_entry WHERE id = ?", arguments: [id]) else { return nil }
            let codec = VideoCodec(rawValue: row["codec"]) ?? .h264
            func bytes(_ column: String) -> [UInt8]? { (row[column] as Data?).map { [UInt8]($0) } }
            return SampleEntry(id: id, codec: codec, parameterSets: ParameterSets(vps: bytes("vps"), sps: bytes("sps"), pps: bytes("pps")))
        }
    }

    public func recordings(camera: Int64, stream: RecordedStream, from start90k: Int64, to end90k: Int64) async throws -> [Recording] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM recording WHERE camera_id = ? AND stream = ? AND start_90k < ? AND start_90k + duration_90k > ?
                ORDER BY start_90k, id
                """, arguments: [camera, stream.rawValue, end90k, start90k]).map(Recording.init(row:))
        }
    }

    public func allRecordingLocations() async throws -> [(camera: Int64, id: Int64, bytes: Int64)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT camera_id, id, bytes FROM recording").map { ($0[0], $0[1], $0[2]) }
        }
    }

    public func maxRecordingID() async throws -> Int64 {
        try await pool.read { db in
            max(try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM recording") ?? 0,
                try Int64.fetchOne(db, sql: "SELECT MAX(recording_id) FROM garbage") ?? 0)
        }
    }

    public func reserveRecordingIDs(count: Int, atLeast minimum: Int64) async throws -> Range<Int64> {
        precondition(count > 0)
        return try await pool.write { db in
            let stored = try Int64.fetchOne(db, sql: "SELECT next FROM recording_id_sequence WHERE singleton = 1") ?? 1
            // Past any row committed with an id the sequence did not issue (older versions counted
            // ids in the writer).
            let used = max(try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM recording") ?? 0,
                           try Int64.fetchOne(db, sql: "SELECT MAX(recording_id) FROM garbage") ?? 0)
            let first = max(stored, minimum, used + 1)
            try db.execute(sql: "UPDATE recording_id_sequence SET next = ? WHERE singleton = 1", arguments: [first + Int64(count)])
            return first..<(first + Int64(count))
        }
    }

    @discardableResult
    public func moveToGarbage(ids: [Int64]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await pool.write { db in
            var cameras = Set<Int64>()
            for id in ids {
                if let camera = try Int64.fetchOne(db, sql: "SELECT camera_id FROM recording WHERE id = ?", arguments: [id]) { cameras.insert(camera) }
                try db.execute(sql: "INSERT OR IGNORE INTO garbage (recording_id, camera_id) SELECT id, camera_id FROM recording WHERE id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM recording WHERE id = ?", arguments: [id])
            }
            var events = 0
            for camera in cameras.sorted() {
                let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(start_90k) FROM recording WHERE camera_id = ?", arguments: [camera])
                events += try Self.deleteMotionEvents(db, camera: camera, endingBefore: oldest ?? .max)
            }
            return events
        }
    }

    public func garbage() async throws -> [(camera: Int64, id: Int64)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT camera_id, recording_id FROM garbage").map { ($0[0], $0[1]) }
        }
    }

    public func removeGarbage(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await pool.write { db in
            for id in ids { try db.execute(sql: "DELETE FROM garbage WHERE recording_id = ?", arguments: [id]) }
        }
    }

    public func streamUsage() async throws -> [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] {
        try await pool.read { db in
            var result: [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT camera_id, stream, SUM(bytes), MIN(start_90k), MAX(start_90k + duration_90k) FROM recording GROUP BY camera_id, stream
                """) {
                guard let stream = RecordedStream(rawValue: row[1]) else { continue }
                result[RecordedStreamID(camera: row[0], stream: stream)] = (row[2], row[3], row[4])
            }
            return result
        }
    }

    public func oldestRecordings(limit: Int) async throws -> [Recording] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM recording ORDER BY start_90k LIMIT ?", arguments: [limit]).map(Recording.init(row:))
        }
    }

    public func recordings(camera: Int64, stream: RecordedStream, endingBefore end90k: Int64) async throws -> [Recording] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM recording WHERE camera_id = ? AND stream = ? AND start_90k + duration_90k <= ? ORDER BY start_90k",
                             arguments: [camera, stream.rawValue, end90k]).map(Recording.init(row:))
        }
    }
}

extension Recording {
    init(row: Row) {
        self.init(
            id: row["id"], cameraID: row["camera_id"], runID: row["run_id"], start90k: row["start_90k"],
            duration90k: row["duration_90k"], frames: row["frames"], bytes: row["bytes"], sampleEntryID: row["sample_entry_id"],
            index: [UInt8](row["sample_index"] as Data), hasCompositionOffsets: row["has_composition_offsets"], endsRun: row["ends_run"],
            stream: RecordedStream(rawValue: row["stream"]) ?? .main)
    }
}
