// Aula's window onto FFmpeg (Debian 12: FFmpeg 5.1). Swift cannot import function-like or
// compound-literal macros, so the few that Aula needs are re-exported here as constants and
// static inline functions.
#ifndef AULA_CFFMPEG_SHIM_H
#define AULA_CFFMPEG_SHIM_H
#include <errno.h>
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
#endif
