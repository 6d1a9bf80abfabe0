import CFFmpeg
import Media

/// One libavcodec context with the packet and frame it works through, freed together when the
/// owner goes: the one owner of FFmpeg codec state in Aula (motion analysis, thumbnails,
/// snapshots, masked transcodes, the simulator's encoder).
///
/// Not `Sendable`, on purpose (design brief, decision 6): FFmpeg contexts are not thread-safe, so
/// a context lives inside the one task, actor or thread that uses it.
public final class CodecContext {
    public let context: UnsafeMutablePointer<AVCodecContext>
    public let packet: UnsafeMutablePointer<AVPacket>
    public let frame: UnsafeMutablePointer<AVFrame>

    /// Allocates a context for `codec` and its packet and frame; `configure` sets the context up
    /// before it is opened (extradata, threads, sizes, rates).
    public init(codec: UnsafePointer<AVCodec>, configure: (UnsafeMutablePointer<AVCodecContext>) throws(CodecError) -> Void) throws(CodecError) {
        aula_quiet_logs()
        var context = avcodec_alloc_context3(codec)
        var packet = av_packet_alloc()
        var frame = av_frame_alloc()
        guard let c = context, let p = packet, let f = frame else {
            avcodec_free_context(&context)
            av_packet_free(&packet)
            av_frame_free(&frame)
            throw CodecError(stage: "codec", message: "out of memory")
        }
        self.context = c
        self.packet = p
        self.frame = f
        // From here on deinit frees all three, also when opening fails below.
        try configure(c)
        let r = avcodec_open2(c, codec, nil)
        guard r >= 0 else { throw CodecError(stage: "open", message: Self.describe(r)) }
    }

    /// A decoder of `codec` primed with the stream's out-of-band parameter sets (Annex B), which
    /// may be empty when they come in-band before key frames.
    public convenience init(decoding codec: VideoCodec, parameterSets annexB: [UInt8],
                            configure: (UnsafeMutablePointer<AVCodecContext>) -> Void = { _ in }) throws(CodecError) {
        guard let decoder = avcodec_find_decoder(codec == .h264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC) else {
            throw CodecError(stage: "decoder", message: "FFmpeg has no \(codec.rawValue) decoder")
        }
        try self.init(codec: decoder) { (context) throws(CodecError) in
            configure(context)
            if !annexB.isEmpty {
                let r = annexB.withUnsafeBufferPointer { aula_set_extradata(context, $0.baseAddress, Int32($0.count)) }
                guard r >= 0 else { throw CodecError(stage: "parameter sets", message: Self.describe(r)) }
            }
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        var frame: UnsafeMutablePointer<AVFrame>? = frame
        avcodec_free_context(&context)
        av_packet_free(&packet)
        av_frame_free(&frame)
    }

    /// FFmpeg's message for an error code.
    public static func describe(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        aula_error_string(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why a codec context could not be made: the stage (`decoder`, `parameter sets`, `open`) and
/// FFmpeg's message. Callers fold it into their own errors.
public struct CodecError: Error, Sendable, CustomStringConvertible {
    public var stage: String
    public var message: String
    public init(stage: String, message: String) {
        self.stage = stage
        self.message = message
    }
    public var description: String { "\(stage): \(message)" }
}
