/// Where a recording's sample file lives: `<recordings>/<camera id>/<recording id>.sample`
/// (docs/storage.md). The writer (Recorder) creates them; exports, retention and recovery find
/// them here.
public struct SampleFileLayout: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(camera: Int64) -> String { "\(root)/\(camera)" }
    public func path(camera: Int64, recording: Int64) -> String { "\(root)/\(camera)/\(recording).sample" }
}
