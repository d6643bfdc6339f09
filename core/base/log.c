/*
 * core/base/log.c — the host's logger: one formatted line, one write.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jutsu/error.h"
#include "base/clock.h"
#include "base/log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int log_level = JUTSU_LOG_INFO;
static atomic_int log_format = JUTSU_LOG_TEXT;
static FILE *log_stream;                      /* NULL: stderr */
static atomic_int pinned_level = -1, pinned_format = -1;
static atomic_ulong log_counts[JUTSU_LOG_TRACE + 1];

static const char *const level_names[] = { "error", "warn", "info", "debug", "trace" };
static const char *const level_tags[]  = { "ERROR", "WARN ", "INFO ", "DEBUG", "TRACE" };
/* syslog priorities for the journal prefix: err, warning, info, debug, debug */
static const int level_prio[] = { 3, 4, 6, 7, 7 };

void jutsu_log_pin(int level, int format)
{
    atomic_store(&pinned_level, -1);
    atomic_store(&pinned_format, -1);
    jutsu_log_configure(level >= 0 ? level : atomic_load(&log_level),
                        format >= 0 ? format : atomic_load(&log_format));
    atomic_store(&pinned_level, level);
    atomic_store(&pinned_format, format);
}

void jutsu_log_configure(int level, int format)
{
    if (atomic_load(&pinned_level) >= 0)
        level = atomic_load(&pinned_level);
    if (atomic_load(&pinned_format) >= 0)
        format = atomic_load(&pinned_format);
    if (level < JUTSU_LOG_ERROR)
        level = JUTSU_LOG_ERROR;
    if (level > JUTSU_LOG_TRACE)
        level = JUTSU_LOG_TRACE;
    atomic_store(&log_level, level);
    atomic_store(&log_format, format);
}

int jutsu_log_get_level(void)
{
    return atomic_load(&log_level);
}

void jutsu_log_set_stream(FILE *f)
{
    pthread_mutex_lock(&log_lock);
    log_stream = f;
    pthread_mutex_unlock(&log_lock);
}

int jutsu_log_level_parse(const char *name, int *level)
{
    for (int i = 0; i <= JUTSU_LOG_TRACE; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *level = i;
            return 0;
        }
    }
    if (strcasecmp(name, "warning") == 0) {
        *level = JUTSU_LOG_WARN;
        return 0;
    }
    return JUTSU_EINVAL;
}

const char *jutsu_log_level_name(int level)
{
    if (level < 0 || level > JUTSU_LOG_TRACE)
        return "?";
    return level_names[level];
}

int jutsu_log_format_parse(const char *name, int *format)
{
    if (strcmp(name, "text") == 0)
        *format = JUTSU_LOG_TEXT;
    else if (strcmp(name, "json") == 0)
        *format = JUTSU_LOG_JSON;
    else if (strcmp(name, "journal") == 0)
        *format = JUTSU_LOG_JOURNAL;
    else if (strcmp(name, "auto") == 0)
        /* systemd sets JOURNAL_STREAM when stderr is connected to journald */
        *format = getenv("JOURNAL_STREAM") ? JUTSU_LOG_JOURNAL : JUTSU_LOG_TEXT;
    else
        return JUTSU_EINVAL;
    return 0;
}

int jutsu_log_enabled(int level)
{
    return level <= atomic_load(&log_level);
}

unsigned long jutsu_log_count(int level)
{
    if (level < 0 || level > JUTSU_LOG_TRACE)
        return 0;
    return atomic_load(&log_counts[level]);
}

/* A growable line buffer on the stack first, the heap when a message is
 * long: logging must not fail because a message is big. */
struct line {
    char  *p;
    size_t len, cap;
    char   stack[1024];
    int    oom;
};

static void line_reserve(struct line *l, size_t extra)
{
    if (l->oom || l->len + extra + 1 <= l->cap)
        return;
    size_t cap = l->cap * 2;
    while (cap < l->len + extra + 1)
        cap *= 2;
    char *p = l->p == l->stack ? malloc(cap) : realloc(l->p, cap);
    if (p == NULL) {
        l->oom = 1;
        return;
    }
    if (l->p == l->stack)
        memcpy(p, l->stack, l->len);
    l->p = p;
    l->cap = cap;
}

static void line_put(struct line *l, const char *s, size_t n)
{
    line_reserve(l, n);
    if (l->oom)
        n = l->len + n + 1 <= l->cap ? n : l->cap - l->len - 1;
    memcpy(l->p + l->len, s, n);
    l->len += n;
}

static void __attribute__((format(printf, 2, 0)))
line_vprintf(struct line *l, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n >= l->cap - l->len) {
        line_reserve(l, (size_t)n);
        if (l->oom) {
            l->len = l->cap - 1;
            return;
        }
        vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
    }
    l->len += (size_t)n;
}

/* The length of the valid UTF-8 sequence at s[0..n) of at least two
 * bytes, or 0 (a stray, overlong, surrogate or cut sequence). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0;          /* overlong */
    else if (c == 0xED)
        hi = 0x9F;          /* UTF-16 surrogates */
    else if (c == 0xF0)
        lo = 0x90;          /* overlong */
    else if (c == 0xF4)
        hi = 0x8F;          /* past U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* A byte a log line may not carry as it is, as \xNN text: a log is read
 * as UTF-8 (journald, a terminal, a JSON parser), and a Latin-1 file name
 * or a control byte from a remote reply would garble it or worse. */
static void line_put_hex(struct line *l, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
    line_put(l, esc, 4);
}

/* A message for a text line: valid UTF-8 and tabs as they are, line ends
 * as \n and \r (one message, one line), every other control byte and
 * every byte that is not UTF-8 as \xNN. */
static void line_put_text(struct line *l, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && ((u[run] >= 0x20 && u[run] < 0x7F) || u[run] == '\t'))
            run++;              /* the common case: plain ASCII, copied at once */
        line_put(l, s + i, run - i);
        if ((i = run) >= n)
            break;
        size_t k = u[i] >= 0x80 ? utf8_seq(u + i, n - i) : 0;
        if (k > 0)
            line_put(l, s + i, k);
        else if (u[i] == '\n' || u[i] == '\r')
            line_put(l, u[i] == '\n' ? "\\n" : "\\r", 2);
        else
            line_put_hex(l, u[i]);
        i += k > 0 ? k : 1;
    }
}

/* JSON string escaping of an already formatted message. Bytes that are not
 * UTF-8 become the text \xNN (JSON has no escape for a raw byte, and one
 * would make the whole line unparseable). */
static void line_put_json(struct line *l, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6] = { '\\', 0 };
        size_t k = c >= 0x80 ? utf8_seq((const unsigned char *)s + i, n - i) : 0;
        if (k > 0) {
            line_put(l, s + i, k);
            i += k - 1;
        } else if (c >= 0x80) {
            line_put(l, "\\", 1);     /* the backslash, escaped for JSON */
            line_put_hex(l, c);
        } else if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            line_put(l, esc, 2);
        } else if (c == '\n') {
            line_put(l, "\\n", 2);
        } else if (c == '\t') {
            line_put(l, "\\t", 2);
        } else if (c < 0x20 || c == 0x7F) {
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            line_put(l, esc, 6);
        } else {
            line_put(l, (const char *)&s[i], 1);
        }
    }
}

static void put_timestamp(struct line *l)
{
    struct tm tm;
    char buf[40];
    jutsu_time_t now = jutsu_clock_wall();
    time_t sec = (time_t)(now / JUTSU_USEC_PER_SEC);
    gmtime_r(&sec, &tm);
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, ".%03dZ",
                          (int)(now % JUTSU_USEC_PER_SEC / 1000));
    line_put(l, buf, n);
}

void jutsu_logv(const char *who, int level, const char *fmt, va_list ap)
{
    if (level < JUTSU_LOG_ERROR)
        level = JUTSU_LOG_ERROR;
    if (level > JUTSU_LOG_TRACE)
        level = JUTSU_LOG_TRACE;
    if (!jutsu_log_enabled(level))
        return;
    atomic_fetch_add(&log_counts[level], 1);
    if (who == NULL)
        who = "jutsu";

    struct line l = { .cap = sizeof(l.stack) };
    l.p = l.stack;
    int format = atomic_load(&log_format);

    if (format == JUTSU_LOG_JSON) {
        struct line msg = { .cap = sizeof(msg.stack) };
        msg.p = msg.stack;
        line_vprintf(&msg, fmt, ap);
        line_put(&l, "{\"ts\":\"", 7);
        put_timestamp(&l);
        line_put(&l, "\",\"level\":\"", 11);
        line_put(&l, level_names[level], strlen(level_names[level]));
        line_put(&l, "\",\"who\":\"", 9);
        line_put_json(&l, who, strlen(who));
        line_put(&l, "\",\"msg\":\"", 9);
        line_put_json(&l, msg.p, msg.len);
        line_put(&l, "\"}", 2);
        if (msg.p != msg.stack)
            free(msg.p);
    } else {
        char head[16];
        if (format == JUTSU_LOG_JOURNAL) {
            int n = snprintf(head, sizeof(head), "<%d>", level_prio[level]);
            line_put(&l, head, (size_t)n);
        } else {
            put_timestamp(&l);
            line_put(&l, " ", 1);
            line_put(&l, level_tags[level], 5);
            line_put(&l, " ", 1);
        }
        struct line msg = { .cap = sizeof(msg.stack) };
        msg.p = msg.stack;
        line_vprintf(&msg, fmt, ap);
        /* one line per message: a stray newline would split it in journald;
         * a final one is just the habit of printf, and goes */
        while (msg.len > 0 && msg.p[msg.len - 1] == '\n')
            msg.len--;
        line_put(&l, "[", 1);
        line_put_text(&l, who, strlen(who));
        line_put(&l, "] ", 2);
        line_put_text(&l, msg.p, msg.len);
        if (msg.p != msg.stack)
            free(msg.p);
    }
    line_put(&l, "\n", 1);

    pthread_mutex_lock(&log_lock);
    FILE *f = log_stream ? log_stream : stderr;
    /* a logger has nowhere to report its own failure to write */
    (void)fwrite(l.p, 1, l.len, f);
    (void)fflush(f);
    pthread_mutex_unlock(&log_lock);
    if (l.p != l.stack)
        free(l.p);
}

void jutsu_log(const char *who, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jutsu_logv(who, level, fmt, ap);
    va_end(ap);
}
