import Foundation

/// Everything that decides a camera's motion events: settings and zones, validated as a whole.
public struct MotionConfiguration: Sendable, Hashable, Codable {
    public var settings: MotionSettings
    public var zones: [Zone]

    /// - Throws: ``MotionError`` naming the field ("zones[1].name") if the settings are out of
    ///   range, a zone has no name, or two alert zones share a name.
    public init(settings: MotionSettings = MotionSettings(), zones: [Zone] = []) throws(MotionError) {
        try settings.validate()
        var names = Set<String>()
        for (i, zone) in zones.enumerated() {
            let name = zone.name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw .invalid("zones[\(i)].name", "must not be empty") }
            guard name.count <= 100 else { throw .invalid("zones[\(i)].name", "must be at most 100 characters") }
            guard names.insert(name).inserted else { throw .invalid("zones[\(i)].name", "\"\(name)\" is used by another zone") }
            if zone.kind == .alert, zone.polygon.area < settings.minimumObjectArea / 4 {
                throw .invalid("zones[\(i)].polygon", "is smaller than a quarter of the minimum object area; nothing could ever be detected in it")
            }
        }
        self.settings = settings
        self.zones = zones
    }

    enum CodingKeys: String, CodingKey { case settings, zones }

    /// Decodes and validates as ``init(settings:zones:)`` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(settings: try container.decode(MotionSettings.self, forKey: .settings),
                      zones: try container.decode([Zone].self, forKey: .zones))
    }

    /// Alert zones; when there are none, the whole picture (less ignore and privacy zones) is one
    /// alert zone named ``wholePicture``.
    public var alertZones: [Zone] {
        let alerts = zones.filter { $0.kind == .alert }
        if !alerts.isEmpty { return alerts }
        // Force-unwrap is safe: the rectangle is valid by construction.
        return [Zone(name: Self.wholePicture, kind: .alert, polygon: try! .rectangle(x0: 0, y0: 0, x1: 1, y1: 1))]
    }

    public static let wholePicture = "picture"

    /// Masks at a resolution: where motion counts (not ignored, not private), and one per alert zone
    /// (limited to where motion counts).
    public func masks(width: Int, height: Int) -> (analysable: PixelMask, alert: [(zone: Zone, mask: PixelMask)]) {
        var analysable = PixelMask(width: width, height: height, filled: true)
        for zone in zones where zone.kind != .alert { analysable.remove(zone.polygon) }
        let alerts = alertZones.map { zone -> (zone: Zone, mask: PixelMask) in
            var mask = PixelMask(zone.polygon, width: width, height: height)
            for zone in zones where zone.kind != .alert { mask.remove(zone.polygon) }
            return (zone, mask)
        }
        return (analysable, alerts)
    }
}
