import Media

/// Something that receives every access unit of a camera: the recording writer, the live-view hub,
/// analytics.
///
/// The methods are synchronous and are called on the camera connection's event loop, right where
/// the access unit was depacketised (`CameraIngest`, `RTSP.SessionDecoder`): handing each frame to
/// a task first cost more CPU than recording it (docs/performance.md). So a sink must return at
/// once: take a lock, append, enqueue; anything slow (decoding, database work) belongs on a task of
/// its own that the sink feeds through a bounded queue.
public protocol FrameSink: Sendable {
    func streamStarted(camera: Int64, parameters: VideoParameters)
    func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64)
    func streamEnded(camera: Int64)
}
