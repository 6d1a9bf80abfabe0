/// A point on the camera image in normalised coordinates: (0, 0) is the top-left corner, (1, 1)
/// the bottom-right, whatever the stream's resolution. Zones drawn on the main stream therefore
/// apply unchanged to the sub-stream, to analysis pictures and to exports.
public struct NormalizedPoint: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
