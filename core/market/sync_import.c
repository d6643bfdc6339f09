/*
 * core/market/sync_import.c — `jutsu data import`: files read by a source
 * that reads files (source-csv), streamed through the sync's checks into
 * the database in transactions of at most sync.batch_size bars: small
 * symbols grouped, a larger one alone in batches of its own, each
 * committed.
 *
 * Nothing holds a whole file: each symbol's bars wait in a buffer of at
 * most about sync.batch_size bars (all buffers together as much), which is
 * written as soon as it is full, so memory does not grow with the file. A
 * symbol is "large" once its buffer passes the batch size: it then commits
 * batch by batch on its own (a kill loses at most the batch in flight, a
 * re-run skips what is stored). Symbols that stay small share a
 * transaction (a file of many small symbols must not pay a commit each),
 * and a failure rolls back the whole group, reported as such. A date a
 * file repeats is dropped within a batch by sync_store (the first wins)
 * and across batches by the database's conflict clause (the first
 * committed wins); either way it is counted as skipped. A load large
 * enough sets idx_market_data_ts aside and builds it once at the end
 * (maybe_set_aside, below).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "jutsu/symbol.h"
#include "base/log.h"
#include "market/sync_int.h"
#include "store/store.h"

/* One symbol of the file being read. */
struct pend {
    char              symbol[16];
    size_t            item;        /* its row of the report (an index: rows move) */
    struct jutsu_bar *bars;        /* delivered, not written yet */
    size_t            n, cap;
    uint32_t          seq;         /* bars appended so far: their order */
    int               large;       /* more than a batch: commits alone */
    int               stopped;     /* failed: the rest is counted, not written */
    int               in_group;    /* has bars in the open transaction */
    int64_t           ins0, skip0; /* the item before the open transaction */
    jutsu_time_t      first0, last0;
};

/* An import of one file: the sink's state. */
struct stream {
    struct ctx          *c;
    struct jutsu_sync_report *r;
    const char          *file, *tf, *source, *reader;
    struct pend         *p;
    size_t               np, cap;
    size_t               pending;      /* bars in all buffers */
    int64_t              unattributed; /* unreadable records not yet in an item */
    size_t               last, run;    /* the buffer the last bars went to, and
                                          how many in a row it has had */
    struct gather        g;            /* for the reject log and count only */
};

static struct jutsu_sync_item *item_of(struct stream *st, const struct pend *p)
{
    return &st->r->items[p->item];
}

/* The buffer of `symbol`, made (with its report row) on its first bars. A
 * name that breaks the symbol rule is refused here, before any write. */
static struct pend *pend_of(struct stream *st, const char *symbol)
{
    char sym[16], why[200];
    jutsu_symbol_upper(sym, sizeof(sym), symbol ? symbol : "?", SIZE_MAX);
    for (size_t i = 0; i < st->np; i++)
        if (strcmp(st->p[i].symbol, sym) == 0)
            return &st->p[i];
    if (st->np == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 4;
        struct pend *p = realloc(st->p, cap * sizeof(*p));
        if (p == NULL)
            return NULL;
        st->p = p;
        st->cap = cap;
    }
    struct jutsu_sync_item *it = jutsu_sync_report_add(st->r, sym, st->tf);
    if (it == NULL)
        return NULL;
    struct pend *p = &st->p[st->np++];
    memset(p, 0, sizeof(*p));
    memcpy(p->symbol, sym, sizeof(sym));
    p->item = st->r->n - 1;
    if (!jutsu_symbol_check(sym, 0, why, sizeof(why))) {
        it->status = JUTSU_EINVAL;
        p->stopped = 1;
        snprintf(it->source, sizeof(it->source), "%s", st->file);
        snprintf(it->error, sizeof(it->error), "%s: %s; name the symbol with --symbol SYMBOL, "
                 "or rename the file", st->file, why);
    } else {
        snprintf(it->source, sizeof(it->source), "%s", st->reader);
    }
    return p;
}

/* --- the timestamp index, set aside for a large load ------------------- */

/* idx_market_data_ts is the one index of market_data whose key does not
 * start with the symbol. A file of many symbols over the same dates
 * inserts into it across its whole range, once per symbol, where every
 * other index takes a symbol's bars at one place. So before a full batch
 * that lands inside its range, once this import has written at least half
 * as many bars as the table holds, the index is set aside and built again
 * when the import ends (store/index_defer.c): building it costs about the
 * table's size, which a symbol re-imported into a large table must not
 * pay. Measured in bench/README.md. */
static void maybe_set_aside(struct stream *st, jutsu_time_t first, size_t n)
{
    struct ctx *c = st->c;
    if (c->ts_aside != 0 || n < (size_t)c->batch || c->s->tx_depth != 0)
        return;
    if (!jutsu_index_can_defer(c->s)) {
        c->ts_aside = -1;
        return;
    }
    int64_t written = (int64_t)n, rows = 0;
    for (size_t i = 0; i < st->r->n; i++)
        written += st->r->items[i].inserted;
    jutsu_time_t last = 0;
    struct jutsu_q q;
    /* each a lookup at the end of an index, not a scan */
    if (jutsu_q_prepare(&q, c->s, "SELECT (SELECT MAX(timestamp) FROM market_data), "
                                  "(SELECT MAX(id) FROM market_data)",
                        "market_data: extent") == 0 &&
        jutsu_q_step(&q) == JUTSU_DB_ROW) {
        last = jutsu_q_col_time(&q);
        rows = jutsu_q_col_int(&q, 0);
    }
    if (jutsu_q_done(&q) != 0) {   /* only a missed speed-up: load as it is */
        jutsu_log(c->who, JUTSU_LOG_WARN, "%s", jutsu_dbs_error_line(c->s));
        c->ts_aside = -1;
        return;
    }
    /* a bar at the last instant of another symbol still goes at the end */
    if (last == 0 || first >= last || written * 2 < rows)
        return;                    /* appends at its end, or too few bars yet */
    int rc = jutsu_index_defer(c->s, "market_data", "idx_market_data_ts");
    c->ts_aside = rc == 0 ? 1 : -1;
    if (rc != 0)
        jutsu_log(c->who, JUTSU_LOG_WARN, "idx_market_data_ts not set aside for the load "
                  "(only slower): %s", jutsu_dbs_error_line(c->s));
}

static jutsu_time_t first_ts(const struct jutsu_bar *b, size_t n, jutsu_time_t first)
{
    for (size_t i = 0; i < n; i++)
        if (first == 0 || b[i].ts < first)
            first = b[i].ts;
    return first;
}

/* p's first n bars written (and counted) by sync_store, in the open
 * transaction or, without one, in a transaction of their own. */
static int write_bars(struct stream *st, struct pend *p, size_t n)
{
    struct jutsu_sync_item *it = item_of(st, p);
    int64_t unreadable = st->unattributed;
    st->unattributed = 0;
    int rc = jutsu_sync_store_bars(st->c, it, st->source, p->bars, n, unreadable, "import");
    memmove(p->bars, p->bars + n, (p->n - n) * sizeof(*p->bars));
    p->n -= n;
    st->pending -= n;
    return rc;
}

/* A group's transaction ended (rc: how): the items keep what committed;
 * if it failed, every member is stopped and reported as rolled back, the
 * one that failed with the database's reason. */
static void settle_group(struct stream *st, const struct pend *bad, int rc)
{
    for (size_t i = 0; i < st->np; i++) {
        struct pend *p = &st->p[i];
        if (!p->in_group)
            continue;
        p->in_group = 0;
        if (rc == 0)
            continue;
        struct jutsu_sync_item *it = item_of(st, p);
        p->stopped = 1;
        it->status = rc;
        if (p == bad || bad == NULL)
            snprintf(it->error, sizeof(it->error), "%s", jutsu_dbs_error_line(st->c->s));
        else
            snprintf(it->error, sizeof(it->error), "rolled back with a failing symbol of its "
                     "transaction");
        it->inserted = p->ins0;
        it->skipped = p->skip0;
        it->first = p->first0;
        it->last = p->last0;
    }
}

/* Writes the buffers of the small symbols (all but `except`) in one
 * transaction. */
static void close_group(struct stream *st, const struct pend *except)
{
    struct pend *bad = NULL;
    int rc = 0, open = 0;
    size_t n = 0;
    jutsu_time_t first = 0;
    for (size_t i = 0; i < st->np; i++)
        if (&st->p[i] != except && !st->p[i].large) {
            n += st->p[i].n;
            first = first_ts(st->p[i].bars, st->p[i].n, first);
        }
    maybe_set_aside(st, first, n);
    for (size_t i = 0; i < st->np && rc == 0; i++) {
        struct pend *p = &st->p[i];
        if (p == except || p->large || p->n == 0)
            continue;
        /* what the symbol had committed before this group, which a failed
         * group (its begin included) puts back */
        struct jutsu_sync_item *it = item_of(st, p);
        p->ins0 = it->inserted;
        p->skip0 = it->skipped;
        p->first0 = it->first;
        p->last0 = it->last;
        p->in_group = 1;
        if (!open && (rc = jutsu_dbs_begin(st->c->s)) != 0) {
            bad = p;
            break;
        }
        open = 1;
        if ((rc = write_bars(st, p, p->n)) != 0)
            bad = p;
    }
    if (open && rc == 0 && (rc = jutsu_dbs_commit(st->c->s)) != 0)
        bad = NULL;   /* the commit's, so the group's as a whole */
    else if (open && rc != 0)
        jutsu_dbs_rollback(st->c->s);
    for (size_t i = 0; i < st->np; i++)   /* what is left of a failed group */
        if (rc != 0 && st->p[i].in_group) {
            st->pending -= st->p[i].n;
            st->p[i].n = 0;
        }
    settle_group(st, bad, rc);
}

/* A large symbol's first n bars, committed on their own. A failure stops
 * the symbol: the batches before stay, the rest is only counted. */
static void write_alone(struct stream *st, struct pend *p, size_t n)
{
    maybe_set_aside(st, first_ts(p->bars, n, 0), n);
    int rc = write_bars(st, p, n);
    if (rc == 0)
        return;
    item_of(st, p)->status = rc;
    item_of(st, p)->fetched += (int64_t)p->n;   /* read, never to be written */
    p->stopped = 1;
    st->pending -= p->n;
    p->n = 0;
}

/* p's buffer freed if it holds nothing: a symbol done with keeps none. */
static void release_empty(struct pend *p)
{
    if (p->n > 0)
        return;
    free(p->bars);
    p->bars = NULL;
    p->cap = 0;
}

/* Everything buffered but `keep`'s bars written: the small symbols as one
 * group, each large one's remainder alone; the emptied buffers freed (a
 * file of many symbols, one after another, must not keep one each). */
static void write_others(struct stream *st, const struct pend *keep)
{
    close_group(st, keep);
    for (size_t i = 0; i < st->np; i++) {
        struct pend *p = &st->p[i];
        if (p == keep)
            continue;
        if (p->large && p->n > 0 && !p->stopped)
            write_alone(st, p, p->n);
        release_empty(p);
    }
}

static int append(struct pend *p, const struct jutsu_bar *bars, size_t n)
{
    if (p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap : 1024;
        while (cap < p->n + n)
            cap *= 2;
        struct jutsu_bar *b = realloc(p->bars, cap * sizeof(*b));
        if (b == NULL)
            return JUTSU_ENOMEM;
        p->bars = b;
        p->cap = cap;
    }
    memcpy(p->bars + p->n, bars, n * sizeof(*bars));
    /* the spare field keeps the arrival order, so that of two bars with
     * the same time the first delivered wins (sync_store) */
    for (size_t i = 0; i < n; i++)
        p->bars[p->n + i].reserved = p->seq++;
    p->n += n;
    return 0;
}

/* The bars of another symbol follow a run of the last one. A file grouped
 * by symbol has just finished a large one: its rest is written now, so that
 * symbols are stored one after the other (a kill leaves whole symbols and
 * whole batches of the one in hand). A file that interleaves symbols
 * (runs shorter than a batch) leaves it to the next full batch. Either way
 * an emptied buffer is freed now, also when the last batch took every bar
 * (a symbol of a multiple of the batch size): kept, each such symbol of a
 * file held a batch's worth of memory to the end of it. */
static void end_run(struct stream *st)
{
    if (st->last < st->np) {
        struct pend *q = &st->p[st->last];
        if (q->large && !q->stopped && q->n > 0 && st->run >= (size_t)st->c->batch)
            write_alone(st, q, q->n);
        release_empty(q);
    }
    st->run = 0;
}

static int on_bars(const char *symbol, const struct jutsu_bar *bars, size_t n, void *arg)
{
    struct stream *st = arg;
    struct pend *p = pend_of(st, symbol);
    if (p == NULL)
        return JUTSU_ENOMEM;
    size_t at = (size_t)(p - st->p);
    if (at != st->last)
        end_run(st);
    st->last = at;
    st->run += n;
    if (p->stopped) {
        struct jutsu_sync_item *it = item_of(st, p);
        if (it->status == JUTSU_EINVAL && it->inserted + it->skipped == 0 && it->fetched == 0)
            it->rejected += (int64_t)n;   /* a name refused: none of it was read */
        else
            it->fetched += (int64_t)n;
        return 0;
    }
    if (append(p, bars, n) != 0)
        return JUTSU_ENOMEM;
    st->pending += n;
    size_t batch = (size_t)st->c->batch;
    if (p->n > batch && !p->large) {   /* it will not fit a group: alone from now on */
        p->large = 1;
        close_group(st, p);
    }
    while (p->large && !p->stopped && p->n >= batch)
        write_alone(st, p, batch);
    if (st->pending > batch)           /* the others' turn: memory stays bounded */
        write_others(st, p);
    return 0;
}

static void on_reject(const char *where, const char *reason, void *arg)
{
    struct stream *st = arg;
    int64_t before = st->g.unreadable;
    jutsu_sync_on_reject(where, reason, &st->g);
    st->unattributed += st->g.unreadable - before;
}

/* The end of the file: what is buffered written, the message of a large
 * symbol that failed part way completed, and each item that stored
 * anything published. */
static void finish_file(struct stream *st)
{
    write_others(st, NULL);
    for (size_t i = 0; i < st->np; i++) {
        struct pend *p = &st->p[i];
        struct jutsu_sync_item *it = item_of(st, p);
        int64_t kept = it->inserted + it->skipped;
        if (p->large && it->status != 0 && kept > 0) {
            char why[sizeof(it->error)];
            snprintf(why, sizeof(why), "%s", it->error);
            snprintf(it->error, sizeof(it->error), "%.400s; %lld of %lld bars committed in the "
                     "batches before, kept; the failing batch rolled back, %lld bars not stored "
                     "(a re-run resumes)", why, (long long)kept, (long long)it->fetched,
                     (long long)(it->fetched - kept));
        }
        if (it->status == 0 || kept > 0)
            jutsu_sync_publish_updated(st->c->app, it);
    }
    if (st->unattributed > 0 && st->np > 0)   /* rejects after the last write */
        item_of(st, &st->p[0])->rejected += st->unattributed;
}

static void stream_free(struct stream *st)
{
    for (size_t i = 0; i < st->np; i++)
        free(st->p[i].bars);
    free(st->p);
}

/* The first running source that reads files. */
static struct jutsu_ctx *file_reader(struct jutsu_app *app)
{
    for (size_t i = 0; i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        const struct jutsu_source_ops *ops = jutsu_ctx_source(c);
        if (c->started && JUTSU_OPS_HAS(ops, jutsu_source_ops, read_file))
            return c;
    }
    return NULL;
}

/* The symbol a report row names for a file that gave no bars: --symbol,
 * else the file name up to its first '.' (what source-csv takes when the
 * file has no Ticker line) if that is a symbol, else "-". */
static void file_symbol(const char *file, const char *symbol, char *out, size_t size)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    if (symbol != NULL) {
        snprintf(out, size, "%s", symbol);
        return;
    }
    jutsu_symbol_upper(out, size, base, strcspn(base, "."));
    if (!jutsu_symbol_valid(out))
        snprintf(out, size, "-");
}

/* The reader's message names the file itself ("FILE: ...", "FILE:LINE:
 * ..."), in fetches too, where no one else would: prefix it only when not. */
static void file_error(char *out, size_t size, const char *file, const char *msg)
{
    size_t n = strlen(file);
    if (strncmp(msg, file, n) == 0 && msg[n] == ':')
        snprintf(out, size, "%s", msg);
    else
        snprintf(out, size, "%s: %s", file, msg);
}

/* One file: streamed by the reader into the database (or its failure
 * reported). */
static int import_file(struct ctx *c, struct jutsu_ctx *reader, const char *file,
                       const char *symbol, const char *tf, struct jutsu_sync_report *r)
{
    struct stream st = { .c = c, .r = r, .file = file, .tf = tf, .reader = reader->name,
                         .last = SIZE_MAX,
                         .source = jutsu_sync_data_source(reader), .g = { .who = "import" } };
    struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = on_bars,
                                      .reject = on_reject, .arg = &st };
    reader->error[0] = '\0';
    char sym[16];
    int frc = jutsu_ctx_source(reader)->read_file(reader->state, file, symbol, &sink);
    file_symbol(file, symbol, sym, sizeof(sym));
    if (frc == JUTSU_ENOMEM) {
        stream_free(&st);
        return frc;
    }
    finish_file(&st);   /* bars delivered before a read error are kept */
    if (frc != 0) {
        struct jutsu_sync_item *it = jutsu_sync_report_add(r, sym, tf);
        if (it) {
            it->status = frc;
            snprintf(it->source, sizeof(it->source), "%s", file);
            file_error(it->error, sizeof(it->error), file,
                       reader->error[0] ? reader->error : jutsu_strerror(frc));
        }
    } else if (st.np == 0) {   /* nothing readable: still report the file */
        struct jutsu_sync_item *it = jutsu_sync_report_add(r, sym, tf);
        if (st.g.unreadable == 0)
            jutsu_log("import", JUTSU_LOG_WARN, "%s: no rows after the header: nothing "
                      "to import", file);
        if (it) {
            it->rejected = st.g.unreadable;
            snprintf(it->source, sizeof(it->source), "%s", file);
        }
    }
    stream_free(&st);
    return 0;
}

int jutsu_sync_import(struct jutsu_app *app, const char *const *files, size_t nfiles,
                      const char *symbol, const char *timeframe, struct jutsu_sync_report *r)
{
    memset(r, 0, sizeof(*r));
    const char *tf = jutsu_sync_timeframe(timeframe ? timeframe : "1D");
    if (tf == NULL) {
        jutsu_log("import", JUTSU_LOG_ERROR, "unknown timeframe \"%s\" (use 1D, 1H, 5m or 15m)",
                  timeframe);
        return JUTSU_EINVAL;
    }
    char why[256];
    if (symbol && !jutsu_symbol_check(symbol, 1, why, sizeof(why))) {
        jutsu_log("import", JUTSU_LOG_ERROR, "--symbol: %s", why);
        return JUTSU_EINVAL;
    }
    struct jutsu_ctx *reader = file_reader(app);
    if (reader == NULL) {
        jutsu_log("import", JUTSU_LOG_ERROR, "no source that reads files is configured: add a "
                  "source-csv instance to plugins:");
        return JUTSU_ENOENT;
    }
    struct ctx c;
    int rc = jutsu_sync_ctx_open(app, &c);
    if (rc) {
        jutsu_log("import", JUTSU_LOG_ERROR, "cannot open the database: %s", jutsu_strerror(rc));
        return rc;
    }
    c.who = "import";
    /* owed by an import killed earlier: load as if this one had set it
     * aside (MAX(timestamp) would scan the table now), build it at the end */
    if (jutsu_index_owed(c.s, "idx_market_data_ts") == 1)
        c.ts_aside = 1;
    jutsu_dbs_error_clear(c.s);   /* a failed look is only a missed speed-up */
    for (size_t f = 0; f < nfiles && rc == 0; f++)
        rc = import_file(&c, reader, files[f], symbol, tf, r);
    /* also an index an import killed earlier left owed */
    int brc = jutsu_index_restore(c.s, NULL);
    if (brc != 0) {   /* what committed stays either way */
        jutsu_log("import", JUTSU_LOG_ERROR, "%s%s", jutsu_dbs_error_line(c.s),
                  brc == JUTSU_ESTATE ? "" : "; it stays owed: the next import or `jutsu db "
                  "upgrade` builds it");
        rc = rc ? rc : brc;
    }
    jutsu_sync_report_total(r);
    jutsu_sync_publish_finished(app, r);
    jutsu_dbs_close(c.s);
    if (rc)
        return rc;
    return r->failed ? JUTSU_EPLUGIN : 0;
}
