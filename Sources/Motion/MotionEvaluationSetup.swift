/// The zones that the evaluation (`MotionBench evaluate`) and the tests draw on the simulator's
/// courtyard (`SceneRenderer`): a façade with residents' windows at the top, ground below, a lawn
/// bottom-left, a path across. Normalised, so they fit any resolution.
public enum MotionEvaluationSetup {
    public static func zones() -> [Zone] {
        // Force-unwraps are safe: the polygons are constants checked by MotionTests.
        [
            Zone(name: "entrance", kind: .alert, polygon: try! ZonePolygon([
                .init(x: 0.62, y: 0.38), .init(x: 0.97, y: 0.38), .init(x: 0.97, y: 0.98), .init(x: 0.70, y: 0.98),
            ])),
            Zone(name: "playground", kind: .alert, polygon: try! ZonePolygon([
                .init(x: 0.03, y: 0.66), .init(x: 0.40, y: 0.66), .init(x: 0.44, y: 0.98), .init(x: 0.03, y: 0.98),
            ])),
            Zone(name: "road", kind: .ignore, polygon: try! .rectangle(x0: 0.46, y0: 0.36, x1: 0.56, y1: 1.0)),
            Zone(name: "windows", kind: .privacy, polygon: try! .rectangle(x0: 0, y0: 0, x1: 1, y1: 0.345)),
        ]
    }

    public static func configuration(_ settings: MotionSettings = MotionSettings()) throws(MotionError) -> MotionConfiguration {
        try MotionConfiguration(settings: settings, zones: zones())
    }
}
