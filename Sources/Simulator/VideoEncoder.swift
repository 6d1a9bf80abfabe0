import CFFmpeg
import Codec
import Media
import RTSP

/// Encodes rendered scenes with libx264 or libx265 through libavcodec.
///
/// The codec context is confined to one call of ``encode(_:)`` and freed before it returns, so no
/// FFmpeg object ever crosses a thread.
public enum VideoEncoder {
    public struct EncoderError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func encode(_ renderer: SceneRenderer) throws -> [EncodedFrame] {
        let spec = renderer.spec
        let name = spec.codec == .h264 ? "libx264" : "libx265"
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw EncoderError(description: "FFmpeg has no \(name) encoder (install Debian's libavcodec with \(name))")
        }
        let owner: CodecContext
        do {
            owner = try CodecContext(codec: codec) { context in
                context.pointee.width = Int32(spec.width)
                context.pointee.height = Int32(spec.height)
                context.pointee.time_base = AVRational(num: 1, den: Int32(spec.frameRate))
                context.pointee.framerate = AVRational(num: Int32(spec.frameRate), den: 1)
                context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
                context.pointee.gop_size = Int32(spec.gopFrames)
                context.pointee.keyint_min = Int32(spec.gopFrames)
                context.pointee.max_b_frames = Int32(spec.bFrames)
                context.pointee.bit_rate = Int64(spec.bitRate)
                context.pointee.rc_max_rate = Int64(spec.bitRate)
                context.pointee.rc_buffer_size = Int32(spec.bitRate)
                context.pointee.thread_count = 1
                let priv = context.pointee.priv_data
                av_opt_set(priv, "preset", "superfast", 0)
                av_opt_set(priv, "forced-idr", "1", 0)
                // Parameter sets before every key frame and a fixed GOP, as IP cameras send them.
                if spec.codec == .h264 {
                    let b = spec.bFrames > 0 ? "bframes=\(spec.bFrames):b-pyramid=none" : "bframes=0"
                    // Constant bit rate with filler data, like a camera set to CBR.
                    av_opt_set(priv, "x264-params", "repeat-headers=1:scenecut=0:\(b):rc-lookahead=\(spec.bFrames > 0 ? 4 : 0):sync-lookahead=0:aud=0:nal-hrd=cbr:force-cfr=1", 0)
                } else {
                    av_opt_set(priv, "x265-params", "repeat-headers=1:scenecut=0:bframes=\(spec.bFrames):keyint=\(spec.gopFrames):min-keyint=\(spec.gopFrames):log-level=error:rc-lookahead=\(max(spec.bFrames, 1)):frame-threads=1:pools=none", 0)
                }
            }
        } catch {
            throw EncoderError(description: error.stage == "open" ? "could not open \(name): \(error.message)" : error.message)
        }
        // The pointers below belong to `owner`: keep it alive to the end of the encode (Swift may
        // otherwise free it right after its last use, with the encoder still running).
        defer { withExtendedLifetime(owner) {} }
        let context = owner.context, frame = owner.frame, packet = owner.packet
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.pointee.width = Int32(spec.width)
        frame.pointee.height = Int32(spec.height)
        var ret = av_frame_get_buffer(frame, 32)
        guard ret >= 0 else { throw EncoderError(description: "frame buffer: \(errorString(ret))") }

        var output: [(frame: EncodedFrame, pts: Int64)] = []
        func drain() throws {
            while true {
                let r = avcodec_receive_packet(context, packet)
                if r == aula_AVERROR_EAGAIN || r == aula_AVERROR_EOF { return }
                guard r >= 0 else { throw EncoderError(description: "encoding failed: \(errorString(r))") }
                let bytes = Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
                let key = packet.pointee.flags & AV_PKT_FLAG_KEY != 0
                let nals = AnnexB.split(bytes)
                output.append((EncodedFrame(nalUnits: nals, isKeyFrame: key), packet.pointee.pts))
                av_packet_unref(packet)
            }
        }
        for index in 0..<spec.frameCount {
            ret = av_frame_make_writable(frame)
            guard ret >= 0 else { throw EncoderError(description: "frame buffer: \(errorString(ret))") }
            let f = frame.pointee
            renderer.render(frame: index, y: f.data.0!, yStride: Int(f.linesize.0), u: f.data.1!, uStride: Int(f.linesize.1), v: f.data.2!, vStride: Int(f.linesize.2))
            frame.pointee.pts = Int64(index)
            // Force key frames on the GOP boundaries so the loop restarts cleanly.
            frame.pointee.pict_type = index % spec.gopFrames == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
            ret = avcodec_send_frame(context, frame)
            guard ret >= 0 else { throw EncoderError(description: "encoding failed: \(errorString(ret))") }
            try drain()
        }
        ret = avcodec_send_frame(context, nil)
        try drain()
        let hasReordering = output.enumerated().contains { $0.offset != Int($0.element.pts) }
        return output.map { item in
            var f = item.frame
            if hasReordering { f.presentationIndex = Int(item.pts) }
            return f
        }
    }

    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        aula_error_string(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
