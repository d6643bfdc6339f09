/*
 * core/eod/eod_job.c — the EOD job as the scheduler runs it: the slot's
 * trading day finalised (and the missed days before it), each day's
 * outcome logged; and where the data ends: a symbol's newest bar, the
 * symbols a run waited for, and the one line that says which days wait and
 * what would bring the data (also what `jutsu eod run` prints).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "base/calendar.h"
#include "base/log.h"
#include "eod/eod_int.h"
#include "store/data_api.h"

/* --- where the data ends ----------------------------------------------------- */

int jutsu_eod_newest_bar(jutsu_dbs *s, const char *symbol, jutsu_date_t *newest)
{
    struct jutsu_metadata_row meta;
    jutsu_time_t ts = 0;
    jutsu_money_t close;
    int found = 0;
    int rc = jutsu_data_metadata_get(s, symbol, "1D", &meta);
    if (rc == 0 && meta.last_bar_ts > 0) {
        ts = meta.last_bar_ts;
        found = 1;
    } else if (rc != 0 && rc != JUTSU_ENOENT) {
        return rc;
    }
    /* bars written without the sync (a test, a restore) leave no metadata */
    jutsu_time_t valid, end = jutsu_date_to_time(jutsu_date_from_ymd(9999, 12, 31));
    rc = jutsu_data_close_before(s, symbol, "1D", end, &valid, &close);
    if (rc == 0 && (!found || valid > ts)) {
        ts = valid;
        found = 1;
    } else if (rc != 0 && rc != JUTSU_ENOENT) {
        return rc;
    }
    if (!found)
        return JUTSU_ENOENT;
    *newest = jutsu_time_to_date(ts);
    return 0;
}

int jutsu_eod_synced(struct jutsu_app *app, const char *symbol)
{
    jutsu_cfg_node *l = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "sync.symbols");
    for (size_t i = 0; l && l->kind == JUTSU_CFG_NODE_SEQ && i < l->n; i++)
        if (l->items[i]->text && strcasecmp(l->items[i]->text, symbol) == 0)
            return 1;
    return 0;
}

int jutsu_eod_collect_waits(struct eod_env *e, struct jutsu_eod_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nnewest; i++)
        n += e->newest[i].waited;
    free(r->waits);
    r->waits = NULL;
    r->nwaits = 0;
    if (n > 0 && (r->waits = calloc(n, sizeof(*r->waits))) == NULL)
        return JUTSU_ENOMEM;
    for (size_t i = 0; i < e->nnewest; i++) {
        if (!e->newest[i].waited)
            continue;
        /* by data end, oldest first: insertion into what is there */
        size_t k = r->nwaits++;
        for (; k > 0 && r->waits[k - 1].newest > e->newest[i].date; k--)
            r->waits[k] = r->waits[k - 1];
        snprintf(r->waits[k].symbol, sizeof(r->waits[k].symbol), "%s", e->newest[i].symbol);
        r->waits[k].newest = e->newest[i].date;
    }
    return 0;
}

void jutsu_eod_env_free_newest(struct eod_env *e)
{
    free(e->newest);
    e->newest = NULL;
    e->nnewest = 0;
}

/* --- what would bring the data ------------------------------------------------ */

/* The sources the sync asks: sync.sources, or every source instance. */
struct sources {
    const struct jutsu_ctx *fetcher;   /* the first that fetches from afar  */
    const struct jutsu_ctx *files;     /* the first that reads files        */
    size_t                  n;
};

static void consider(struct sources *src, const struct jutsu_ctx *c)
{
    const struct jutsu_source_ops *ops = c ? jutsu_ctx_ops(c, JUTSU_KIND_SOURCE) : NULL;
    if (ops == NULL)
        return;
    src->n++;
    /* a source that can read a file holds what its files hold: nothing
     * newer comes from it until someone adds it there */
    if (JUTSU_OPS_HAS(ops, jutsu_source_ops, read_file) && ops->read_file)
        src->files = src->files ? src->files : c;
    else
        src->fetcher = src->fetcher ? src->fetcher : c;
}

static void sources_of(struct jutsu_app *app, struct sources *src)
{
    memset(src, 0, sizeof(*src));
    jutsu_cfg_node *l = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "sync.sources");
    if (l && l->kind == JUTSU_CFG_NODE_SEQ && l->n > 0) {
        for (size_t i = 0; i < l->n; i++)
            if (l->items[i]->text)
                consider(src, jutsu_app_find(app, l->items[i]->text));
        return;
    }
    for (size_t i = 0; i < app->ninst; i++)
        consider(src, app->inst[i]);
}

/* The file a file source reads `symbol` from, as its `path` says: the
 * path itself, or in a directory the file named after the symbol (up to
 * its first '.', any case), into buf. 0 when neither can be told (buf then
 * holds the path, or ""). */
static int file_of(const struct jutsu_ctx *c, const char *symbol, char *buf, size_t size)
{
    jutsu_cfg_node *p = c->config ? jutsu_cfg_map_get(c->config, "path") : NULL;
    const char *path = p && p->kind == JUTSU_CFG_NODE_SCALAR && p->text ? p->text : "";
    struct stat st;
    int found = 0;
    snprintf(buf, size, "%s", path);
    if (*path == '\0' || stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return 1;
    DIR *dir = opendir(path);
    const struct dirent *de;
    size_t len = strlen(symbol);
    while (dir && !found && (de = readdir(dir)) != NULL)
        if (strncasecmp(de->d_name, symbol, len) == 0 && de->d_name[len] == '.') {
            snprintf(buf, size, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
                     de->d_name);
            found = 1;
        }
    if (dir)
        closedir(dir);
    return found;
}

/* Appends printf-style text to buf (which holds `used` characters). */
static size_t add(char *buf, size_t size, size_t used, const char *fmt, ...) JUTSU_PRINTF(4, 5);
static size_t add(char *buf, size_t size, size_t used, const char *fmt, ...)
{
    if (used >= size)
        return used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
    return n < 0 ? used : used + (size_t)n;
}

/* What would bring `w`'s newer bars: a command that helps, or the file to
 * extend when only files hold them. */
static size_t hint(struct jutsu_app *app, const struct jutsu_eod_wait *w, char *buf, size_t size,
                   size_t used)
{
    struct sources src;
    char file[512];
    if (!jutsu_eod_synced(app, w->symbol))
        return add(buf, size, used, "; no sync fetches %s (sync.symbols does not list it): add "
                   "it there, then run `jutsu sync`", w->symbol);
    sources_of(app, &src);
    if (src.fetcher)
        return add(buf, size, used, "; `jutsu sync` stores the newer bars once source %s has "
                   "them", src.fetcher->name);
    if (src.files && file_of(src.files, w->symbol, file, sizeof(file)))
        return add(buf, size, used, "; source %s reads files, and %s ends there: add the later "
                   "rows to it, then run `jutsu sync`", src.files->name, file);
    if (src.files)
        return add(buf, size, used, "; source %s reads files%s%s%s, and %s's end there: add the "
                   "later rows to them, then run `jutsu sync`", src.files->name,
                   file[0] ? " (" : "", file, file[0] ? ")" : "", w->symbol);
    return add(buf, size, used, "; no source instance is configured to fetch %s (plugins:, "
               "sync.sources)", w->symbol);
}

/* The first trading day after d (d itself when the calendar has none). */
static jutsu_date_t after(const struct jutsu_app *app, jutsu_date_t d)
{
    jutsu_date_t n = app->cal ? jutsu_calendar_next(app->cal, d) : JUTSU_CALENDAR_NONE;
    return n == JUTSU_CALENDAR_NONE ? d + 1 : n;
}

/* The first day `eod run` on `last` looks at: eod.lookback_days before it. */
static jutsu_date_t window_start(const struct jutsu_app *app, jutsu_date_t last)
{
    jutsu_date_t w = last;
    int64_t lookback = jutsu_app_settings(app)->eod.lookback_days;
    for (int64_t k = 0; app->cal && k < lookback; k++) {
        jutsu_date_t p = jutsu_calendar_prev(app->cal, w);
        if (p == JUTSU_CALENDAR_NONE)
            break;
        w = p;
    }
    return w;
}

int jutsu_eod_wait_line(struct jutsu_app *app, const struct jutsu_eod_report *r, char *buf,
                        size_t size)
{
    jutsu_date_t last = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->ndays; i++)
        for (size_t j = 0; j < r->ents.n; j++)
            if (JUTSU_EOD_CELL(r, i, j)->outcome == JUTSU_EOD_WAITING)
                last = r->days[i].date;
    if (last == 0 || r->nwaits == 0)
        return 0;
    char d0[JUTSU_DATE_BUFSZ], d1[JUTSU_DATE_BUFSZ], end[JUTSU_DATE_BUFSZ];
    jutsu_date_t first = after(app, r->waits[0].newest);
    jutsu_date_format(first, d0);
    jutsu_date_format(last, d1);
    size_t used = first < last ? add(buf, size, 0, "%s .. %s wait for data", d0, d1)
                               : add(buf, size, 0, "%s waits for data", d1);
    for (size_t k = 0; k < r->nwaits && k < 4; k++) {
        jutsu_date_format(r->waits[k].newest, end);
        used = add(buf, size, used, "%s the newest %s bar is %s", k ? "," : ":",
                   r->waits[k].symbol, end);
    }
    if (r->nwaits > 4)
        used = add(buf, size, used, " (and %zu more symbols)", r->nwaits - 4);
    used = hint(app, &r->waits[0], buf, size, used);
    /* `eod run` takes again the waiting days of its window only */
    jutsu_date_t w = window_start(app, last);
    if (first < w) {
        char from[JUTSU_DATE_BUFSZ];
        jutsu_date_format(w, from);
        add(buf, size, used, "; once they are in, `jutsu eod backfill --from %s` finalises the "
            "days before %s, which `jutsu eod run` no longer looks back at "
            "(eod.lookback_days: %lld)", d0, from,
            (long long)jutsu_app_settings(app)->eod.lookback_days);
    }
    return 1;
}

/* --- the job ------------------------------------------------------------------- */

/* Finalises the slot's trading day (and the missed days before it). */
static int run(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err, size_t errsz)
{
    (void)arg;
    struct jutsu_eod_report r;
    char line[1024];
    int rc = jutsu_eod_run(app, date, &r);
    const struct jutsu_eod_day *bad = NULL;
    for (size_t i = 0; i < r.ndays; i++) {
        const struct jutsu_eod_day *d = &r.days[i];
        char day[JUTSU_DATE_BUFSZ];
        int ok = strcmp(d->status, "completed") == 0;
        if (strcmp(d->status, "waiting") == 0)
            continue;   /* all of them in one line, below */
        jutsu_date_format(d->date, day);
        if (!ok && bad == NULL)
            bad = d;
        jutsu_log("eod", ok ? JUTSU_LOG_INFO : JUTSU_LOG_WARN,
                  "%s %s%s: strategies %d/%d, baselines %d/%d, %d row%s written%s%s", day,
                  d->status, d->was_due ? " (catch-up)" : "", d->strategies_processed,
                  d->strategies_total, d->baselines_processed, d->baselines_total,
                  d->rows_changed, d->rows_changed == 1 ? "" : "s", d->error[0] ? "; " : "",
                  d->error);
    }
    /* not a failure: the next run's lookback takes these days again */
    if (jutsu_eod_wait_line(app, &r, line, sizeof(line)))
        jutsu_log("eod", JUTSU_LOG_INFO, "%s", line);
    if (rc != 0 && bad) {
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(bad->date, day);
        snprintf(err, errsz, "%d of %zu days not complete; first %s, %s: %s", r.failed,
                 r.ndays, day, bad->status, bad->error);
    } else if (rc != 0) {
        snprintf(err, errsz, "%s", r.error[0] ? r.error : jutsu_strerror(rc));
    }
    jutsu_eod_report_free(&r);
    return rc;
}

/* After sync, so that it finalises on the day's bars; idempotent, so a
 * missed slot runs late. */
const struct jutsu_sched_job jutsu_eod_job = {
    "eod", run, NULL, "16:15", "13:15", JUTSU_SCHED_TRADING_DAYS, 1
};
