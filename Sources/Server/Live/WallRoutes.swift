import APIInput
import Catalog
import Foundation
import Hummingbird

/// `GET`/`PUT /api/wall`: the signed-in viewer's own live wall (docs/live.md, "The wall"): how
/// many tiles, which group of cameras (all, a district, a post), and which camera in which tile.
/// Kept in the catalogue per user, so the wall follows an operator to any desk and any node.
///
/// The saved cameras are only a layout: every tile still asks for its camera's live view, which
/// the camera's grants decide, so a wall saved before a grant was withdrawn shows nothing more.
struct WallRoutes: Sendable {
    let catalog: AulaCatalog

    struct Wall: Codable, Equatable {
        /// 1 to 36.
        var tiles: Int
        /// `all`, `district:NAME` or `post:ID`.
        var group: String
        /// Camera ids in tile order (at most `tiles`); empty: the group's cameras in order.
        var cameras: [Int64]
    }

    static let defaultWall = Wall(tiles: 4, group: "all", cameras: [])
    static let maxTiles = 36

    func register(on routes: Routes<AulaContext>) {
        let viewers = RouteRule.roles(Roles.cameraViewers)
        routes.get("api/wall", viewers, APIDoc("The signed-in viewer's live wall (tiles, group, cameras)"), use: get)
        // Saving a layout changes nobody's rights: open sockets are not woken to re-check them.
        routes.put("api/wall", viewers.leavingRightsAlone(), APIDoc("Save the signed-in viewer's live wall", body: .object(["tiles": .integer, "group": .string, "cameras": .array(.integer)])), use: put)
    }

    static func documentName(user: Int64) -> String { "wall.user.\(user)" }

    func get(_ request: Request, context: AulaContext) async throws -> Response {
        guard let user = context.identity?.user else { throw ProblemDetails(status: .unauthorized, detail: "sign in first") }
        var wall = Self.defaultWall
        if let stored = try await catalog.document(named: Self.documentName(user: user.id)),
           let saved = try? JSONDecoder().decode(Wall.self, from: stored.body) {
            wall = saved
        }
        return try JSONResponse.make(wall)
    }

    func put(_ request: Request, context: AulaContext) async throws -> Response {
        guard let user = context.identity?.user else { throw ProblemDetails(status: .unauthorized, detail: "sign in first") }
        var body = try await JSONBody.read(request, limit: 16 << 10)
        body.rejectUnknown(["tiles", "group", "cameras"])
        body.require("tiles")
        let tiles = body.integer("tiles", in: 1...Self.maxTiles)
        var group = "all"
        if let text = body.text("group", maxLength: 300) {
            if let problem = Self.groupProblem(text) { body.fail("group", problem) } else { group = text }
        }
        var cameras: [Int64] = []
        switch body.object["cameras"] {
        case nil, .null?: break
        case .array(let items)? where items.count <= Self.maxTiles:
            for (i, item) in items.enumerated() {
                if case .number(let n) = item, n.rounded() == n, n >= 1, n < 1e15 { cameras.append(Int64(n)) } else {
                    body.fail("cameras[\(i)]", "must be a camera id (a positive integer)")
                }
            }
        case .array?: body.fail("cameras", "must have at most \(Self.maxTiles) items")
        default: body.fail("cameras", "must be an array of camera ids")
        }
        if let tiles, cameras.count > tiles { body.fail("cameras", "names \(cameras.count) cameras for \(tiles) tiles") }
        try body.check()
        let wall = Wall(tiles: tiles ?? Self.defaultWall.tiles, group: group, cameras: cameras)
        try await catalog.saveDocument(named: Self.documentName(user: user.id), body: try JSONEncoder().encode(wall))
        return try JSONResponse.make(wall)
    }

    /// Why a group name is not one (nil: it is).
    static func groupProblem(_ group: String) -> String? {
        if group == "all" { return nil }
        if group.hasPrefix("district:"), group.count > "district:".count { return nil }
        if group.hasPrefix("post:"), let id = Int64(group.dropFirst("post:".count)), id > 0 { return nil }
        return "must be all, district:NAME or post:ID"
    }
}
