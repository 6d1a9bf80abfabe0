import Catalog
import Foundation
import Media
import PostgresNIO

extension PostgresCatalog: RecordingStore {
    public func maxAgeDays() async throws -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        for row in try await rows("SELECT camera_id, max_age_days FROM camera_retention WHERE max_age_days IS NOT NULL") {
            result[try row.get("camera_id")] = try row.get("max_age_days", as: Int.self)
        }
        return result
    }

    public func setMaxAgeDays(_ days: Int?, camera: Int64) async throws {
        if let days {
            try await run("""
                INSERT INTO camera_retention (camera_id, max_age_days) VALUES (\(camera), \(days))
                ON CONFLICT (camera_id) DO UPDATE SET max_age_days = excluded.max_age_days
                """)
        } else {
            try await run("DELETE FROM camera_retention WHERE camera_id = \(camera)")
        }
    }

    /// One transaction. Once this node takes part in leasing, only the rows of cameras whose
    /// lease is still in its name with the epoch it holds are stored: the lease rows are read with
    /// a share lock, so a node taking a camera over waits until this commit is in, and a node that
    /// stalled while another took its camera stores nothing more for it (refused, logged). Expiry
    /// alone refuses nothing: a lease that expired while nobody could take it (the catalogue was
    /// down) still covers the rows kept meanwhile.
    public func commit(_ recordings: [Recording]) async throws {
        guard !recordings.isEmpty else { return }
        let held = self.held.withLock { $0 }
        let refused = try await transaction { connection -> Set<Int64> in
            var refused = Set<Int64>()
            if let held {
                let cameras = Array(Set(recordings.map(\.cameraID))).sorted()
                var valid = Set<Int64>()
                for row in try await rows("""
                    SELECT camera_id, epoch, node, offered_to FROM camera_lease
                    WHERE camera_id = ANY(\(cameras)) AND (node = \(nodeName) OR offered_to = \(nodeName))
                    FOR SHARE
                    """, on: connection) {
                    let camera: Int64 = try row.get("camera_id")
                    let node: String = try row.get("node")
                    // Its own lease at the epoch it holds; or a camera being handed over to it,
                    // which it records before the lease moves (make-before-break).
                    if node == nodeName ? held[camera] == (try row.get("epoch", as: Int64.self)) : (try row.get("offered_to", as: String.self)) == nodeName {
                        valid.insert(camera)
                    }
                }
                refused = Set(cameras).subtracting(valid)
            }
            for r in recordings where !refused.contains(r.cameraID) {
                try await run("""
                    INSERT INTO recording (id, camera_id, run_id, start_90k, duration_90k, frames, bytes, sample_entry_id,
                      sample_index, has_composition_offsets, ends_run, node, stream)
                    VALUES (\(r.id), \(r.cameraID), \(r.runID), \(r.start90k), \(r.duration90k), \(Int64(r.frames)), \(r.bytes),
                      \(r.sampleEntryID), \(Data(r.index)), \(r.hasCompositionOffsets), \(r.endsRun), \(nodeName), \(Int16(r.stream.rawValue)))
                    ON CONFLICT (id) DO UPDATE SET camera_id = excluded.camera_id, run_id = excluded.run_id, start_90k = excluded.start_90k,
                      duration_90k = excluded.duration_90k, frames = excluded.frames, bytes = excluded.bytes,
                      sample_entry_id = excluded.sample_entry_id, sample_index = excluded.sample_index,
                      has_composition_offsets = excluded.has_composition_offsets, ends_run = excluded.ends_run, node = excluded.node,
                      stream = excluded.stream
                    """, on: connection)
            }
            return refused
        }
        if !refused.isEmpty {
            logger.warning("index rows refused: this node no longer holds these cameras' leases (another node records them)",
                           metadata: ["node": "\(nodeName)", "cameras": "\(refused.sorted())"])
        }
    }

    public func sampleEntryID(codec: VideoCodec, parameterSets: ParameterSets) async throws -> Int64 {
        let vps = parameterSets.vps.map { Data($0) }, sps = parameterSets.sps.map { Data($0) }, pps = parameterSets.pps.map { Data($0) }
        // Insert unless present (the unique constraint treats NULLs as equal), then read: two
        // nodes meeting the same parameters at once get the same entry.
        try await run("""
            INSERT INTO sample_entry (codec, vps, sps, pps) VALUES (\(codec.rawValue), \(vps)::bytea, \(sps)::bytea, \(pps)::bytea)
            ON CONFLICT DO NOTHING
            """)
        guard let row = try await row("""
            SELECT id FROM sample_entry WHERE codec = \(codec.rawValue) AND vps IS NOT DISTINCT FROM \(vps)::bytea
              AND sps IS NOT DISTINCT FROM \(sps)::bytea AND pps IS NOT DISTINCT FROM \(pps)::bytea
            """) else { throw PostgresCatalogError(message: "the sample entry was neither inserted nor found") }
        return try row.get("id")
    }

    public func sampleEntry(id: Int64) async throws -> SampleEntry? {
        guard let row = try await row("SELECT * FROM sample_entry WHERE id = \(id)") else { return nil }
        func bytes(_ column: String) throws -> [UInt8]? { try row.get(column, as: Data?.self).map { [UInt8]($0) } }
        return SampleEntry(id: id, codec: VideoCodec(rawValue: try row.get("codec")) ?? .h264,
                           parameterSets: ParameterSets(vps: try bytes("vps"), sps: try bytes("sps"), pps: try bytes("pps")))
    }

    public func recordings(camera: Int64, stream: RecordedStream, from start90k: Int64, to end90k: Int64) async throws -> [Recording] {
        try await rows("""
            SELECT * FROM recording WHERE camera_id = \(camera) AND stream = \(Int16(stream.rawValue))
              AND start_90k < \(end90k) AND start_90k + duration_90k > \(start90k)
            ORDER BY start_90k, id
            """).map { try Recording(row: $0, here: nodeName) }
    }

    public func allRecordingLocations() async throws -> [(camera: Int64, id: Int64, bytes: Int64)] {
        try await rows("SELECT camera_id, id, bytes FROM recording WHERE node = \(nodeName)").map { (try $0.get("camera_id"), try $0.get("id"), try $0.get("bytes")) }
    }

    public func maxRecordingID() async throws -> Int64 {
        let row = try await row("""
            SELECT GREATEST(COALESCE((SELECT MAX(id) FROM recording), 0), COALESCE((SELECT MAX(recording_id) FROM garbage), 0)) AS used
            """)
        return try row?.get("used") ?? 0
    }

    /// One statement: the row lock on the sequence orders concurrent writers (several nodes), and
    /// each gets a block no one else gets.
    public func reserveRecordingIDs(count: Int, atLeast minimum: Int64) async throws -> Range<Int64> {
        precondition(count > 0)
        let n = Int64(count)
        guard let row = try await row("""
            UPDATE recording_id_sequence SET next = GREATEST(next, \(minimum),
                COALESCE((SELECT MAX(id) FROM recording), 0) + 1, COALESCE((SELECT MAX(recording_id) FROM garbage), 0) + 1) + \(n)
            WHERE singleton = 1
            RETURNING next - \(n) AS first
            """) else { throw PostgresCatalogError(message: "the recording id sequence is missing") }
        let first: Int64 = try row.get("first")
        return first..<(first + n)
    }

    @discardableResult
    public func moveToGarbage(ids: [Int64]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await transaction { connection in
            try await run("""
                INSERT INTO garbage (recording_id, camera_id, node) SELECT id, camera_id, node FROM recording WHERE id = ANY(\(ids))
                ON CONFLICT DO NOTHING
                """, on: connection)
            let cameras = Set(try await rows("DELETE FROM recording WHERE id = ANY(\(ids)) RETURNING camera_id", on: connection).map { try $0.get("camera_id", as: Int64.self) })
            var events = 0
            for camera in cameras.sorted() {
                let oldest = try await row("SELECT MIN(start_90k) AS oldest FROM recording WHERE camera_id = \(camera)", on: connection)
                let before = try oldest.flatMap { try $0.get("oldest", as: Int64?.self) } ?? .max
                events += try await deleteMotionEvents(camera: camera, endingBefore: before, on: connection)
            }
            return events
        }
    }

    public func garbage() async throws -> [(camera: Int64, id: Int64)] {
        try await rows("SELECT camera_id, recording_id FROM garbage WHERE node = \(nodeName)").map { (try $0.get("camera_id"), try $0.get("recording_id")) }
    }

    public func removeGarbage(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await run("DELETE FROM garbage WHERE recording_id = ANY(\(ids))")
    }

    public func streamUsage() async throws -> [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] {
        var result: [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] = [:]
        for row in try await rows("""
            SELECT camera_id, stream, SUM(bytes)::BIGINT AS bytes, MIN(start_90k) AS oldest, MAX(start_90k + duration_90k) AS newest
            FROM recording WHERE node = \(nodeName) GROUP BY camera_id, stream
            """) {
            guard let stream = RecordedStream(rawValue: Int(try row.get("stream", as: Int16.self))) else { continue }
            result[RecordedStreamID(camera: try row.get("camera_id"), stream: stream)] = (try row.get("bytes"), try row.get("oldest"), try row.get("newest"))
        }
        return result
    }

    public func oldestRecordings(limit: Int) async throws -> [Recording] {
        try await rows("SELECT * FROM recording WHERE node = \(nodeName) ORDER BY start_90k, id LIMIT \(Int64(limit))").map { try Recording(row: $0, here: nodeName) }
    }

    public func recordings(camera: Int64, stream: RecordedStream, endingBefore end90k: Int64) async throws -> [Recording] {
        try await rows("""
            SELECT * FROM recording WHERE node = \(nodeName) AND camera_id = \(camera) AND stream = \(Int16(stream.rawValue))
              AND start_90k + duration_90k <= \(end90k)
            ORDER BY start_90k, id
            """).map { try Recording(row: $0, here: nodeName) }
    }
}

extension Recording {
    /// `here`: the reading node's name; its own rows read with an empty ``Recording/node``.
    init(row: PostgresRandomAccessRow, here: String) throws {
        let node: String = try row.get("node")
        self.init(
            id: try row.get("id"), cameraID: try row.get("camera_id"), runID: try row.get("run_id"), start90k: try row.get("start_90k"),
            duration90k: try row.get("duration_90k"), frames: Int(try row.get("frames", as: Int64.self)), bytes: try row.get("bytes"),
            sampleEntryID: try row.get("sample_entry_id"), index: [UInt8](try row.get("sample_index", as: Data.self)),
            hasCompositionOffsets: try row.get("has_composition_offsets"), endsRun: try row.get("ends_run"),
            node: node == here ? "" : node, stream: RecordedStream(rawValue: Int(try row.get("stream", as: Int16.self))) ?? .main)
    }
}
