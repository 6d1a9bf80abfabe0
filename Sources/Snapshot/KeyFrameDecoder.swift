import CFFmpeg
import Codec
import Media

/// Decodes one key frame (an IDR/IRAP access unit, which needs no other picture) into 8-bit
/// YUV 4:2:0 planes, for a snapshot.
///
/// Not thread-safe (FFmpeg contexts are not): each decoder belongs to one caller, which uses it for
/// one picture and lets it go; the C objects are freed in `deinit`. Opening a decoder costs well
/// under a millisecond, far less than keeping one per camera open between snapshots.
final class KeyFrameDecoder {
    private let owner: CodecContext
    private var context: UnsafeMutablePointer<AVCodecContext>? { owner.context }
    private var packet: UnsafeMutablePointer<AVPacket>? { owner.packet }
    private var frame: UnsafeMutablePointer<AVFrame>? { owner.frame }
    private var converted: UnsafeMutablePointer<AVFrame>?
    private var scaler: OpaquePointer?

    init(parameters: VideoParameters) throws(SnapshotError) {
        do {
            owner = try CodecContext(decoding: parameters.codec, parameterSets: parameters.parameterSets.annexB) { $0.pointee.thread_count = 1 }
        } catch {
            throw SnapshotError(error.stage == "open" ? "the \(parameters.codec.rawValue) decoder did not open: \(error.message)" : "\(error.stage): \(error.message)")
        }
    }

    deinit {
        sws_freeContext(scaler)
        av_frame_free(&converted)
    }

    /// The picture of `unit` as planes (Y, U, V), their strides, and its size. The planes point into
    /// this decoder's frame: use them before the decoder goes.
    func decode(_ unit: AccessUnit) throws(SnapshotError) -> Picture {
        guard unit.isKeyFrame else { throw SnapshotError("a snapshot starts at a key frame") }
        guard let context, let packet, let frame else { throw SnapshotError("decoder is closed") }
        let size = AnnexB.size(of: unit.nalUnits)
        guard size > 0, size < Int(Int32.max) else { throw SnapshotError("empty access unit") }
        var r = av_new_packet(packet, Int32(size))
        guard r >= 0 else { throw SnapshotError("out of memory") }
        AnnexB.write(unit.nalUnits, to: packet.pointee.data!)
        packet.pointee.pts = unit.timestamp
        packet.pointee.dts = unit.timestamp
        packet.pointee.flags |= AV_PKT_FLAG_KEY
        r = avcodec_send_packet(context, packet)
        av_packet_unref(packet)
        guard r >= 0 else { throw SnapshotError("the decoder rejected the key frame: \(Self.describe(r))") }
        // Drain: a decoder with reordering delay only gives the picture up at the end of the stream.
        _ = avcodec_send_packet(context, nil)
        r = avcodec_receive_frame(context, frame)
        guard r >= 0 else { throw SnapshotError("the key frame gave no picture: \(Self.describe(r))") }
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let format = AVPixelFormat(rawValue: frame.pointee.format)
        if format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P {
            return Picture(frame: frame, width: width, height: height)
        }
        // Other layouts (4:2:2, 4:4:4, 10 bit) are converted to 8-bit 4:2:0 first.
        scaler = sws_getContext(Int32(width), Int32(height), format, Int32(width), Int32(height), AV_PIX_FMT_YUV420P, SWS_BILINEAR, nil, nil, nil)
        converted = av_frame_alloc()
        guard let scaler, let converted else { throw SnapshotError("no conversion from pixel format \(format.rawValue)") }
        converted.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        converted.pointee.width = Int32(width)
        converted.pointee.height = Int32(height)
        r = av_frame_get_buffer(converted, 32)
        guard r >= 0 else { throw SnapshotError("out of memory") }
        let src = frame.pointee, dst = converted.pointee
        var srcData: [UnsafePointer<UInt8>?] = [src.data.0, src.data.1, src.data.2, src.data.3].map { $0.map { UnsafePointer($0) } }
        var srcStride = [src.linesize.0, src.linesize.1, src.linesize.2, src.linesize.3]
        var dstData: [UnsafeMutablePointer<UInt8>?] = [dst.data.0, dst.data.1, dst.data.2, dst.data.3]
        var dstStride = [dst.linesize.0, dst.linesize.1, dst.linesize.2, dst.linesize.3]
        sws_scale(scaler, &srcData, &srcStride, 0, Int32(height), &dstData, &dstStride)
        return Picture(frame: converted, width: width, height: height)
    }

    struct Picture {
        let frame: UnsafeMutablePointer<AVFrame>
        let width: Int
        let height: Int
    }

    static func describe(_ code: Int32) -> String { CodecContext.describe(code) }
}
