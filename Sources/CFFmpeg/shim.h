// Aula's window onto FFmpeg (Debian 12: FFmpeg 5.1). Swift cannot import function-like or
// compound-literal macros, so the few that Aula needs are re-exported here as constants and
// static inline functions.
#ifndef AULA_CFFMPEG_SHIM_H
#define AULA_CFFMPEG_SHIM_H
#include <errno.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

static const int aula_AVERROR_EOF = AVERROR_EOF;
static const int aula_AVERROR_EAGAIN = AVERROR(EAGAIN);
static const int64_t aula_AV_NOPTS_VALUE = AV_NOPTS_VALUE;

static inline int aula_averror(int e) { return AVERROR(e); }

/// Describes an FFmpeg error code in words, into a caller-owned buffer.
static inline void aula_error_string(int code, char *buffer, size_t size) {
    av_strerror(code, buffer, size);
}

/// Silences FFmpeg's own logging to stderr (Aula reports errors itself).
static inline void aula_quiet_logs(void) { av_log_set_level(AV_LOG_ERROR); }
// MARK: Decoding for analytics (Motion)

/// Sets up a decoder context for motion analysis, where a picture only has to be good enough to
/// compare against a background: one thread (analysis runs many cameras, one per task), no
/// in-loop deblocking (about a third of H.264 decode time; the blocking it leaves is far below the
/// motion threshold), libavcodec's non-conforming speed-ups, and non-reference pictures skipped
/// (free when a camera sends B-frames or non-reference P-frames; analysis runs at a reduced rate).
static inline void aula_configure_analysis_decoder(AVCodecContext *context, int skip_nonref) {
    context->thread_count = 1;
    context->skip_loop_filter = AVDISCARD_ALL;
    context->skip_frame = skip_nonref ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
    context->flags2 |= AV_CODEC_FLAG2_FAST;
    context->err_recognition = 0;
}

/// Copies `size` bytes into a freshly allocated, zero-padded extradata buffer owned by `context`.
static inline int aula_set_extradata(AVCodecContext *context, const uint8_t *bytes, int size) {
    uint8_t *buffer = av_mallocz((size_t)size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!buffer) return AVERROR(ENOMEM);
    memcpy(buffer, bytes, (size_t)size);
    context->extradata = buffer;
    context->extradata_size = size;
    return 0;
}
#endif
