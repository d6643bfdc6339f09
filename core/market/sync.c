/*
 * core/market/sync.c — the market-data sync run: which sources, which symbols
 * and timeframes, from where each starts, and the live bar of today (see
 * sync.h for the pipeline; the bars' way to the database is sync_store.c).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "jutsu/symbol.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/store.h"
#include "market/sync_int.h"

/* --- report ------------------------------------------------------------ */

void jutsu_sync_report_free(struct jutsu_sync_report *r)
{
    free(r->items);
    memset(r, 0, sizeof(*r));
}

struct jutsu_sync_item *jutsu_sync_report_add(struct jutsu_sync_report *r, const char *symbol,
                                              const char *tf)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct jutsu_sync_item *it = realloc(r->items, cap * sizeof(*it));
        if (it == NULL)
            return NULL;
        r->items = it;
        r->cap = cap;
    }
    struct jutsu_sync_item *it = &r->items[r->n++];
    memset(it, 0, sizeof(*it));
    snprintf(it->symbol, sizeof(it->symbol), "%s", symbol);
    snprintf(it->timeframe, sizeof(it->timeframe), "%s", tf);
    return it;
}

void jutsu_sync_report_total(struct jutsu_sync_report *r)
{
    r->fetched = r->inserted = r->skipped = r->rejected = 0;
    r->failed = 0;
    for (size_t i = 0; i < r->n; i++) {
        r->fetched += r->items[i].fetched;
        r->inserted += r->items[i].inserted;
        r->skipped += r->items[i].skipped;
        r->rejected += r->items[i].rejected;
        r->failed += r->items[i].status != 0;
    }
}

const char *jutsu_sync_timeframe(const char *tf)
{
    static const struct { const char *in, *out; } map[] = {
        { "1D", "1D" }, { "D", "1D" }, { "DAILY", "1D" }, { "1DAY", "1D" },
        { "1H", "1H" }, { "H", "1H" }, { "60M", "1H" }, { "60MIN", "1H" }, { "HOURLY", "1H" },
        { "5M", "5m" }, { "5MIN", "5m" }, { "15M", "15m" }, { "15MIN", "15m" },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(tf, map[i].in) == 0)
            return map[i].out;
    return NULL;
}

/* A run's bars by source into the metrics: jutsu_sync_bars_total (bars
 * inserted) and jutsu_sync_bars_rejected_total. Once per run, with
 * sync.finished, which every run (sync, import) publishes. */
static void count_bars(const struct jutsu_sync_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_sync_item *it = &r->items[i];
        char q[80], labels[96];
        if (it->inserted == 0 && it->rejected == 0)
            continue;
        jutsu_metrics_label_value(it->source[0] ? it->source : "none", q, sizeof(q));
        snprintf(labels, sizeof(labels), "source=%s", q);
        if (it->inserted)
            jutsu_metrics_add(NULL, "jutsu_sync_bars_total", labels, it->inserted);
        if (it->rejected)
            jutsu_metrics_add(NULL, "jutsu_sync_bars_rejected_total", labels, it->rejected);
    }
}

void jutsu_sync_publish_finished(struct jutsu_app *app, const struct jutsu_sync_report *r)
{
    count_bars(r);
    if (app->bus == NULL)
        return;
    json_object *p = json_object_new_object(), *items = json_object_new_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_sync_item *it = &r->items[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "symbol", json_object_new_string(it->symbol));
        json_object_object_add(o, "timeframe", json_object_new_string(it->timeframe));
        json_object_object_add(o, "inserted", json_object_new_int64(it->inserted));
        json_object_object_add(o, "skipped", json_object_new_int64(it->skipped));
        json_object_object_add(o, "rejected", json_object_new_int64(it->rejected));
        json_object_object_add(o, "status", json_object_new_string(it->status ? "failed" : "ok"));
        json_object_array_add(items, o);
    }
    json_object_object_add(p, "items", items);
    json_object_object_add(p, "status", json_object_new_string(r->failed ? "partial" : "ok"));
    jutsu_bus_publish(app->bus, "host", "sync.finished", p);
}

/* --- sources ------------------------------------------------------------ */

/* The sources to try, in priority order: each instance at most once, so
 * there are never more than the app's instances. */
struct source_list {
    struct jutsu_ctx **inst;
    size_t n, cap;
};

static void source_list_free(struct source_list *l)
{
    free(l->inst);
    memset(l, 0, sizeof(*l));
}

static int add_source(struct jutsu_app *app, struct source_list *l, const char *name,
                      char *err, size_t errsz)
{
    struct jutsu_ctx *c = jutsu_app_find(app, name);
    if (c == NULL || jutsu_ctx_plugin(c)->kind != JUTSU_KIND_SOURCE) {
        snprintf(err, errsz, "\"%s\" is not a source instance of this config", name);
        return JUTSU_ENOENT;
    }
    if (!c->started) {
        snprintf(err, errsz, "source \"%s\" is not running (its init failed?)", name);
        return JUTSU_ESTATE;
    }
    for (size_t i = 0; i < l->n; i++)
        if (l->inst[i] == c)
            return 0;   /* listed twice: the first place counts */
    if (l->n == l->cap) {   /* cannot happen: cap is the number of instances */
        snprintf(err, errsz, "more sources than instances");
        return JUTSU_ESTATE;
    }
    l->inst[l->n++] = c;
    return 0;
}

/* The sources to try, in priority order; free them with source_list_free
 * (also on failure). */
static int resolve_sources(struct jutsu_app *app, const char *only, struct source_list *l,
                           char *err, size_t errsz)
{
    memset(l, 0, sizeof(*l));
    l->cap = app->ninst;
    if (l->cap == 0 || (l->inst = calloc(l->cap, sizeof(*l->inst))) == NULL) {
        snprintf(err, errsz, l->cap ? "out of memory" : "no source instance is configured or "
                 "running");
        return l->cap ? JUTSU_ENOMEM : JUTSU_ENOENT;
    }
    if (only)
        return add_source(app, l, only, err, errsz);
    jutsu_cfg_node *list = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "sync.sources");
    if (list && list->kind == JUTSU_CFG_NODE_SEQ && list->n > 0) {
        for (size_t i = 0; i < list->n; i++) {
            int rc = add_source(app, l, list->items[i]->text, err, errsz);
            if (rc)
                return rc;
        }
        return 0;
    }
    for (size_t i = 0; i < app->ninst && l->n < l->cap; i++)
        if (jutsu_ctx_plugin(app->inst[i])->kind == JUTSU_KIND_SOURCE && app->inst[i]->started)
            l->inst[l->n++] = app->inst[i];
    if (l->n == 0) {
        snprintf(err, errsz, "no source instance is configured or running");
        return JUTSU_ENOENT;
    }
    return 0;
}

static void progress(int on, size_t done, size_t total, const char *label)
{
    if (!on)
        return;
    int width = 30, fill = total ? (int)(done * (size_t)width / total) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu %-12s", fill,
            "==============================", width - fill, "", done, total, label);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* sync.history_start, which the config's loading checked is a date. */
static jutsu_time_t start_of_history(struct jutsu_app *app)
{
    jutsu_date_t d = 0;
    jutsu_date_parse(jutsu_app_settings(app)->sync.history_start, -1, &d);
    return jutsu_date_to_time(d);
}

/* Fetches one (symbol, timeframe) from the first source that answers. */
static void sync_one(struct ctx *c, const struct source_list *src, const struct jutsu_sync_opts *o,
                     struct jutsu_sync_item *it)
{
    jutsu_time_t from, to;
    struct jutsu_metadata_row meta;
    if (o->from)
        from = jutsu_date_to_time(o->from);
    else if (jutsu_data_metadata_get(c->s, it->symbol, it->timeframe, &meta) == 0)
        from = meta.last_bar_ts + 1;          /* incremental */
    else
        from = start_of_history(c->app);      /* full history */
    to = o->to ? jutsu_date_to_time(o->to) + JUTSU_USEC_PER_DAY - 1 : jutsu_app_now(c->app);

    int rc = JUTSU_ENOENT;
    for (size_t i = 0; i < src->n; i++) {
        struct jutsu_ctx *inst = src->inst[i];
        const struct jutsu_source_ops *ops = jutsu_ctx_source(inst);
        struct gather g = { .who = inst->name };
        struct jutsu_fetch_req req = { .size = sizeof(req), .symbol = it->symbol,
                                       .timeframe = it->timeframe, .from = from, .to = to };
        struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = jutsu_sync_on_bars,
                                          .reject = jutsu_sync_on_reject, .arg = &g };
        inst->error[0] = '\0';
        rc = ops->fetch(inst->state, &req, &sink);
        snprintf(it->source, sizeof(it->source), "%s", inst->name);
        if (rc == 0) {
            struct gathered *gs = g.n ? &g.sym[0] : NULL;
            rc = jutsu_sync_store_bars(c, it, jutsu_sync_data_source(inst), gs ? gs->bars : NULL,
                                       gs ? gs->n : 0, g.unreadable, "sync");
            jutsu_sync_gather_free(&g);
            break;
        }
        jutsu_sync_gather_free(&g);
        snprintf(it->error, sizeof(it->error), "%s: %s", inst->name,
                 inst->error[0] ? inst->error : jutsu_strerror(rc));
        jutsu_log(c->who, i + 1 < src->n ? JUTSU_LOG_WARN : JUTSU_LOG_ERROR,
                  "%s %s: source %s failed (%s)%s", it->symbol, it->timeframe, inst->name,
                  it->error, i + 1 < src->n ? "; trying the next source" : "");
    }
    it->status = rc;
    if (rc == 0)
        it->error[0] = '\0';
    /* a failing later batch keeps the earlier ones: they are news too */
    if (rc == 0 || it->inserted + it->skipped > 0)
        jutsu_sync_publish_updated(c->app, it);
}

int jutsu_sync_live_bar(struct jutsu_app *app, const char *symbol, jutsu_date_t d,
                        struct jutsu_bar *out, char *source, size_t sourcesz)
{
    struct source_list src;
    char err[256];
    int rc = resolve_sources(app, NULL, &src, err, sizeof(err));
    if (rc != 0) {
        jutsu_log("sync", JUTSU_LOG_WARN, "%s: no live bar: %s", symbol, err);
        source_list_free(&src);
        return rc;
    }
    /* the checks a stored bar passes, with d as today */
    struct ctx c = { .app = app, .cal = app->cal, .who = "sync", .today = d };
    jutsu_time_t from = jutsu_date_to_time(d) - JUTSU_USEC_PER_DAY, to = jutsu_app_now(app);
    rc = JUTSU_ENOENT;
    for (size_t i = 0; i < src.n && rc != 0; i++) {
        struct jutsu_ctx *inst = src.inst[i];
        const struct jutsu_source_ops *ops = jutsu_ctx_source(inst);
        struct gather g = { .who = inst->name };
        struct jutsu_fetch_req req = { .size = sizeof(req), .symbol = symbol, .timeframe = "1D",
                                       .from = from, .to = to };
        struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = jutsu_sync_on_bars,
                                          .reject = jutsu_sync_on_reject, .arg = &g };
        const char *why = "it has no bar of that day";
        inst->error[0] = '\0';
        int frc = ops->fetch(inst->state, &req, &sink);
        if (frc != 0) {
            why = inst->error[0] ? inst->error : jutsu_strerror(frc);
        } else if (g.n > 0) {
            struct gathered *gs = &g.sym[0];
            jutsu_sync_normalise(&c, gs->bars, gs->n, 1);
            for (size_t k = gs->n; k-- > 0 && rc != 0;) {
                if (jutsu_time_to_date(gs->bars[k].ts) != d)
                    continue;
                if ((why = jutsu_sync_invalid_reason(&c, &gs->bars[k], 1)) == NULL) {
                    *out = gs->bars[k];
                    snprintf(source, sourcesz, "%s", inst->name);
                    rc = 0;
                }
            }
        }
        if (rc != 0)
            jutsu_log("sync", JUTSU_LOG_WARN, "%s: no live bar of today from %s: %s", symbol,
                      inst->name, why);
        jutsu_sync_gather_free(&g);
    }
    source_list_free(&src);
    return rc;
}

static const char *cfg_list_item(struct jutsu_app *app, const char *path, size_t i, size_t *n)
{
    jutsu_cfg_node *l = jutsu_cfg_get(jutsu_cfg_root(app->cfg), path);
    *n = l && l->kind == JUTSU_CFG_NODE_SEQ ? l->n : 0;
    return i < *n ? l->items[i]->text : NULL;
}

/* What a run syncs: the options' symbols and timeframe, else the config's
 * sync.symbols and sync.timeframes (1D when none is given). */
struct plan {
    struct jutsu_app             *app;
    const struct jutsu_sync_opts *o;
    size_t                        nsym, ntf;
};

static void plan_make(struct plan *p, struct jutsu_app *app, const struct jutsu_sync_opts *o)
{
    p->app = app;
    p->o = o;
    p->nsym = o->symbols ? o->nsymbols : 0;
    if (!o->symbols)
        cfg_list_item(app, "sync.symbols", 0, &p->nsym);
    p->ntf = 1;
    if (!o->timeframe && cfg_list_item(app, "sync.timeframes", 0, &p->ntf) == NULL)
        p->ntf = 1;
}

static const char *plan_symbol(const struct plan *p, size_t i)
{
    size_t n;
    return p->o->symbols ? p->o->symbols[i] : cfg_list_item(p->app, "sync.symbols", i, &n);
}

static const char *plan_timeframe(const struct plan *p, size_t t)
{
    size_t n;
    if (p->o->timeframe)
        return p->o->timeframe;
    const char *tf = cfg_list_item(p->app, "sync.timeframes", t, &n);
    return tf ? tf : "1D";
}

/* Every (symbol, timeframe) of the plan into the report, each synced. */
static int sync_plan(struct ctx *c, const struct source_list *src, const struct plan *p,
                     struct jutsu_sync_report *r)
{
    size_t total = p->nsym * p->ntf, done = 0;
    for (size_t i = 0; i < p->nsym; i++)
        for (size_t t = 0; t < p->ntf; t++) {
            const char *tf = plan_timeframe(p, t), *canon = jutsu_sync_timeframe(tf);
            struct jutsu_sync_item *it = jutsu_sync_report_add(r, plan_symbol(p, i),
                                                               canon ? canon : tf);
            if (it == NULL)
                return JUTSU_ENOMEM;
            jutsu_symbol_upper(it->symbol, sizeof(it->symbol), it->symbol, SIZE_MAX);
            progress(p->o->progress, done, total, it->symbol);
            if (canon == NULL) {
                it->status = JUTSU_EINVAL;
                snprintf(it->error, sizeof(it->error), "unknown timeframe \"%s\" (use 1D, 1H, "
                         "5m or 15m)", tf);
            } else {
                sync_one(c, src, p->o, it);
            }
            progress(p->o->progress, ++done, total, it->symbol);
        }
    return 0;
}

int jutsu_sync_run(struct jutsu_app *app, const struct jutsu_sync_opts *o,
                   struct jutsu_sync_report *r)
{
    struct source_list src;
    struct plan p;
    struct ctx c;
    char err[256];
    memset(r, 0, sizeof(*r));
    int rc = resolve_sources(app, o->source, &src, err, sizeof(err));
    if (rc != 0) {
        jutsu_log("sync", JUTSU_LOG_ERROR, "%s", err);
        goto free_sources;
    }
    plan_make(&p, app, o);
    if (p.nsym == 0) {
        jutsu_log("sync", JUTSU_LOG_ERROR, "no symbols to sync: set sync.symbols or pass --symbol");
        rc = JUTSU_EINVAL;
        goto free_sources;
    }
    if ((rc = jutsu_sync_ctx_open(app, &c)) != 0) {
        jutsu_log("sync", JUTSU_LOG_ERROR, "cannot open the database: %s", jutsu_strerror(rc));
        goto free_sources;
    }
    rc = sync_plan(&c, &src, &p, r);
    jutsu_sync_report_total(r);
    jutsu_sync_publish_finished(app, r);
    jutsu_dbs_close(c.s);
free_sources:
    source_list_free(&src);
    return rc ? rc : r->failed ? JUTSU_EPLUGIN : 0;
}

