/*
 * core/base/tz.c — a TZif reader, so that exchange time needs no global TZ.
 *
 * A file is read whole, checked field by field (counts, index ranges,
 * ascending transitions, NUL-terminated abbreviations) and kept as three
 * arrays plus the footer's POSIX rule. Every query reduces to span_at():
 * the local time type in force at an instant together with the half-open
 * span [from, until) it holds for. Explicit transitions come from a binary
 * search; beyond the last one the rule's transitions for the surrounding
 * years are computed on the fly. Knowing the spans makes local -> UTC
 * exact: walk the spans around the wall time and keep the first offset
 * whose instant falls inside its own span.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "base/tz.h"

#define TZ_DEFAULT_DIR   "/usr/share/zoneinfo"
#define TZ_MAX_FILE      (1024 * 1024)   /* real zone files are < 10 KiB */
#define TZ_MAX_NAME      255
#define TZ_MAX_COUNT     (1u << 20)
#define TZ_MAX_FOOTER    255
#define TZ_ABBR_CAP      32
/* RFC 8536 bounds on UT offsets: [-25:59:59, +25:59:59]. */
#define TZ_MAX_UTOFF     93599
/* Any UTC instant for a local time lies within this distance of it. */
#define TZ_SEARCH_MARGIN (27 * 3600)
/* Dates whose instants still fit jutsu_time_t (about ±273,000 years). */
#define TZ_MAX_DAYS      100000000

struct tz_type {
    int32_t     utoff;      /* seconds east of UTC */
    int         isdst;
    const char *abbr;       /* into jutsu_tz.abbrs or the rule's buffers */
};

/* One end of a DST period: Jn, n or Mm.w.d, plus the local time of day. */
struct tz_rule_date {
    char    kind;           /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' */
    int     a, b, c;        /* day | day | month, week, weekday           */
    int32_t secs;           /* local time of the switch, may be < 0 or > 24h */
};

struct tz_rule {
    struct tz_type      std, dst;
    int                 has_dst;
    struct tz_rule_date start, end;
    char                std_abbr[TZ_ABBR_CAP], dst_abbr[TZ_ABBR_CAP];
};

struct jutsu_tz {
    char           *name;
    size_t          ntrans, ntypes;
    int64_t        *trans;      /* ascending UTC seconds        */
    unsigned char  *trans_type; /* index into types, per trans  */
    struct tz_type *types;
    char           *abbrs;
    int             has_rule;
    struct tz_rule  rule;
};

/* The local time type at an instant and how long it holds. */
struct span {
    int64_t               from, until;   /* [from, until), UTC seconds */
    const struct tz_type *type;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- reading the file -------------------------------------------------- */

static int valid_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > TZ_MAX_NAME || name[0] == '/' || strstr(name, "..") != NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' ||
                 c == '+' || c == '.';
        if (!ok)
            return 0;
    }
    return 1;
}

static int open_errno(int e)
{
    return e == ENOENT || e == ENOTDIR || e == ENAMETOOLONG ? JUTSU_ENOENT : JUTSU_EIO;
}

static int read_all(int fd, unsigned char *buf, size_t size)
{
    size_t got = 0;

    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return JUTSU_EIO;
        if (r == 0)
            return JUTSU_EMALFORMED;   /* shrank while we read it */
        got += (size_t)r;
    }
    return 0;
}

static int read_file(const char *path, unsigned char **data, size_t *size)
{
    struct stat st;
    unsigned char *buf = NULL;
    int rc, fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return open_errno(errno);
    if (fstat(fd, &st) < 0) {
        rc = JUTSU_EIO;
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = JUTSU_ENOENT;        /* "America" is a directory, not a zone */
        goto fail;
    }
    if (st.st_size > TZ_MAX_FILE) {
        rc = JUTSU_EMALFORMED;
        goto fail;
    }
    buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (buf == NULL) {
        rc = JUTSU_ENOMEM;
        goto fail;
    }
    rc = read_all(fd, buf, (size_t)st.st_size);
    if (rc < 0)
        goto fail;
    close(fd);
    *data = buf;
    *size = (size_t)st.st_size;
    return 0;
fail:
    free(buf);
    close(fd);
    return rc;
}

/* ---- TZif -------------------------------------------------------------- */

struct cursor {
    const unsigned char *p;
    size_t               left;
};

static const unsigned char *take(struct cursor *c, size_t n)
{
    const unsigned char *p = c->p;

    if (n > c->left)
        return NULL;
    c->p += n;
    c->left -= n;
    return p;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzhead {
    int      version;     /* 1..4 */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int parse_header(struct cursor *c, struct tzhead *h)
{
    const unsigned char *p = take(c, 44);

    if (p == NULL || memcmp(p, "TZif", 4) != 0)
        return JUTSU_EMALFORMED;
    if (p[4] == 0)
        h->version = 1;
    else if (p[4] >= '2' && p[4] <= '4')
        h->version = p[4] - '0';
    else
        return JUTSU_EMALFORMED;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    /* Types are indexed by one byte; the indicator arrays are all or none. */
    if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 ||
        h->timecnt > TZ_MAX_COUNT || h->leapcnt > TZ_MAX_COUNT ||
        h->charcnt > TZ_MAX_COUNT ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
        return JUTSU_EMALFORMED;
    return 0;
}

static size_t block_size(const struct tzhead *h, size_t tsize)
{
    return h->timecnt * tsize + h->timecnt + h->typecnt * (size_t)6 + h->charcnt +
           h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

static int parse_transitions(struct cursor *c, const struct tzhead *h, size_t tsize,
                             jutsu_tz *tz)
{
    const unsigned char *times = take(c, h->timecnt * tsize);
    const unsigned char *idx = take(c, h->timecnt);

    if (times == NULL || idx == NULL)
        return JUTSU_EMALFORMED;
    tz->ntrans = h->timecnt;
    tz->trans = calloc(h->timecnt ? h->timecnt : 1, sizeof(*tz->trans));
    tz->trans_type = malloc(h->timecnt ? h->timecnt : 1);
    if (tz->trans == NULL || tz->trans_type == NULL)
        return JUTSU_ENOMEM;
    for (size_t i = 0; i < h->timecnt; i++) {
        const unsigned char *p = times + i * tsize;
        tz->trans[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if ((i > 0 && tz->trans[i] <= tz->trans[i - 1]) || idx[i] >= h->typecnt)
            return JUTSU_EMALFORMED;
        tz->trans_type[i] = idx[i];
    }
    return 0;
}

static int parse_types(struct cursor *c, const struct tzhead *h, jutsu_tz *tz)
{
    const unsigned char *info = take(c, h->typecnt * (size_t)6);
    const unsigned char *chars = take(c, h->charcnt);

    if (info == NULL || chars == NULL)
        return JUTSU_EMALFORMED;
    tz->ntypes = h->typecnt;
    tz->types = calloc(h->typecnt, sizeof(*tz->types));
    tz->abbrs = malloc(h->charcnt);
    if (tz->types == NULL || tz->abbrs == NULL)
        return JUTSU_ENOMEM;
    memcpy(tz->abbrs, chars, h->charcnt);
    for (size_t i = 0; i < h->typecnt; i++) {
        const unsigned char *p = info + i * 6;
        int32_t utoff = (int32_t)be32(p);
        unsigned idx = p[5];
        if (utoff < -TZ_MAX_UTOFF || utoff > TZ_MAX_UTOFF || p[4] > 1 ||
            idx >= h->charcnt || memchr(chars + idx, '\0', h->charcnt - idx) == NULL)
            return JUTSU_EMALFORMED;
        tz->types[i].utoff = utoff;
        tz->types[i].isdst = p[4];
        tz->types[i].abbr = tz->abbrs + idx;
    }
    return 0;
}

static int parse_block(struct cursor *c, const struct tzhead *h, size_t tsize, jutsu_tz *tz)
{
    int rc = parse_transitions(c, h, tsize, tz);

    if (rc == 0)
        rc = parse_types(c, h, tz);
    /* Leap seconds and the std/ut indicators only matter to "right/"
     * zones and to POSIX-rule defaults; skip them. */
    if (rc == 0 && take(c, h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt) == NULL)
        rc = JUTSU_EMALFORMED;
    return rc;
}

/* ---- the footer's POSIX TZ rule ---------------------------------------- */

static int is_alpha(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* "EST" or "<+0330>". */
static int tzstr_abbr(const char **sp, char *buf)
{
    const char *s = *sp;
    size_t n = 0;

    if (*s == '<') {
        for (s++; *s != '>'; s++) {
            if (!(is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-') ||
                n + 1 >= TZ_ABBR_CAP)
                return -1;
            buf[n++] = *s;
        }
        s++;
    } else {
        for (; is_alpha(*s); s++) {
            if (n + 1 >= TZ_ABBR_CAP)
                return -1;
            buf[n++] = *s;
        }
    }
    if (n < 3)
        return -1;
    buf[n] = '\0';
    *sp = s;
    return 0;
}

/* Up to `maxdigits` digits, value <= max. */
static int tzstr_num(const char **sp, int maxdigits, int max, int *out)
{
    const char *s = *sp;
    int v = 0, n = 0;

    for (; n < maxdigits && is_digit(*s); s++, n++)
        v = v * 10 + (*s - '0');
    if (n == 0 || v > max)
        return -1;
    *out = v;
    *sp = s;
    return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours, as signed seconds. */
static int tzstr_hms(const char **sp, int max_hours, int32_t *out)
{
    const char *s = *sp;
    int sign = 1, h, m = 0, sec = 0;

    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (tzstr_num(&s, 3, max_hours, &h) < 0)
        return -1;
    if (*s == ':') {
        s++;
        if (tzstr_num(&s, 2, 59, &m) < 0)
            return -1;
        if (*s == ':') {
            s++;
            if (tzstr_num(&s, 2, 59, &sec) < 0)
                return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    *sp = s;
    return 0;
}

/* ",Mm.w.d[/time]", ",Jn[/time]" or ",n[/time]". */
static int tzstr_date(const char **sp, struct tz_rule_date *r)
{
    const char *s = *sp;
    int ok;

    if (*s++ != ',')
        return -1;
    if (*s == 'M') {
        s++;
        r->kind = 'M';
        ok = tzstr_num(&s, 2, 12, &r->a) == 0 && r->a >= 1 && *s++ == '.' &&
             tzstr_num(&s, 1, 5, &r->b) == 0 && r->b >= 1 && *s++ == '.' &&
             tzstr_num(&s, 1, 6, &r->c) == 0;
    } else if (*s == 'J') {
        s++;
        r->kind = 'J';
        ok = tzstr_num(&s, 3, 365, &r->a) == 0 && r->a >= 1;
    } else {
        r->kind = 'N';
        ok = tzstr_num(&s, 3, 365, &r->a) == 0;
    }
    if (!ok)
        return -1;
    r->secs = 2 * 3600;
    /* Version 3 lets the time run from -167 to +167 hours. */
    if (*s == '/' && (s++, tzstr_hms(&s, 167, &r->secs) < 0))
        return -1;
    *sp = s;
    return 0;
}

static int parse_posix(const char *s, struct tz_rule *r)
{
    int32_t west;

    memset(r, 0, sizeof(*r));
    r->std.abbr = r->std_abbr;
    r->dst.abbr = r->dst_abbr;
    r->dst.isdst = 1;
    if (tzstr_abbr(&s, r->std_abbr) < 0 || tzstr_hms(&s, 24, &west) < 0)
        return JUTSU_EMALFORMED;
    r->std.utoff = -west;               /* POSIX counts hours west */
    if (*s == '\0')
        return 0;
    if (tzstr_abbr(&s, r->dst_abbr) < 0)
        return JUTSU_EMALFORMED;
    r->has_dst = 1;
    r->dst.utoff = r->std.utoff + 3600;
    if (*s != ',' && *s != '\0') {
        if (tzstr_hms(&s, 24, &west) < 0)
            return JUTSU_EMALFORMED;
        r->dst.utoff = -west;
    }
    /* A TZif footer must say when DST applies; no implied default rule. */
    if (tzstr_date(&s, &r->start) < 0 || tzstr_date(&s, &r->end) < 0 || *s != '\0')
        return JUTSU_EMALFORMED;
    return 0;
}

static int parse_footer(struct cursor *c, jutsu_tz *tz)
{
    char buf[TZ_MAX_FOOTER + 1];
    const unsigned char *nl;

    if (take(c, 1) == NULL || c->p[-1] != '\n')
        return JUTSU_EMALFORMED;
    nl = memchr(c->p, '\n', c->left);
    if (nl == NULL || (size_t)(nl - c->p) > TZ_MAX_FOOTER)
        return JUTSU_EMALFORMED;
    memcpy(buf, c->p, (size_t)(nl - c->p));
    buf[nl - c->p] = '\0';
    if (buf[0] == '\0')
        return 0;             /* no rule: the last type holds forever */
    if (strlen(buf) != (size_t)(nl - c->p) || parse_posix(buf, &tz->rule) < 0)
        return JUTSU_EMALFORMED;
    tz->has_rule = 1;
    return 0;
}

static int parse_tzif(const unsigned char *data, size_t size, jutsu_tz *tz)
{
    struct cursor c = {data, size};
    struct tzhead h;
    int rc = parse_header(&c, &h);

    if (rc < 0)
        return rc;
    if (h.version == 1)
        return parse_block(&c, &h, 4, tz);
    /* Version 2+: skip the 32-bit block, read the 64-bit one and the footer. */
    if (take(&c, block_size(&h, 4)) == NULL)
        return JUTSU_EMALFORMED;
    rc = parse_header(&c, &h);
    if (rc == 0)
        rc = parse_block(&c, &h, 8, tz);
    if (rc == 0)
        rc = parse_footer(&c, tz);
    return rc;
}

/* ---- spans ------------------------------------------------------------- */

static jutsu_date_t rule_day(const struct tz_rule_date *r, int year)
{
    jutsu_date_t jan1 = jutsu_date_from_ymd(year, 1, 1);
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    if (r->kind == 'N')
        return jan1 + r->a;
    if (r->kind == 'J')
        return jan1 + r->a - 1 + (leap && r->a >= 60);
    /* Mm.w.d: the w-th weekday d of month m, w = 5 meaning the last. */
    jutsu_date_t first = jutsu_date_from_ymd(year, r->a, 1);
    jutsu_date_t next = r->a == 12 ? jutsu_date_from_ymd(year + 1, 1, 1)
                                   : jutsu_date_from_ymd(year, r->a + 1, 1);
    jutsu_date_t day = first + (r->c - jutsu_date_weekday(first) + 7) % 7 + (r->b - 1) * 7;
    while (day >= next)
        day -= 7;
    return day;
}

/* The switch at rule date r in `year`, as UTC seconds; the rule's time is
 * local time as it was just before the switch. */
static int64_t rule_instant(const struct tz_rule_date *r, int year, int32_t utoff_before)
{
    return (int64_t)rule_day(r, year) * 86400 + r->secs - utoff_before;
}

static void rule_span(const struct tz_rule *r, int64_t t, struct span *sp)
{
    int64_t at[6];
    int on[6], year, n = 0, i;

    sp->from = INT64_MIN;
    sp->until = INT64_MAX;
    sp->type = &r->std;
    if (!r->has_dst)
        return;
    jutsu_date_to_ymd((jutsu_date_t)floor_div(t + r->std.utoff, 86400), &year, NULL, NULL);
    for (int y = year - 1; y <= year + 1; y++) {
        /* Insertion sort, stable: an end that coincides with the next
         * start (DST all year) stays before it. */
        int64_t pair[2] = {rule_instant(&r->start, y, r->std.utoff),
                           rule_instant(&r->end, y, r->dst.utoff)};
        for (int k = 0; k < 2; k++, n++) {
            for (i = n; i > 0 && at[i - 1] > pair[k]; i--) {
                at[i] = at[i - 1];
                on[i] = on[i - 1];
            }
            at[i] = pair[k];
            on[i] = k == 0;
        }
    }
    for (i = 5; i >= 0 && at[i] > t; i--)
        ;
    if (i < 0) {
        sp->until = at[0];
        sp->type = on[0] ? &r->std : &r->dst;
        return;
    }
    sp->from = at[i];
    sp->until = i < 5 ? at[i + 1] : INT64_MAX;
    sp->type = on[i] ? &r->dst : &r->std;
}

static void span_at(const jutsu_tz *tz, int64_t t, struct span *sp)
{
    size_t lo = 0, hi = tz->ntrans;

    if (tz->ntrans == 0 || t < tz->trans[0]) {
        if (tz->ntrans == 0 && tz->has_rule) {
            rule_span(&tz->rule, t, sp);
            return;
        }
        sp->from = INT64_MIN;
        sp->until = tz->ntrans ? tz->trans[0] : INT64_MAX;
        sp->type = &tz->types[0];
        return;
    }
    while (hi - lo > 1) {           /* trans[lo] <= t < trans[hi] */
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    sp->from = tz->trans[lo];
    sp->until = hi < tz->ntrans ? tz->trans[hi] : INT64_MAX;
    sp->type = &tz->types[tz->trans_type[lo]];
    if (hi == tz->ntrans && tz->has_rule) {
        rule_span(&tz->rule, t, sp);
        if (sp->from < tz->trans[lo])
            sp->from = tz->trans[lo];
    }
}

/* ---- public ------------------------------------------------------------ */

int jutsu_tz_load(const char *name, jutsu_tz **out)
{
    const char *dir = getenv("TZDIR");
    char *path = NULL;
    unsigned char *data = NULL;
    size_t size = 0;
    jutsu_tz *tz = NULL;
    int rc;

    if (name == NULL || out == NULL)
        return JUTSU_EINVAL;
    *out = NULL;
    if (!valid_name(name))
        return JUTSU_EINVAL;
    if (dir == NULL || *dir == '\0')
        dir = TZ_DEFAULT_DIR;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return JUTSU_ENOMEM;
    rc = read_file(path, &data, &size);
    if (rc < 0)
        goto fail;
    rc = JUTSU_ENOMEM;
    tz = calloc(1, sizeof(*tz));
    if (tz == NULL || (tz->name = strdup(name)) == NULL)
        goto fail;
    rc = parse_tzif(data, size, tz);
    if (rc < 0)
        goto fail;
    free(data);
    free(path);
    *out = tz;
    return 0;
fail:
    jutsu_tz_free(tz);
    free(data);
    free(path);
    return rc;
}

void jutsu_tz_free(jutsu_tz *tz)
{
    if (tz == NULL)
        return;
    free(tz->name);
    free(tz->trans);
    free(tz->trans_type);
    free(tz->types);
    free(tz->abbrs);
    free(tz);
}

const char *jutsu_tz_name(const jutsu_tz *tz)
{
    return tz ? tz->name : NULL;
}

int jutsu_tz_offset(const jutsu_tz *tz, jutsu_time_t utc, int *utoff_sec, int *is_dst)
{
    struct span sp;

    if (tz == NULL)
        return JUTSU_EINVAL;
    span_at(tz, floor_div(utc, JUTSU_USEC_PER_SEC), &sp);
    if (utoff_sec)
        *utoff_sec = sp.type->utoff;
    if (is_dst)
        *is_dst = sp.type->isdst;
    return 0;
}

const char *jutsu_tz_abbrev(const jutsu_tz *tz, jutsu_time_t utc)
{
    struct span sp;

    if (tz == NULL)
        return NULL;
    span_at(tz, floor_div(utc, JUTSU_USEC_PER_SEC), &sp);
    return sp.type->abbr;
}

int jutsu_tz_local_date(const jutsu_tz *tz, jutsu_time_t utc, jutsu_date_t *d,
                        int *sec_of_day)
{
    struct span sp;
    int64_t local;

    if (tz == NULL)
        return JUTSU_EINVAL;
    local = floor_div(utc, JUTSU_USEC_PER_SEC);
    span_at(tz, local, &sp);
    local += sp.type->utoff;
    int64_t day = floor_div(local, 86400);
    if (d)
        *d = (jutsu_date_t)day;
    if (sec_of_day)
        *sec_of_day = (int)(local - day * 86400);
    return 0;
}

int jutsu_tz_to_utc(const jutsu_tz *tz, jutsu_date_t d, int hour, int minute,
                    int second, jutsu_time_t *out)
{
    struct span sp, prev = {0, 0, NULL};
    int64_t wall, t;

    if (tz == NULL || out == NULL || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 59)
        return JUTSU_EINVAL;
    if (d < -TZ_MAX_DAYS || d > TZ_MAX_DAYS)
        return JUTSU_ERANGE;
    wall = (int64_t)d * 86400 + hour * 3600 + minute * 60 + second;
    /* Spans in time order: the first whose offset maps the wall time back
     * into itself is the earliest occurrence. */
    for (t = wall - TZ_SEARCH_MARGIN; t <= wall + TZ_SEARCH_MARGIN; t = sp.until) {
        span_at(tz, t, &sp);
        int64_t u = wall - sp.type->utoff;
        if (u >= sp.from && u < sp.until) {
            *out = u * JUTSU_USEC_PER_SEC;
            return 0;
        }
        /* A wall time skipped by a forward jump: keep the offset from
         * before the jump, which lands as far past it as it was into it. */
        if (prev.type != NULL && sp.type->utoff > prev.type->utoff &&
            wall >= sp.from + prev.type->utoff && wall < sp.from + sp.type->utoff) {
            *out = (wall - prev.type->utoff) * JUTSU_USEC_PER_SEC;
            return 0;
        }
        if (sp.until == INT64_MAX)
            break;
        prev = sp;
    }
    /* Unreachable for files within the RFC 8536 offset bounds. */
    span_at(tz, wall, &sp);
    *out = (wall - sp.type->utoff) * JUTSU_USEC_PER_SEC;
    return 0;
}
