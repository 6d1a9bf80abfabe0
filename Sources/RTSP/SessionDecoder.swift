import Media
import NIOCore

/// What the session's async code reads from the connection: RTSP messages, and access units that
/// were already depacketised on the channel's event loop.
enum SessionInput: Sendable {
    case message(RTSPMessage)
    case accessUnit(AccessUnit, VideoParameters, DepacketizerStats)
}

/// The client's decoder: splits the stream like ``RTSPFrameDecoder`` and depacketises the
/// interleaved RTP of the session's video track right there, on the channel's event loop, so that
/// only whole access units travel on through the pipeline and into async code: about 25 a second
/// per camera instead of one per RTP packet (about 180 a second at 2 Mbit/s). At hundreds of
/// cameras each per-packet hand-over (a boxed pipeline message, a task wake-up) cost more than
/// depacketising the packet itself (docs/performance.md).
///
/// A recorder passes a ``RTSPFrameHandler`` (``RTSPClient/run(frames:_:)``): access units then go
/// straight to it, here on the event loop, and never through the async channel at all — the
/// hand-over of each frame to a task (a boxed message, a wake-up of another thread) was the largest
/// single cost left at hundreds of cameras. Without one they travel on as ``SessionInput``.
///
/// Until ``configure(_:frames:)`` is called (after SETUP), interleaved data is dropped: there is no
/// track to assign it to yet. A malformed packet ends the session with an ``RTSPClientError`` that the
/// session's reader receives.
final class SessionDecoder: ByteToMessageDecoder {
    typealias InboundOut = SessionInput
    private var splitter = RTSPStreamSplitter()
    private var track: TrackDepacketizer?
    private var frames: RTSPFrameHandler?

    func configure(_ track: TrackDepacketizer, frames: RTSPFrameHandler?) {
        self.track = track
        self.frames = frames
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let frames = self.frames
        try splitter.split(&buffer, message: { context.fireChannelRead(wrapInboundOut(.message($0))) }) { channel, payload in
            // Mutated in place through the optional: a local copy would share its buffers.
            try track?.push(channel: channel, payload: payload) { unit, parameters, stats in
                if let frames {
                    frames(unit, parameters, stats)
                } else {
                    context.fireChannelRead(wrapInboundOut(.accessUnit(unit, parameters, stats)))
                }
            }
        }
        return .needMoreData
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// One video track's RTP → access units, with the decoding parameters of each access unit.
struct TrackDepacketizer: Sendable {
    var rtpChannel: UInt8
    var payloadType: UInt8
    var depacketizer: any Depacketizer
    var parameters: VideoParameters?
    var parametersSource: ParameterSets?

    init(rtpChannel: UInt8, payloadType: UInt8, depacketizer: any Depacketizer) {
        self.rtpChannel = rtpChannel
        self.payloadType = payloadType
        self.depacketizer = depacketizer
    }

    /// Pushes one interleaved packet; `emit` receives every access unit it completes. RTCP and
    /// other tracks are ignored.
    mutating func push(channel: UInt8, payload: consuming [UInt8], emit: (AccessUnit, VideoParameters, DepacketizerStats) -> Void) throws(RTSPClientError) {
        guard channel == rtpChannel else { return }
        let packet: RTPPacket
        do { packet = try RTPPacket(parsing: consume payload) } catch {
            throw RTSPClientError(.malformed, "the camera sent a malformed RTP packet: \(error)")
        }
        guard packet.payloadType == payloadType else { return }
        let units: [AccessUnit]
        do { units = try depacketizer.push(packet) } catch {
            throw RTSPClientError(.malformed, "the camera sent RTP Aula could not reassemble: \(error)")
        }
        for unit in units {
            let sets = depacketizer.parameterSets
            if parameters == nil || sets != parametersSource {
                do {
                    parameters = try VideoParameters(codec: depacketizer.codec, parameterSets: sets)
                    parametersSource = sets
                } catch {
                    if unit.isKeyFrame {
                        let missing = sets.sps == nil ? "an SPS" : sets.pps == nil ? "a PPS" : depacketizer.codec == .h265 && sets.vps == nil ? "a VPS" : "valid parameter sets"
                        throw RTSPClientError(.missingParameters, "the camera sent \(depacketizer.codec.rawValue) without \(missing)")
                    }
                    continue
                }
            }
            guard let parameters else { continue }
            emit(unit, parameters, depacketizer.stats)
        }
    }
}
