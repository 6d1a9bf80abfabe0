import Catalog
import PostgresNIO

extension PostgresCatalog: ClusterStore {
    public func heartbeat(_ report: NodeReport) async throws {
        try await run("""
            INSERT INTO node (name, role, address, capacity, cameras, disk_free, disk_total, started_at, last_seen)
            VALUES (\(report.name), \(report.role.rawValue), \(report.address), \(Int64(report.capacity)), \(Int64(report.cameras)),
              \(report.diskFreeBytes), \(report.diskTotalBytes), \(report.startedMicros), \(unescaped: Self.databaseNow))
            ON CONFLICT (name) DO UPDATE SET role = excluded.role, address = excluded.address, capacity = excluded.capacity,
              cameras = excluded.cameras, disk_free = excluded.disk_free, disk_total = excluded.disk_total,
              started_at = excluded.started_at, last_seen = excluded.last_seen
            """)
    }

    public func nodes(ttlMicros: Int64) async throws -> [ClusterNode] {
        try await rows("""
            SELECT node.*, last_seen > \(unescaped: Self.databaseNow) - \(ttlMicros) AS alive,
              (SELECT COUNT(*) FROM camera_lease WHERE camera_lease.node = node.name AND expires_at > \(unescaped: Self.databaseNow)) AS leases
            FROM node ORDER BY name
            """).map { row in
            let report = NodeReport(
                name: try row.get("name"), role: NodeReport.Role(rawValue: try row.get("role")) ?? .all, address: try row.get("address"),
                capacity: Int(try row.get("capacity", as: Int64.self)), cameras: Int(try row.get("cameras", as: Int64.self)),
                diskFreeBytes: try row.get("disk_free"), diskTotalBytes: try row.get("disk_total"), startedMicros: try row.get("started_at"))
            return ClusterNode(report: report, lastSeenMicros: try row.get("last_seen"), alive: try row.get("alive"),
                               leases: Int(try row.get("leases", as: Int64.self)))
        }
    }

    /// One node balances at a time (an advisory lock), so two nodes never both take the same free
    /// camera, and each sees the others' shares as they are.
    public func balanceLeases(capacity: Int, ttlMicros: Int64, ready: Set<Int64>) async throws -> LeaseBalance {
        let me = nodeName
        let balance = try await transaction { connection -> LeaseBalance in
            try await run("SELECT pg_advisory_xact_lock(\(Self.leaseLock))", on: connection)
            let now: Int64 = try await row("SELECT \(unescaped: Self.databaseNow) AS now", on: connection)?.get("now") ?? 0
            // Leases of cameras that no longer exist go.
            try await run("DELETE FROM camera_lease WHERE camera_id NOT IN (SELECT id FROM camera)", on: connection)
            let cameras = try await rows("SELECT id FROM camera ORDER BY id", on: connection).map { try $0.get("id", as: Int64.self) }
            let recorders = try await row("""
                SELECT COUNT(*) AS n FROM node WHERE role <> 'api' AND last_seen > \(now - ttlMicros) AND name <> \(me)
                """, on: connection)?.get("n", as: Int64.self) ?? 0
            let share = min(capacity, (cameras.count + Int(recorders)) / (Int(recorders) + 1))  // ceil(cameras / nodes)
            // Leases still in this node's name are its own, expired or not: nobody took them (a
            // taker writes its name), so after a pause or an outage of the catalogue it renews them
            // under the same epoch, and the rows it kept meanwhile still commit.
            // Offers to this node whose cameras it receives already: taken, with the next epoch.
            // (Only from a node still alive; an offer of a node that stopped is a free camera.)
            if !ready.isEmpty {
                try await run("""
                    UPDATE camera_lease SET node = \(me), epoch = epoch + 1, offered_to = '', expires_at = \(now + ttlMicros)
                    WHERE offered_to = \(me) AND camera_id = ANY(\(Array(ready).sorted()))
                    """, on: connection)
            }
            var mine = try await rows("""
                SELECT camera_id, offered_to FROM camera_lease WHERE node = \(me) ORDER BY camera_id
                """, on: connection).map { (try $0.get("camera_id", as: Int64.self), try $0.get("offered_to", as: String.self)) }
            // Beyond the share: the highest ids are handed over, for a node that joined (or came
            // back) to take, to recorders alive below their share (fewest first). This node goes
            // on recording them until they are taken; with no such node, it lets go of them.
            if mine.count > share {
                let extra = Array(mine[share...])
                var takers = try await rows("""
                    SELECT name,
                      (SELECT COUNT(*) FROM camera_lease l WHERE l.node = node.name OR l.offered_to = node.name) AS load
                    FROM node WHERE role <> 'api' AND last_seen > \(now - ttlMicros) AND name <> \(me) ORDER BY name
                    """, on: connection).map { (name: try $0.get("name", as: String.self), load: Int(try $0.get("load", as: Int64.self))) }
                // Offers already made to a live node stand; their load counts above.
                var release: [Int64] = []
                for (camera, offeredTo) in extra where !takers.contains(where: { $0.name == offeredTo }) {
                    if let i = takers.indices.filter({ takers[$0].load < share }).min(by: { takers[$0].load < takers[$1].load }) {
                        try await run("UPDATE camera_lease SET offered_to = \(takers[i].name) WHERE node = \(me) AND camera_id = \(camera)", on: connection)
                        takers[i].load += 1
                    } else {
                        release.append(camera)
                    }
                }
                if !release.isEmpty {
                    // Let go, keeping the row: the epoch only ever grows for a camera.
                    try await run("UPDATE camera_lease SET node = '', offered_to = '', expires_at = 0 WHERE node = \(me) AND camera_id = ANY(\(release))", on: connection)
                    mine.removeAll { release.contains($0.0) }
                }
            } else {
                // Within the share again (a node left): hand-overs under way are called off.
                try await run("UPDATE camera_lease SET offered_to = '' WHERE node = \(me) AND offered_to <> ''", on: connection)
            }
            try await run("UPDATE camera_lease SET expires_at = \(now + ttlMicros) WHERE node = \(me) AND camera_id = ANY(\(mine.map(\.0)))", on: connection)
            // Offers still waiting for this node count against its share, so that it does not
            // take free cameras in their place.
            let waiting = try await row("""
                SELECT COUNT(*) AS n FROM camera_lease WHERE offered_to = \(me) AND node <> \(me)
                """, on: connection)?.get("n", as: Int64.self) ?? 0
            let room = share - mine.count - Int(waiting)
            if room > 0 {
                // Free cameras (no lease, or a lease that expired: its node stopped), lowest ids
                // first; taking one moves its epoch on.
                let taken = try await rows("""
                    SELECT camera.id FROM camera LEFT JOIN camera_lease ON camera_lease.camera_id = camera.id
                    WHERE camera_lease.camera_id IS NULL OR camera_lease.expires_at <= \(now)
                    ORDER BY camera.id LIMIT \(Int64(room))
                    """, on: connection).map { try $0.get("id", as: Int64.self) }
                for camera in taken {
                    try await run("""
                        INSERT INTO camera_lease (camera_id, node, epoch, expires_at) VALUES (\(camera), \(me), 1, \(now + ttlMicros))
                        ON CONFLICT (camera_id) DO UPDATE SET node = excluded.node, epoch = camera_lease.epoch + 1, expires_at = excluded.expires_at, offered_to = ''
                        """, on: connection)
                }
            }
            let held = try await rows("SELECT * FROM camera_lease WHERE node = \(me) ORDER BY camera_id", on: connection).map(Self.lease(row:))
            // Offers from nodes alive (a lease that expired is a free camera, not an offer).
            let offered = try await rows("""
                SELECT * FROM camera_lease WHERE offered_to = \(me) AND node <> \(me) AND expires_at > \(now) ORDER BY camera_id
                """, on: connection).map(Self.lease(row:))
            return LeaseBalance(held: held, offered: offered)
        }
        held.withLock { $0 = Dictionary(balance.held.map { ($0.cameraID, $0.epoch) }, uniquingKeysWith: { a, _ in a }) }
        return balance
    }

    public func leases() async throws -> [CameraLease] {
        try await rows("SELECT * FROM camera_lease WHERE expires_at > \(unescaped: Self.databaseNow) ORDER BY camera_id").map(Self.lease(row:))
    }

    public func releaseLeases() async throws {
        held.withLock { $0 = [:] }
        try await run("UPDATE camera_lease SET node = '', offered_to = '', expires_at = 0 WHERE node = \(nodeName)")
        try await run("UPDATE camera_lease SET offered_to = '' WHERE offered_to = \(nodeName)")
    }

    /// On a connection of its own, held for as long as the caller listens.
    public func watchChanges(_ onChange: @escaping @Sendable (String) async -> Void) async throws {
        let schema = try await row("SELECT current_schema() AS schema")?.get("schema", as: String.self) ?? "public"
        try await client.withConnection { connection in
            try await connection.listen(on: "aula_changes_" + schema) { notifications in
                for try await notification in notifications { await onChange(notification.payload) }
            }
        }
    }

    static func lease(row: PostgresRandomAccessRow) throws -> CameraLease {
        CameraLease(cameraID: try row.get("camera_id"), node: try row.get("node"), epoch: try row.get("epoch"), expiresMicros: try row.get("expires_at"),
                    offeredTo: try row.get("offered_to"))
    }
}
