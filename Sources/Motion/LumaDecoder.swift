import CFFmpeg
import Codec
import Media

/// Decodes an H.264 or H.265 stream into downscaled luma pictures at a reduced rate, for analysis.
///
/// Why it decodes every reference picture: in the `IPPP…` streams that cameras send, each P-frame
/// refers to the one before, so a decoder cannot jump to every n-th frame; it can only skip
/// pictures nothing refers to (B-frames, the non-reference frames of "smart codec" modes), which it
/// does. What it saves instead is everything after the bitstream: no deblocking, no chroma
/// conversion, no scaler, and only the pictures that are due (``Options/analysisFPS``) are
/// downscaled and handed on. Which access units reach it at all is ``MotionAnalyzer``'s choice
/// (key frames only while a camera is quiet). See docs/motion.md for the measurements behind these
/// choices.
///
/// Not thread-safe (FFmpeg contexts are not): confine a decoder to one task or actor. It owns its
/// FFmpeg objects and frees them when released.
public final class LumaDecoder {
    public struct Options: Sendable, Hashable {
        /// Wanted width of analysis pictures; the height keeps the aspect ratio (integer factor).
        public var analysisWidth = 320
        /// Pictures handed on per second of media time; the others are decoded and dropped.
        public var analysisFPS = 5.0
        /// Skip non-reference pictures in the decoder.
        public var skipNonReference = true
        public init() {}
    }

    public let codec: VideoCodec
    public let options: Options
    /// Access units given to ``decode(_:)`` and pictures the decoder produced.
    public private(set) var unitsReceived = 0
    public private(set) var picturesDecoded = 0
    /// Pictures handed on for analysis.
    public private(set) var picturesAnalysed = 0

    private let owner: CodecContext
    private var context: UnsafeMutablePointer<AVCodecContext>? { owner.context }
    private var packet: UnsafeMutablePointer<AVPacket>? { owner.packet }
    private var frame: UnsafeMutablePointer<AVFrame>? { owner.frame }
    private var waitingForKeyFrame = true
    private var nextDue: Int64 = .min
    private let interval: Int64

    /// Opens a decoder for `codec`, primed with the stream's out-of-band parameter sets (those of
    /// the SDP or the catalogue); in-band parameter sets before key frames work too.
    public init(codec: VideoCodec, parameterSets: ParameterSets, options: Options = Options()) throws(MotionError) {
        guard options.analysisWidth >= 16 else { throw .invalid("analysisWidth", "must be at least 16, got \(options.analysisWidth)") }
        guard options.analysisFPS > 0, options.analysisFPS.isFinite else { throw .invalid("analysisFPS", "must be positive, got \(options.analysisFPS)") }
        self.codec = codec
        self.options = options
        interval = Int64((90_000 / options.analysisFPS).rounded())
        let skipNonReference = options.skipNonReference ? 1 : 0
        do {
            owner = try CodecContext(decoding: codec, parameterSets: parameterSets.annexB) { aula_configure_analysis_decoder($0, Int32(skipNonReference)) }
        } catch {
            throw .decoder(error.stage == "open" ? "parameter sets" : error.stage,
                           error.stage == "open" ? "the \(codec.rawValue) decoder did not open: \(error.message)" : error.message)
        }
    }

    /// Decodes one access unit; returns the analysis picture when one is due.
    ///
    /// Access units before the first key frame are dropped (nothing can be decoded from them).
    /// - Throws: ``MotionError`` naming the access unit if the decoder rejects it; the decoder
    ///   then waits for the next key frame, so one bad packet costs at most one GOP of analysis.
    public func decode(_ unit: AccessUnit) throws(MotionError) -> LumaFrame? {
        unitsReceived += 1
        if waitingForKeyFrame {
            guard unit.isKeyFrame else { return nil }
            waitingForKeyFrame = false
        }
        guard let context, let packet, let frame else { return nil }
        let size = AnnexB.size(of: unit.nalUnits)
        guard size > 0, size < Int(Int32.max) else { throw rejected(unit, "empty access unit") }
        var r = av_new_packet(packet, Int32(size))
        guard r >= 0 else { throw .decoder(name(unit), "out of memory") }
        defer { av_packet_unref(packet) }
        AnnexB.write(unit.nalUnits, to: packet.pointee.data!)
        packet.pointee.pts = unit.timestamp
        packet.pointee.dts = unit.timestamp
        if unit.isKeyFrame { packet.pointee.flags |= AV_PKT_FLAG_KEY }
        r = avcodec_send_packet(context, packet)
        if r < 0 && r != aula_AVERROR_EAGAIN { throw rejected(unit, Self.describe(r)) }
        var result: LumaFrame?
        while true {
            r = avcodec_receive_frame(context, frame)
            if r == aula_AVERROR_EAGAIN || r == aula_AVERROR_EOF { break }
            guard r >= 0 else { throw rejected(unit, Self.describe(r)) }
            defer { av_frame_unref(frame) }
            picturesDecoded += 1
            // Concealed pictures would show the concealment as motion.
            if frame.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 || frame.pointee.decode_error_flags != 0 { continue }
            let pts = frame.pointee.best_effort_timestamp != aula_AV_NOPTS_VALUE ? frame.pointee.best_effort_timestamp : unit.timestamp
            guard pts >= nextDue else { continue }
            nextDue = (nextDue == .min || pts - nextDue > interval) ? pts + interval : nextDue + interval
            let f = frame.pointee
            let width = Int(f.width), height = Int(f.height)
            guard width > 0, height > 0, let plane = f.data.0 else { continue }
            let factor = Downscale.factor(width: width, targetWidth: options.analysisWidth)
            let small = Downscale.luma(plane, width: width, height: height, stride: Int(f.linesize.0), factor: factor)
            picturesAnalysed += 1
            result = LumaFrame(width: small.width, height: small.height, pixels: small.pixels, timestamp: pts)
        }
        return result
    }

    /// Forgets the decoder's pictures so that it starts afresh at the next key frame, as after a
    /// seek: for key frames decoded on their own, and for decoding a GOP again from its start.
    /// - Parameter analysedThrough: media time of the last picture already handed on; the next
    ///   picture due is one analysis interval after it (nil: the next picture decoded is due).
    public func restart(analysedThrough: Int64?) {
        if let context { avcodec_flush_buffers(context) }
        waitingForKeyFrame = true
        nextDue = analysedThrough.map { $0 + interval } ?? .min
    }

    private func name(_ unit: AccessUnit) -> String {
        "access unit #\(unitsReceived) (90 kHz time \(unit.timestamp))"
    }

    private func rejected(_ unit: AccessUnit, _ reason: String) -> MotionError {
        if let context { avcodec_flush_buffers(context) }
        waitingForKeyFrame = true
        return .decoder(name(unit), "the \(codec.rawValue) decoder rejected it: \(reason)")
    }

    static func describe(_ code: Int32) -> String { CodecContext.describe(code) }
}
