import CFFmpeg
import Codec

/// Encodes analysis pictures as small greyscale JPEGs with libavcodec's MJPEG encoder.
///
/// The analysis picture is already decoded, downscaled and privacy-masked, so a thumbnail costs
/// one JPEG encode of 320 × 180 pixels (well under a millisecond) per event, not a second decode.
/// Not thread-safe: one per analysis task.
public final class ThumbnailEncoder {
    private let owner: CodecContext
    private var context: UnsafeMutablePointer<AVCodecContext>? { owner.context }
    private var frame: UnsafeMutablePointer<AVFrame>? { owner.frame }
    private var packet: UnsafeMutablePointer<AVPacket>? { owner.packet }
    private var pictures: Int64 = 0
    private let width: Int
    private let height: Int

    /// - Parameter quality: FFmpeg's qscale, 2 (best) … 31; 5 gives about 10 KB at 320 × 180.
    public init(width: Int, height: Int, quality: Int = 5) throws(MotionError) {
        guard width >= 16, height >= 16, width <= 4096, height <= 4096 else {
            throw .invalid("thumbnail", "size \(width)x\(height) is outside 16…4096")
        }
        self.width = width
        self.height = height
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else { throw .encoder("thumbnail", "FFmpeg has no MJPEG encoder") }
        do {
            owner = try CodecContext(codec: codec) { context in
                context.pointee.width = Int32(width)
                context.pointee.height = Int32(height)
                context.pointee.time_base = AVRational(num: 1, den: 25)
                context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
                context.pointee.flags |= AV_CODEC_FLAG_QSCALE
                context.pointee.global_quality = Int32(quality) * FF_QP2LAMBDA
                context.pointee.thread_count = 1
            }
        } catch {
            throw .encoder("thumbnail", error.stage == "open" ? "MJPEG encoder did not open: \(error.message)" : error.message)
        }
        let frame = owner.frame
        frame.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        let r = av_frame_get_buffer(frame, 32)
        guard r >= 0 else { throw .encoder("thumbnail", "frame buffer: \(LumaDecoder.describe(r))") }
    }

    /// JPEG bytes of `picture` (which must have the encoder's size).
    public func encode(_ picture: LumaFrame) throws(MotionError) -> [UInt8] {
        guard picture.width == width, picture.height == height else {
            throw .encoder("thumbnail", "picture is \(picture.width)x\(picture.height), encoder expects \(width)x\(height)")
        }
        guard let context, let frame, let packet else { throw .encoder("thumbnail", "encoder is closed") }
        var r = av_frame_make_writable(frame)
        guard r >= 0 else { throw .encoder("thumbnail", LumaDecoder.describe(r)) }
        let f = frame.pointee
        picture.pixels.withUnsafeBufferPointer { src in
            for y in 0..<height { (f.data.0! + y * Int(f.linesize.0)).update(from: src.baseAddress! + y * width, count: width) }
        }
        for y in 0..<((height + 1) / 2) {
            (f.data.1! + y * Int(f.linesize.1)).update(repeating: 128, count: (width + 1) / 2)
            (f.data.2! + y * Int(f.linesize.2)).update(repeating: 128, count: (width + 1) / 2)
        }
        frame.pointee.quality = context.pointee.global_quality
        // MJPEG still wants increasing timestamps.
        frame.pointee.pts = pictures
        pictures += 1
        r = avcodec_send_frame(context, frame)
        guard r >= 0 else { throw .encoder("thumbnail", LumaDecoder.describe(r)) }
        r = avcodec_receive_packet(context, packet)
        guard r >= 0 else { throw .encoder("thumbnail", LumaDecoder.describe(r)) }
        defer { av_packet_unref(packet) }
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }
}
