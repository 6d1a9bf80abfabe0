import Media

/// Something that receives every access unit of a camera: the recording writer, the live-view hub,
/// analytics. Called on the camera's ingest task, so it must return quickly.
public protocol FrameSink: Sendable {
    func streamStarted(camera: Int64, parameters: VideoParameters) async
    func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) async
    func streamEnded(camera: Int64) async
}
