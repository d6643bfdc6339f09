/*
 * plugins/source-csv/csv_rows.c — data rows to bars.
 *
 * Each row is split in place, its fields converted exactly (prices through
 * jutsu_money_parse, never a double; dates through the SDK's calendar),
 * and the bar appended to a batch of CSV_BATCH that goes to the sink when
 * full. A row that cannot be read goes to sink->reject with "FILE:LINE" and
 * a reason that names the column and quotes the value, and the rows around
 * it are delivered as usual. The only allocation is the batch, once per
 * call.
 *
 * What the parser does not do, on purpose: sort, dedupe or check that
 * low <= open <= high. The sync job does, for every source alike, and
 * counts what it drops; doing it here too would hide a bad file's faults
 * from those counts. The one exception is a date the file repeats with
 * other values: only here are both lines known, so such a row is rejected
 * like an unreadable one, naming the line that is kept (see csv_seen.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/money.h"
#include "csv_int.h"

/* Checked in this order, so that the reason names the column that matters
 * most when several are bad (Yahoo's "null" rows have every price null). */
static const int price_order[] = { CSV_CLOSE, CSV_OPEN, CSV_HIGH, CSV_LOW };

/* The value of a field for a message: quoted, at most 40 bytes, control
 * characters as '?'. */
static const char *show(const struct csv_field *f, char *buf, size_t size)
{
    size_t n = f->len < 40 ? f->len : 40, k = 0;
    buf[k++] = '"';
    for (size_t i = 0; i < n && k + 5 < size; i++)
        buf[k++] = (unsigned char)f->p[i] < 0x20 ? '?' : f->p[i];
    if (n < f->len && k + 5 < size) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

static int parse_ts(const struct csv_field *f, jutsu_time_t *ts)
{
    jutsu_date_t d;
    if (f->len == 10) {
        if (jutsu_date_parse(f->p, 10, &d) != 0)
            return JUTSU_EMALFORMED;
        *ts = jutsu_date_to_time(d);
        return 0;
    }
    return jutsu_time_parse(f->p, f->len, ts);
}

static int parse_price(const struct csv_layout *l, int col, const struct csv_field *f,
                       int round, jutsu_money_t *out, char *reason, size_t rsz)
{
    char v[64];
    jutsu_money_t probe;
    int rc = jutsu_money_parse(f->p, f->len, round, out);
    if (rc == 0)
        return 0;
    if (rc == JUTSU_EMALFORMED)
        snprintf(reason, rsz, "%s: %s is not a number", l->name[col], show(f, v, sizeof(v)));
    else if (round == JUTSU_MONEY_EXACT &&
             jutsu_money_parse(f->p, f->len, JUTSU_MONEY_HALF_EVEN, &probe) == 0)
        snprintf(reason, rsz, "%s: %s has more than 6 decimals (rounding: exact)",
                 l->name[col], show(f, v, sizeof(v)));
    else
        snprintf(reason, rsz, "%s: %s is out of range (at most 999999999999.999999)",
                 l->name[col], show(f, v, sizeof(v)));
    return JUTSU_EMALFORMED;
}

/* Volume: an integer, or a number whose fraction is zero ("1234.0"). */
static int parse_volume(const struct csv_layout *l, const struct csv_field *f, int64_t *out,
                        char *reason, size_t rsz)
{
    char v[64];
    int64_t acc = 0;
    uint32_t i = 0;
    for (; i < f->len && i < 18 && f->p[i] >= '0' && f->p[i] <= '9'; i++)
        acc = acc * 10 + (f->p[i] - '0');
    if (i == f->len && i > 0) {
        *out = acc;
        return 0;
    }
    jutsu_money_t m;
    if (f->len == 0 || jutsu_money_parse(f->p, f->len, JUTSU_MONEY_EXACT, &m) != 0 ||
        m % JUTSU_MONEY_SCALE != 0) {
        snprintf(reason, rsz, "%s: %s is not an integer", l->name[CSV_VOLUME],
                 show(f, v, sizeof(v)));
        return JUTSU_EMALFORMED;
    }
    if (m < 0) {
        snprintf(reason, rsz, "%s: %s is negative", l->name[CSV_VOLUME], show(f, v, sizeof(v)));
        return JUTSU_EMALFORMED;
    }
    *out = m / JUTSU_MONEY_SCALE;
    return 0;
}

/* Dividend-adjusted bar: Close is Adj Close, and Open/High/Low move by the
 * same factor so that the bar stays self-consistent. */
static int adjust(const struct csv_layout *l, const struct csv_row *r, struct jutsu_bar *b,
                  int round, char *reason, size_t rsz)
{
    jutsu_money_t adj;
    char v[64];
    int rc = parse_price(l, CSV_ADJ, &r->f[l->col[CSV_ADJ]], round, &adj, reason, rsz);
    if (rc != 0)
        return rc;
    if (b->close <= 0) {
        snprintf(reason, rsz, "%s: %s cannot scale Open/High/Low to %s",
                 l->name[CSV_CLOSE], show(&r->f[l->col[CSV_CLOSE]], v, sizeof(v)),
                 l->name[CSV_ADJ]);
        return JUTSU_EMALFORMED;
    }
    /* x * adj / close, half to even */
    if (jutsu_money_muldiv(b->open, adj, b->close, &b->open) != 0 ||
        jutsu_money_muldiv(b->high, adj, b->close, &b->high) != 0 ||
        jutsu_money_muldiv(b->low, adj, b->close, &b->low) != 0) {
        snprintf(reason, rsz, "%s: scaling Open/High/Low to %s puts a price beyond "
                 "NUMERIC(18,6)", l->name[CSV_ADJ], show(&r->f[l->col[CSV_ADJ]], v, sizeof(v)));
        return JUTSU_EMALFORMED;
    }
    b->close = adj;
    return 0;
}

/* Fields the row has but the header does not must be empty (a trailing
 * comma); anything else means the columns have slid. */
static int check_width(const struct csv_layout *l, const struct csv_row *r, char *reason,
                       size_t rsz)
{
    if (r->n <= l->nheader)
        return 0;
    int n = r->n < CSV_MAX_FIELDS ? r->n : CSV_MAX_FIELDS;
    int extra = r->n > CSV_MAX_FIELDS;
    for (int i = l->nheader; i < n && !extra; i++)
        extra = r->f[i].len != 0;
    if (!extra)
        return 0;
    snprintf(reason, rsz, "the row has %d fields, the header %d", r->n, l->nheader);
    return JUTSU_EMALFORMED;
}

static int parse_row(const struct csv_layout *l, const struct csv_row *r, const struct csv_job *job,
                     struct jutsu_bar *b, char *reason, size_t rsz)
{
    static const int needed[] = { CSV_DATE, CSV_CLOSE, CSV_OPEN, CSV_HIGH, CSV_LOW,
                                  CSV_VOLUME, CSV_ADJ };
    char v[64];
    int rc;
    if ((rc = check_width(l, r, reason, rsz)) != 0)
        return rc;
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        int c = l->col[needed[i]];
        if (c >= r->n && (needed[i] != CSV_ADJ || job->adj_close)) {
            snprintf(reason, rsz, "%s: missing (the row has %d field%s, the header %d)",
                     l->name[needed[i]], r->n, r->n == 1 ? "" : "s", l->nheader);
            return JUTSU_EMALFORMED;
        }
    }
    const struct csv_field *df = &r->f[l->col[CSV_DATE]];
    if (parse_ts(df, &b->ts) != 0) {
        snprintf(reason, rsz, "%s: %s is not a date (YYYY-MM-DD) or an ISO 8601 time",
                 l->name[CSV_DATE], show(df, v, sizeof(v)));
        return JUTSU_EMALFORMED;
    }
    jutsu_money_t *dst[CSV_NCOL] = { 0 };
    dst[CSV_OPEN] = &b->open;
    dst[CSV_HIGH] = &b->high;
    dst[CSV_LOW] = &b->low;
    dst[CSV_CLOSE] = &b->close;
    for (size_t i = 0; i < 4; i++) {
        int col = price_order[i];
        rc = parse_price(l, col, &r->f[l->col[col]], job->round, dst[col], reason, rsz);
        if (rc != 0)
            return rc;
    }
    if ((rc = parse_volume(l, &r->f[l->col[CSV_VOLUME]], &b->volume, reason, rsz)) != 0)
        return rc;
    if (job->adj_close && (rc = adjust(l, r, b, job->round, reason, rsz)) != 0)
        return rc;
    b->line = r->line;
    b->reserved = 0;
    return 0;
}

static void reject(struct csv_job *job, uint32_t line, const char *reason)
{
    char where[512];
    job->rejected++;
    if (job->sink->reject == NULL)
        return;
    snprintf(where, sizeof(where), "%s:%u", job->file, line);
    job->sink->reject(where, reason, job->sink->arg);
}

/* 1 if the row belongs to the job (its symbol, upper-cased, in sym), 0 if
 * to a symbol the job does not want, -1 if it cannot say (the row is then
 * rejected: it might be wanted). */
static int row_symbol(const struct csv_layout *l, const struct csv_row *r,
                      const struct csv_job *job, char *sym, char *reason, size_t rsz)
{
    char v[64];
    int c = l->col[CSV_SYMBOL];
    if (c < 0)
        return 1;
    if (c >= r->n || r->f[c].len == 0) {
        snprintf(reason, rsz, "%s: missing", l->name[CSV_SYMBOL]);
        return -1;
    }
    if (csv_symbol_copy(sym, r->f[c].p, r->f[c].len) != 0) {
        snprintf(reason, rsz, "%s: %s is not a symbol (at most %d characters)",
                 l->name[CSV_SYMBOL], show(&r->f[c], v, sizeof(v)), CSV_SYMBOL_MAX - 1);
        return -1;
    }
    return job->symbol == NULL || strcmp(job->symbol, sym) == 0;
}

/* The first column, in price_order then Volume, whose value differs, with
 * its two values written to x and y; -1 if the bars are the same. */
static int differs(const struct csv_seen_bar *e, const struct jutsu_bar *b, char *x, char *y)
{
    const jutsu_money_t was[] = { e->close, e->open, e->high, e->low };
    const jutsu_money_t now[] = { b->close, b->open, b->high, b->low };
    for (size_t i = 0; i < 4; i++) {
        if (was[i] != now[i]) {
            jutsu_money_format_short(was[i], x);
            jutsu_money_format_short(now[i], y);
            return price_order[i];
        }
    }
    if (e->volume == b->volume)
        return -1;
    snprintf(x, JUTSU_MONEY_BUFSZ, "%lld", (long long)e->volume);
    snprintf(y, JUTSU_MONEY_BUFSZ, "%lld", (long long)b->volume);
    return CSV_VOLUME;
}

/* 1 if bar b (of symbol sym, from row r) repeats a delivered bar with other
 * values: the reason then says which line it repeats and which is kept. 0
 * if it is new, or an identical repeat (the job drops those and counts
 * them as skipped). JUTSU_ENOMEM. */
static int conflicts(const struct csv_layout *l, struct csv_job *job, const char *sym,
                     const struct csv_row *r, const struct jutsu_bar *b, char *reason,
                     size_t rsz)
{
    const struct csv_seen_bar *e;
    char x[JUTSU_MONEY_BUFSZ], y[JUTSU_MONEY_BUFSZ], v[64];
    int rc = csv_seen_check(&job->seen, sym, b, &e), col;
    if (rc != 0 || e == NULL || (col = differs(e, b, x, y)) < 0)
        return rc;
    if (col == CSV_CLOSE && job->adj_close)
        col = CSV_ADJ;      /* the close compared is the adjusted one */
    snprintf(reason, rsz, "%s: %s%s%s is also on line %u, with other values (%s %s there, "
             "%s here): line %u is kept, this row is dropped", l->name[CSV_DATE],
             show(&r->f[l->col[CSV_DATE]], v, sizeof(v)), l->col[CSV_SYMBOL] >= 0 ? " of " : "",
             l->col[CSV_SYMBOL] >= 0 ? sym : "", e->line, l->name[col], x, y, e->line);
    return 1;
}

static int flush(struct csv_job *job, struct jutsu_bar *bars, size_t *n)
{
    int rc = 0;
    if (*n > 0)
        rc = job->sink->bars(job->batch_symbol, bars, *n, job->sink->arg);
    job->delivered += *n;
    *n = 0;
    return rc;
}

int csv_rows(const struct csv_layout *l, struct csv_reader *rd, struct csv_job *job)
{
    struct jutsu_bar *bars = malloc(CSV_BATCH * sizeof(*bars));
    struct jutsu_bar b;
    struct csv_row r;
    char reason[256], sym[CSV_SYMBOL_MAX];
    size_t n = 0;
    int rc = 0, more = 0;

    if (bars == NULL)
        return JUTSU_ENOMEM;
    while (rc == 0 && (more = csv_next_row(rd, &r)) > 0) {
        if (r.bad != NULL) {
            reject(job, r.line, r.bad);
            continue;
        }
        if (csv_row_blank(&r))
            continue;
        int mine = row_symbol(l, &r, job, sym, reason, sizeof(reason));
        if (mine == 0)
            continue;
        job->matched += mine > 0;
        if (mine < 0 || parse_row(l, &r, job, &b, reason, sizeof(reason)) != 0) {
            reject(job, r.line, reason);
            continue;
        }
        if (b.ts < job->from || b.ts > job->to)
            continue;
        int dup = conflicts(l, job, l->col[CSV_SYMBOL] >= 0 ? sym : job->batch_symbol, &r,
                            &b, reason, sizeof(reason));
        if (dup < 0) {
            rc = dup;
            break;
        }
        if (dup > 0) {
            reject(job, r.line, reason);
            continue;
        }
        /* a batch holds one symbol */
        if (l->col[CSV_SYMBOL] >= 0 && strcmp(sym, job->batch_symbol) != 0) {
            if ((rc = flush(job, bars, &n)) != 0)
                break;
            memcpy(job->batch_symbol, sym, sizeof(sym));
        }
        bars[n] = b;
        if (++n == CSV_BATCH)
            rc = flush(job, bars, &n);
    }
    if (rc == 0 && more < 0)
        rc = more;          /* bars already delivered stay delivered */
    if (rc == 0)
        rc = flush(job, bars, &n);
    free(bars);
    csv_seen_free(&job->seen);
    return rc;
}

int csv_scan_symbols(const struct csv_layout *l, struct csv_reader *rd,
                     int (*fn)(const char *symbol, void *arg), void *arg)
{
    struct csv_symset s = { 0 };
    struct csv_row r;
    char sym[CSV_SYMBOL_MAX];
    int c = l->col[CSV_SYMBOL], rc = 0, more = 0;

    if (c < 0)
        return 0;
    while (rc == 0 && (more = csv_next_row(rd, &r)) > 0)
        if (r.bad == NULL && c < r.n && csv_symbol_copy(sym, r.f[c].p, r.f[c].len) == 0)
            rc = csv_symset_add(&s, sym);
    if (rc == 0 && more < 0)
        rc = more;
    if (rc == 0)
        rc = csv_symset_each(&s, fn, arg);
    csv_symset_free(&s);
    return rc;
}
