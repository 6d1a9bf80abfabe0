import CFFmpeg
import Codec
import Media

/// Decodes a camera's H.264 or H.265 stream, blacks out its privacy zones (``PrivacyMasker``) and
/// encodes the result as H.264 with libx264: what users without the right to see behind masks
/// receive in live view, playback and exports (docs/motion.md, "Privacy masks").
///
/// The output keeps the input's size and 90 kHz presentation times; a key frame of the input gives
/// a key frame (IDR) of the output, so a viewer or an export can start where the original could.
/// The output has no B-frames, so its decoding order is its presentation order.
///
/// Decoded pictures are copied before they are masked: the decoder keeps them as references, and
/// blacking them out in place would smear black into the next pictures.
///
/// Not thread-safe (FFmpeg contexts are not): confine a transcoder to one task or thread. It owns
/// its FFmpeg objects and frees them when released.
public final class PrivacyTranscoder {
    public struct Options: Sendable, Hashable {
        /// libx264 preset.
        public var preset: String
        /// libx264 tune (`zerolatency` for live: no look-ahead, a frame out for every frame in).
        public var tune: String?
        /// Constant rate factor (quality; lower is better and bigger).
        public var crf: Int
        /// The longest run without a key frame when the source has none for that long.
        public var maxKeyInterval: Int
        /// Encoder threads (1: a masked stream uses at most one core).
        public var threads: Int

        public init(preset: String, tune: String? = nil, crf: Int = 23, maxKeyInterval: Int = 250, threads: Int = 1) {
            self.preset = preset
            self.tune = tune
            self.crf = crf
            self.maxKeyInterval = maxKeyInterval
            self.threads = threads
        }

        /// Live view: as fast as libx264 goes while keeping CABAC, no latency added.
        public static let live = Options(preset: "superfast", tune: "zerolatency", crf: 23)
        /// Playback and exports: a little slower, smaller and better.
        public static let export = Options(preset: "veryfast", crf: 23)
    }

    public let source: VideoParameters
    public let options: Options
    /// The masks applied to every picture; may change between pictures.
    public var masker: PrivacyMasker { didSet { planes = nil } }
    /// The output's parameter sets (H.264), known once the first picture was encoded.
    public private(set) var outputParameters: VideoParameters?
    public private(set) var picturesDecoded = 0
    public private(set) var picturesEncoded = 0

    private let decoderOwner: CodecContext
    /// The encoder, its packet and its input picture, opened at the first decoded picture.
    private var encoderOwner: CodecContext?
    private var decoder: UnsafeMutablePointer<AVCodecContext>? { decoderOwner.context }
    private var encoder: UnsafeMutablePointer<AVCodecContext>? { encoderOwner?.context }
    private var packet: UnsafeMutablePointer<AVPacket>? { decoderOwner.packet }
    private var decoded: UnsafeMutablePointer<AVFrame>? { decoderOwner.frame }
    private var input: UnsafeMutablePointer<AVFrame>? { encoderOwner?.frame }
    private var scaler: OpaquePointer?
    private var planes: PrivacyMasker.Planes?
    private var waitingForKeyFrame = true
    private var unitsReceived = 0

    public init(source: VideoParameters, masker: PrivacyMasker, options: Options) throws(MotionError) {
        self.source = source
        self.masker = masker
        self.options = options
        do {
            decoderOwner = try CodecContext(decoding: source.codec, parameterSets: source.parameterSets.annexB) { $0.pointee.thread_count = 1 }
        } catch {
            throw .decoder(error.stage == "open" ? "parameter sets" : error.stage,
                           error.stage == "open" ? "the \(source.codec.rawValue) decoder did not open: \(error.message)" : error.message)
        }
    }

    deinit {
        sws_freeContext(scaler)
    }

    /// Transcodes one access unit (in decoding order); returns the masked access units that are
    /// ready, in presentation order (none until the decoder and encoder have their first picture).
    ///
    /// Access units before the first key frame are dropped. A unit the decoder rejects throws
    /// ``MotionError``; the transcoder then waits for the next key frame.
    public func transcode(_ unit: AccessUnit) throws(MotionError) -> [AccessUnit] {
        unitsReceived += 1
        if waitingForKeyFrame {
            guard unit.isKeyFrame else { return [] }
            waitingForKeyFrame = false
        }
        guard let decoder, let packet else { return [] }
        let size = AnnexB.size(of: unit.nalUnits)
        guard size > 0, size < Int(Int32.max) else { throw rejected(unit, "empty access unit") }
        var r = av_new_packet(packet, Int32(size))
        guard r >= 0 else { throw .decoder(name(unit), "out of memory") }
        AnnexB.write(unit.nalUnits, to: packet.pointee.data!)
        packet.pointee.pts = unit.timestamp
        packet.pointee.dts = aula_AV_NOPTS_VALUE
        if unit.isKeyFrame { packet.pointee.flags |= AV_PKT_FLAG_KEY }
        r = avcodec_send_packet(decoder, packet)
        av_packet_unref(packet)
        if r < 0 && r != aula_AVERROR_EAGAIN { throw rejected(unit, LumaDecoder.describe(r)) }
        var output: [AccessUnit] = []
        try drainDecoder(into: &output, unit: unit)
        return output
    }

    /// Ends the stream: everything the decoder and encoder still hold. The transcoder takes no
    /// more access units afterwards.
    public func finish() throws(MotionError) -> [AccessUnit] {
        var output: [AccessUnit] = []
        guard let decoder else { return output }
        avcodec_send_packet(decoder, nil)
        try drainDecoder(into: &output, unit: nil)
        if let encoder {
            avcodec_send_frame(encoder, nil)
            try drainEncoder(into: &output)
        }
        return output
    }

    private func drainDecoder(into output: inout [AccessUnit], unit: AccessUnit?) throws(MotionError) {
        guard let decoder, let decoded else { return }
        while true {
            let r = avcodec_receive_frame(decoder, decoded)
            if r == aula_AVERROR_EAGAIN || r == aula_AVERROR_EOF { return }
            guard r >= 0 else {
                if let unit { throw rejected(unit, LumaDecoder.describe(r)) }
                return
            }
            defer { av_frame_unref(decoded) }
            picturesDecoded += 1
            try encode(decoded)
            try drainEncoder(into: &output)
        }
    }

    /// Copies the decoded picture into the encoder's own frame, masks it and sends it.
    private func encode(_ picture: UnsafeMutablePointer<AVFrame>) throws(MotionError) {
        let width = Int(picture.pointee.width), height = Int(picture.pointee.height)
        guard width > 0, height > 0 else { return }
        if encoder == nil { try openEncoder(width: width, height: height, colorRange: picture.pointee.color_range) }
        guard let encoder, let input else { return }
        guard Int(encoder.pointee.width) == width, Int(encoder.pointee.height) == height else {
            throw .decoder("picture", "the picture size changed from \(encoder.pointee.width)×\(encoder.pointee.height) to \(width)×\(height) within a stream")
        }
        var r = av_frame_make_writable(input)
        guard r >= 0 else { throw .decoder("encoder", "frame buffer: \(LumaDecoder.describe(r))") }
        let format = AVPixelFormat(rawValue: picture.pointee.format)
        let src = picture.pointee, dst = input.pointee
        if format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P {
            Self.copy(src.data.0!, Int(src.linesize.0), dst.data.0!, Int(dst.linesize.0), width, height)
            Self.copy(src.data.1!, Int(src.linesize.1), dst.data.1!, Int(dst.linesize.1), (width + 1) / 2, (height + 1) / 2)
            Self.copy(src.data.2!, Int(src.linesize.2), dst.data.2!, Int(dst.linesize.2), (width + 1) / 2, (height + 1) / 2)
        } else {
            // 10-bit, 4:2:2 or 4:4:4 sources: converted to 8-bit 4:2:0 first.
            if scaler == nil {
                scaler = sws_getContext(Int32(width), Int32(height), format, Int32(width), Int32(height), AV_PIX_FMT_YUV420P, SWS_BILINEAR, nil, nil, nil)
            }
            guard let scaler else { throw .decoder("picture", "no conversion from pixel format \(format.rawValue)") }
            var srcData: [UnsafePointer<UInt8>?] = [src.data.0, src.data.1, src.data.2, src.data.3].map { $0.map { UnsafePointer($0) } }
            var srcStride = [src.linesize.0, src.linesize.1, src.linesize.2, src.linesize.3]
            var dstData: [UnsafeMutablePointer<UInt8>?] = [dst.data.0, dst.data.1, dst.data.2, dst.data.3]
            var dstStride = [dst.linesize.0, dst.linesize.1, dst.linesize.2, dst.linesize.3]
            sws_scale(scaler, &srcData, &srcStride, 0, Int32(height), &dstData, &dstStride)
        }
        if planes == nil || planes?.width != width || planes?.height != height { planes = masker.planes(width: width, height: height) }
        if let planes, !masker.polygons.isEmpty {
            PrivacyMasker.apply(planes, y: dst.data.0!, yStride: Int(dst.linesize.0), u: dst.data.1!, uStride: Int(dst.linesize.1),
                                v: dst.data.2!, vStride: Int(dst.linesize.2))
        }
        input.pointee.pts = src.pts != aula_AV_NOPTS_VALUE ? src.pts : src.best_effort_timestamp
        // The source's key frames stay key frames (forced-idr makes them IDR).
        input.pointee.pict_type = src.key_frame != 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
        r = avcodec_send_frame(encoder, input)
        guard r >= 0 else { throw .decoder("encoder", "libx264 refused a picture: \(LumaDecoder.describe(r))") }
    }

    private static func copy(_ src: UnsafeMutablePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int, _ height: Int) {
        for y in 0..<height { (dst + y * dstStride).update(from: src + y * srcStride, count: width) }
    }

    private func openEncoder(width: Int, height: Int, colorRange: AVColorRange) throws(MotionError) {
        guard let codec = avcodec_find_encoder_by_name("libx264") else {
            throw .decoder("encoder", "FFmpeg has no libx264 encoder (install Debian's libavcodec with libx264)")
        }
        let fps = source.fps.map { Int32($0.rounded()) }.flatMap { $0 > 0 && $0 <= 240 ? $0 : nil } ?? 25
        let options = self.options
        let owner: CodecContext
        do {
            owner = try CodecContext(codec: codec) { context in
                context.pointee.width = Int32(width)
                context.pointee.height = Int32(height)
                context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
                context.pointee.color_range = colorRange
                // Presentation times stay 90 kHz ticks, as the recorder and live view count them.
                context.pointee.time_base = AVRational(num: 1, den: 90_000)
                context.pointee.framerate = AVRational(num: fps, den: 1)
                context.pointee.gop_size = Int32(options.maxKeyInterval)
                context.pointee.max_b_frames = 0
                context.pointee.thread_count = Int32(options.threads)
                // Parameter sets out of band (extradata), as the recorder keeps them for cameras.
                context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
                let priv = context.pointee.priv_data
                av_opt_set(priv, "preset", options.preset, 0)
                if let tune = options.tune { av_opt_set(priv, "tune", tune, 0) }
                av_opt_set(priv, "crf", String(options.crf), 0)
                av_opt_set(priv, "forced-idr", "1", 0)
                // Key frames only where the source has them (or after maxKeyInterval), not on scene cuts.
                av_opt_set(priv, "x264-params", "scenecut=0:bframes=0", 0)
            }
        } catch {
            throw .decoder("encoder", error.stage == "open" ? "could not open libx264: \(error.message)" : error.message)
        }
        encoderOwner = owner
        let context = owner.context, input = owner.frame
        input.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        input.pointee.width = Int32(width)
        input.pointee.height = Int32(height)
        let r = av_frame_get_buffer(input, 32)
        guard r >= 0 else { throw .decoder("encoder", "frame buffer: \(LumaDecoder.describe(r))") }
        let header = Array(UnsafeBufferPointer(start: context.pointee.extradata, count: Int(context.pointee.extradata_size)))
        var sets = ParameterSets()
        for nal in AnnexB.split(header) {
            switch NALUnit.h264Type(nal) {
            case 7: sets.sps = nal
            case 8: sets.pps = nal
            default: break
            }
        }
        do { outputParameters = try VideoParameters(codec: .h264, parameterSets: sets) } catch {
            throw .decoder("encoder", "libx264's parameter sets: \(error)")
        }
    }

    private func drainEncoder(into output: inout [AccessUnit]) throws(MotionError) {
        guard let encoder, let packet else { return }
        while true {
            let r = avcodec_receive_packet(encoder, packet)
            if r == aula_AVERROR_EAGAIN || r == aula_AVERROR_EOF { return }
            guard r >= 0 else { throw .decoder("encoder", "libx264 failed: \(LumaDecoder.describe(r))") }
            defer { av_packet_unref(packet) }
            let bytes = Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
            let pts = packet.pointee.pts
            picturesEncoded += 1
            output.append(AccessUnit(timestamp: pts, rtpTimestamp: UInt32(truncatingIfNeeded: pts),
                                     isKeyFrame: packet.pointee.flags & AV_PKT_FLAG_KEY != 0, nalUnits: AnnexB.split(bytes)))
        }
    }

    private func name(_ unit: AccessUnit) -> String {
        "access unit #\(unitsReceived) (90 kHz time \(unit.timestamp))"
    }

    private func rejected(_ unit: AccessUnit, _ reason: String) -> MotionError {
        if let decoder { avcodec_flush_buffers(decoder) }
        waitingForKeyFrame = true
        return .decoder(name(unit), "the \(source.codec.rawValue) decoder rejected it: \(reason)")
    }
}
