import Media
import Synchronization

/// The newest key frame of every camera (a reference to its access unit and the stream's
/// parameters), for snapshots: a snapshot decodes just this one picture.
///
/// It keeps one access unit per camera (a key frame of tens of kilobytes, shared with the writer's
/// copy), never a GOP: the live hub's cache of whole GOPs cost 1.2 MB a camera and is kept only for
/// cameras being watched.
public final class LatestKeyFrames: FrameSink {
    public struct KeyFrame: Sendable {
        public var unit: AccessUnit
        public var parameters: VideoParameters
        /// Wall time of its arrival, microseconds since the epoch.
        public var wallTime: Int64
    }

    private let frames = Mutex<[Int64: KeyFrame]>([:])

    public init() {}

    public func latest(camera: Int64) -> KeyFrame? { frames.withLock { $0[camera] } }

    public func streamStarted(camera: Int64, parameters: VideoParameters) {}

    public func accessUnit(camera: Int64, unit: AccessUnit, parameters: VideoParameters, wallTime: Int64) {
        guard unit.isKeyFrame else { return }
        frames.withLock { $0[camera] = KeyFrame(unit: unit, parameters: parameters, wallTime: wallTime) }
    }

    /// The last key frame stays after the stream ends: it is the last picture the camera sent, and
    /// a snapshot says when it arrived.
    public func streamEnded(camera: Int64) {}
}
