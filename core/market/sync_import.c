/*
 * core/market/sync_import.c — `jutsu data import`: files read by a source
 * that reads files (source-csv), through the sync's checks into the
 * database in transactions of at most sync.batch_size bars: small symbols
 * grouped, a larger one alone in batches of its own, each committed.
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

/* After a group's transaction ended: publish what was committed, or, if
 * an item failed (and so the group rolled back), report every other item
 * of the group as rolled back with it. */
static void settle_group(struct jutsu_app *app, struct jutsu_sync_report *r, size_t from,
                         size_t to, jutsu_dbs *s)
{
    const struct jutsu_sync_item *bad = NULL;
    for (size_t i = from; i < to; i++)
        if (r->items[i].status != 0)
            bad = &r->items[i];
    for (size_t i = from; i < to; i++) {
        struct jutsu_sync_item *it = &r->items[i];
        if (bad == NULL) {
            jutsu_sync_publish_updated(app, it);
            continue;
        }
        if (it->error[0] == '\0')
            snprintf(it->error, sizeof(it->error), "%s",
                     it == bad ? jutsu_dbs_error_line(s) : "rolled back with a failing symbol of "
                                                      "its transaction");
        if (it != bad && it->status == 0)
            it->status = bad->status;
        it->inserted = 0;
        it->skipped = 0;
        it->first = 0;   /* nothing of it is stored */
        it->last = 0;
    }
}

/* Ends the open group: committed (a failing commit is its last item's)
 * and settled. */
static void close_group(struct ctx *c, struct jutsu_sync_report *r, size_t group)
{
    int rc = jutsu_dbs_commit(c->s);
    if (rc != 0)
        r->items[r->n - 1].status = rc;
    settle_group(c->app, r, group, r->n, c->s);
}

/* A symbol of more bars than sync.batch_size, stored alone, a commit per
 * batch (jutsu_sync_store_bars without a transaction of ours): a kill
 * loses at most the batch in flight, SQLite's write lock is held one batch
 * at a time, and a re-run skips what is stored. When a later batch fails
 * the earlier ones stay; the item counts them and they are published. */
static void import_alone(struct ctx *c, struct jutsu_sync_item *it, const char *source,
                         struct gathered *gs, int64_t unreadable)
{
    it->status = jutsu_sync_store_bars(c, it, source, gs->bars, gs->n, unreadable, "import");
    if (it->status == 0 || it->inserted + it->skipped > 0)
        jutsu_sync_publish_updated(c->app, it);
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

/* A file's name, or its Ticker or Symbol column, names its symbols: held to
 * the rule as any other way a symbol enters. Each symbol that breaks it is
 * reported as failed and taken out of g, before any transaction begins. */
static int refuse_bad_symbols(struct gather *g, const char *file, const char *tf,
                              struct jutsu_sync_report *r)
{
    char why[200];
    size_t k = 0;
    while (k < g->n) {
        if (jutsu_symbol_check(g->sym[k].symbol, 0, why, sizeof(why))) {
            k++;
            continue;
        }
        struct jutsu_sync_item *it = jutsu_sync_report_add(r, g->sym[k].symbol, tf);
        if (it == NULL)
            return JUTSU_ENOMEM;
        it->status = JUTSU_EINVAL;
        it->rejected = (int64_t)g->sym[k].n;
        snprintf(it->source, sizeof(it->source), "%s", file);
        snprintf(it->error, sizeof(it->error), "%s: %s; name the symbol with --symbol SYMBOL, "
                 "or rename the file", file, why);
        free(g->sym[k].bars);
        memmove(&g->sym[k], &g->sym[k + 1], (g->n - k - 1) * sizeof(g->sym[0]));
        g->n--;
    }
    return 0;
}

/* One file's symbols into the report, in transactions of at most
 * sync.batch_size bars: symbols that fit are grouped (a file of many small
 * symbols must not pay a commit each), a failure rolling back its whole
 * group, reported as such; a larger symbol goes alone (import_alone).
 * JUTSU_ENOMEM stops the import. */
static int import_symbols(struct ctx *c, struct jutsu_ctx *reader, struct gather *g,
                          const char *tf, struct jutsu_sync_report *r)
{
    size_t group = r->n;
    int64_t pending = 0;
    int rc = 0;
    for (size_t k = 0; k < g->n; k++) {
        int64_t n = (int64_t)g->sym[k].n;
        if (c->s->tx_depth > 0 && pending + n > c->batch) {   /* it would not fit */
            close_group(c, r, group);
            pending = 0;
        }
        struct jutsu_sync_item *it = jutsu_sync_report_add(r, g->sym[k].symbol, tf);
        if (it == NULL) {
            rc = JUTSU_ENOMEM;
            break;
        }
        snprintf(it->source, sizeof(it->source), "%s", reader->name);
        if (n > c->batch) {
            import_alone(c, it, jutsu_sync_data_source(reader), &g->sym[k],
                         k == 0 ? g->unreadable : 0);
            continue;
        }
        if (c->s->tx_depth == 0) {
            if ((it->status = jutsu_dbs_begin(c->s)) != 0) {
                snprintf(it->error, sizeof(it->error), "%s", jutsu_dbs_error_line(c->s));
                continue;
            }
            group = r->n - 1;
        }
        it->status = jutsu_sync_store_bars(c, it, jutsu_sync_data_source(reader), g->sym[k].bars,
                                           g->sym[k].n, k == 0 ? g->unreadable : 0, "import");
        pending += n;
        if (it->status != 0)
            jutsu_dbs_rollback(c->s);
        else if (pending >= c->batch || k + 1 == g->n)
            it->status = jutsu_dbs_commit(c->s);
        else
            continue;
        settle_group(c->app, r, group, r->n, c->s);
        pending = 0;
    }
    if (c->s->tx_depth > 0) {   /* left open by an allocation failure */
        jutsu_dbs_rollback(c->s);
        settle_group(c->app, r, group, r->n, c->s);
    }
    return rc;
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

/* One file: read by the reader, then stored (or its failure reported). */
static int import_file(struct ctx *c, struct jutsu_ctx *reader, const char *file,
                       const char *symbol, const char *tf, struct jutsu_sync_report *r)
{
    struct gather g = { .who = "import" };
    struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = jutsu_sync_on_bars,
                                      .reject = jutsu_sync_on_reject, .arg = &g };
    int rc = 0;
    reader->error[0] = '\0';
    char sym[16];
    int frc = jutsu_ctx_source(reader)->read_file(reader->state, file, symbol, &sink);
    file_symbol(file, symbol, sym, sizeof(sym));
    if (frc != 0) {
        struct jutsu_sync_item *it = jutsu_sync_report_add(r, sym, tf);
        if (it) {
            it->status = frc;
            snprintf(it->source, sizeof(it->source), "%s", file);
            file_error(it->error, sizeof(it->error), file,
                       reader->error[0] ? reader->error : jutsu_strerror(frc));
        }
    } else {
        size_t had = g.n;
        rc = refuse_bad_symbols(&g, file, tf, r);
        if (rc == 0)
            rc = import_symbols(c, reader, &g, tf, r);
        if (had == 0) {   /* nothing readable: still report the file */
            struct jutsu_sync_item *it = jutsu_sync_report_add(r, sym, tf);
            if (g.unreadable == 0)
                jutsu_log("import", JUTSU_LOG_WARN, "%s: no rows after the header: nothing "
                          "to import", file);
            if (it) {
                it->rejected = g.unreadable;
                snprintf(it->source, sizeof(it->source), "%s", file);
            }
        }
    }
    jutsu_sync_gather_free(&g);
    return rc;
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
    for (size_t f = 0; f < nfiles && rc == 0; f++)
        rc = import_file(&c, reader, files[f], symbol, tf, r);
    jutsu_sync_report_total(r);
    jutsu_sync_publish_finished(app, r);
    jutsu_dbs_close(c.s);
    if (rc)
        return rc;
    return r->failed ? JUTSU_EPLUGIN : 0;
}
