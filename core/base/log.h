/*
 * core/base/log.h — the host's logger.
 *
 * Every line names who wrote it: "jutsu" for the host, the instance name
 * for a plugin. Lines go to stderr (or a stream set for tests) in one of
 * three formats:
 *   text     2026-11-25T06:40:32.123Z INFO  [yahoo] fetched 250 bars for QQQ
 *   json     {"ts":"...","level":"info","who":"yahoo","msg":"..."}  (one object a line)
 *   journal  <6>[yahoo] fetched ...  (sd-daemon priority prefix, no time:
 *            journald adds its own; chosen automatically under systemd)
 * Each line is written with a single write under a lock, so lines from
 * several threads never interleave. Thread-safe throughout.
 */
#ifndef JUTSU_CORE_LOG_H
#define JUTSU_CORE_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include "jutsu/host.h"   /* JUTSU_PRINTF */
#include "jutsu/log.h"

enum jutsu_log_format {
    JUTSU_LOG_TEXT    = 0,
    JUTSU_LOG_JSON    = 1,
    JUTSU_LOG_JOURNAL = 2
};

/* Sets the threshold and format (defaults: INFO, TEXT), except what is
 * pinned. */
void jutsu_log_configure(int level, int format);
/* Pins a level and/or a format (-1: leave unpinned) so that later
 * jutsu_log_configure calls (from the config file) keep them: the command
 * line and $JUTSU_LOG_LEVEL beat the file. */
void jutsu_log_pin(int level, int format);
int  jutsu_log_get_level(void);
/* Redirects output (NULL = stderr); for tests. */
void jutsu_log_set_stream(FILE *f);
/* "error".."trace" → level; 0 or JUTSU_EINVAL. */
int  jutsu_log_level_parse(const char *name, int *level);
const char *jutsu_log_level_name(int level);
/* "text", "json", "journal", "auto" (journal under systemd, else text). */
int  jutsu_log_format_parse(const char *name, int *format);

int  jutsu_log_enabled(int level);
void jutsu_log(const char *who, int level, const char *fmt, ...) JUTSU_PRINTF(3, 4);
void jutsu_logv(const char *who, int level, const char *fmt, va_list ap) JUTSU_PRINTF(3, 0);

/* Counts of lines written at each level since start (for tests/harness). */
unsigned long jutsu_log_count(int level);

#endif
