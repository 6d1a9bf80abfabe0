/// Tunables of the coverage engine.
public struct CoverageOptions: Sendable, Hashable {
    /// Radius a street lamp lights, metres.
    public var lampRadius: Double = 25
    /// Largest angle between two vertices on the arc of a visibility polygon, degrees. The arc's
    /// area is then short of the true sector by at most (step in radians)²/6: 0.004 % at 0.5°.
    public var arcStep: Double = 0.5
    /// Spacing of the scanlines that measure areas, metres (see docs/coverage.md for the error).
    public var areaResolution: Double = 0.25

    public init() {}
}
