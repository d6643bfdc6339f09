/*
 * core/cli/cmd_data.c — `jutsu sync` and `jutsu data import|show|status|gaps`.
 *
 * These commands start the storage driver and the sources (not the
 * strategies nor a frontend), upgrade the schema if the config allows,
 * run the job on the main thread and print a summary.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/symbol.h"
#include "base/calendar.h"
#include "cli/cli.h"
#include "base/json_writer.h"
#include "cli/cli_suggest.h"
#include "store/data_api.h"
#include "store/store.h"
#include "market/sync.h"

#define MAX_SYMBOLS 64

/* Storage and sources, the schema brought to head when allowed. */
static int start_for_data(struct jutsu_cli *cli, jutsu_dbs **s)
{
    return jutsu_cli_start_storage(cli, 1u << JUTSU_KIND_SOURCE, s);
}

static void print_report(struct jutsu_cli *cli, const struct jutsu_sync_report *r)
{
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        for (size_t i = 0; i < r->n; i++) {
            const struct jutsu_sync_item *it = &r->items[i];
            char f[JUTSU_TIME_BUFSZ] = "", l[JUTSU_TIME_BUFSZ] = "";
            json_object *x = json_object_new_object();
            if (it->first)
                jutsu_time_format(it->first, f);
            if (it->last)
                jutsu_time_format(it->last, l);
            json_object_object_add(x, "symbol", json_object_new_string(it->symbol));
            json_object_object_add(x, "timeframe", json_object_new_string(it->timeframe));
            json_object_object_add(x, "source", json_object_new_string(it->source));
            json_object_object_add(x, "fetched", json_object_new_int64(it->fetched));
            json_object_object_add(x, "inserted", json_object_new_int64(it->inserted));
            json_object_object_add(x, "skipped", json_object_new_int64(it->skipped));
            json_object_object_add(x, "rejected", json_object_new_int64(it->rejected));
            json_object_object_add(x, "first", it->first ? json_object_new_string(f) : NULL);
            json_object_object_add(x, "last", it->last ? json_object_new_string(l) : NULL);
            json_object_object_add(x, "status", json_object_new_string(it->status ? "failed" : "ok"));
            if (it->status)
                json_object_object_add(x, "error", json_object_new_string(it->error));
            json_object_array_add(a, x);
        }
        json_object_object_add(o, "items", a);
        json_object_object_add(o, "inserted", json_object_new_int64(r->inserted));
        json_object_object_add(o, "rejected", json_object_new_int64(r->rejected));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return;
    }
    printf("%-8s %-4s %-10s %9s %9s %9s %9s  %-10s %-10s %s\n", "SYMBOL", "TF", "SOURCE",
           "FETCHED", "INSERTED", "SKIPPED", "REJECTED", "FIRST", "LAST", "STATUS");
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_sync_item *it = &r->items[i];
        char f[JUTSU_DATE_BUFSZ] = "-", l[JUTSU_DATE_BUFSZ] = "-";
        if (it->first)
            jutsu_date_format(jutsu_time_to_date(it->first), f);
        if (it->last)
            jutsu_date_format(jutsu_time_to_date(it->last), l);
        printf("%-8s %-4s %-10.10s %9lld %9lld %9lld %9lld  %-10s %-10s %s\n", it->symbol,
               it->timeframe, it->source, (long long)it->fetched, (long long)it->inserted,
               (long long)it->skipped, (long long)it->rejected, f, l,
               it->status ? it->error : "ok");
    }
    printf("total: %lld fetched, %lld inserted, %lld skipped, %lld rejected%s\n",
           (long long)r->fetched, (long long)r->inserted, (long long)r->skipped,
           (long long)r->rejected, r->failed ? "; some items FAILED" : "");
}

struct range_args { const char *timeframe; jutsu_date_t from, to; };

static int range_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct range_args *a = ud;
    switch (c) {
    case 't':
        if ((a->timeframe = jutsu_sync_timeframe(arg)) == NULL)
            return jutsu_cli_usage(cli, "--timeframe %s: use 1D, 1H, 5m or 15m", arg);
        return 0;
    case 'f': return jutsu_cli_date_arg(cli, "from", arg, &a->from);
    case 'T': return jutsu_cli_date_arg(cli, "to", arg, &a->to);
    }
    return jutsu_cli_usage(cli, "unknown option");
}

struct sync_args {
    struct range_args r;          /* --timeframe, --from, --to */
    const char *symbols[MAX_SYMBOLS];
    size_t      nsymbols;
    const char *source;
};

static int sync_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct sync_args *a = ud;
    char why[256];
    switch (c) {
    case 's':
        if (a->nsymbols == MAX_SYMBOLS)
            return jutsu_cli_usage(cli, "at most %d --symbol options", MAX_SYMBOLS);
        if (!jutsu_symbol_check(arg, 1, why, sizeof(why)))
            return jutsu_cli_usage(cli, "--symbol: %s", why);
        a->symbols[a->nsymbols++] = arg;
        return 0;
    case 'S': a->source = arg; return 0;
    }
    return range_opt(cli, c, arg, &a->r);
}

static const struct option sync_opts[] = {
    { "symbol",    required_argument, NULL, 's' },
    { "timeframe", required_argument, NULL, 't' },
    { "source",    required_argument, NULL, 'S' },
    { "from",      required_argument, NULL, 'f' },
    { "to",        required_argument, NULL, 'T' },
    { NULL, 0, NULL, 0 }
};

/* --source NAME must name a source instance: 0, or exit 1 (not found)
 * with the nearest source instance or the list of them. */
static int check_source(struct jutsu_cli *cli, const char *name)
{
    struct jutsu_ctx *c = jutsu_app_find(cli->app, name);
    if (c && jutsu_ctx_plugin(c)->kind == JUTSU_KIND_SOURCE)
        return 0;
    struct jutsu_suggest sg;
    char hint[256];
    jutsu_cli_suggest_init(&sg, name);
    for (size_t i = 0; i < cli->app->ninst; i++)
        if (jutsu_ctx_plugin(cli->app->inst[i])->kind == JUTSU_KIND_SOURCE)
            jutsu_cli_suggest_offer(&sg, cli->app->inst[i]->name);
    jutsu_cli_suggest_hint(&sg, "source instances", hint, sizeof(hint));
    jutsu_cli_error("--source %s: no source instance \"%s\" in %s; %s", name, name,
                    cli->config_path, hint[0] ? hint : "it configures none");
    return JUTSU_EXIT_FAILURE;
}

int jutsu_cmd_sync(struct jutsu_cli *cli)
{
    struct sync_args a = { .nsymbols = 0 };
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_parse(cli, sync_opts, sync_opt, &a);
    if (rc)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\" (symbols go with --symbol)",
                               cli->argv[1]);
    if ((rc = jutsu_cli_date_range(cli, a.r.from, a.r.to)) != 0)
        return rc;
    if ((rc = start_for_data(cli, &s)) != 0)
        return rc;
    jutsu_dbs_close(s);
    if (a.nsymbols == 0) {
        /* said as what it is, a question of the command line, before any work */
        jutsu_cfg_node *l = jutsu_cfg_get(jutsu_cfg_root(cli->app->cfg), "sync.symbols");
        if (l == NULL || l->kind != JUTSU_CFG_NODE_SEQ || l->n == 0)
            return jutsu_cli_usage(cli, "no symbols to sync: %s has no sync.symbols; pass "
                                   "--symbol SYMBOL (repeatable) or list them there",
                                   cli->config_path);
    }
    if (a.source && (rc = check_source(cli, a.source)) != 0)
        return rc;
    struct jutsu_sync_opts o = {
        .symbols = a.nsymbols ? a.symbols : NULL, .nsymbols = a.nsymbols,
        .timeframe = a.r.timeframe, .source = a.source, .from = a.r.from, .to = a.r.to,
        .progress = cli->format != JUTSU_FMT_JSON && isatty(STDERR_FILENO),
    };
    struct jutsu_sync_report r;
    rc = jutsu_sync_run(cli->app, &o, &r);
    if (r.n)
        print_report(cli, &r);
    jutsu_sync_report_free(&r);
    return rc == 0 ? JUTSU_EXIT_OK : rc == JUTSU_EINVAL ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
}

int jutsu_cmd_data_import(struct jutsu_cli *cli)
{
    struct sync_args a = { .nsymbols = 0 };
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_parse(cli, sync_opts, sync_opt, &a);
    if (rc)
        return rc;
    if (cli->argc < 2)
        return jutsu_cli_usage(cli, "name at least one file");
    if (a.nsymbols > 1)
        return jutsu_cli_usage(cli, "one --symbol at most (it names the symbol of every file)");
    if ((rc = start_for_data(cli, &s)) != 0)
        return rc;
    jutsu_dbs_close(s);
    struct jutsu_sync_report r;
    rc = jutsu_sync_import(cli->app, (const char *const *)cli->argv + 1, (size_t)cli->argc - 1,
                           a.nsymbols ? a.symbols[0] : NULL, a.r.timeframe, &r);
    if (r.n)
        print_report(cli, &r);
    jutsu_sync_report_free(&r);
    return rc == 0 ? JUTSU_EXIT_OK : rc == JUTSU_EINVAL ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
}

/* --- a symbol never stored ------------------------------------------------ */

/* A name the config or the database lacks is not found: exit 1 (the
 * command ran and could not do it), in every command, never 0 with an
 * empty result. Not 2: whether XYZ has bars depends on what was synced,
 * not on how the command line was written, and the same line succeeds
 * after `jutsu sync`. Not a code of its own: the message names what is
 * missing, and a script that must tell "absent" apart asks `jutsu data
 * status --format json` instead of decoding exit codes. */

static int any_bar(const struct jutsu_bar_row *b, void *arg)
{
    (void)b;
    (void)arg;
    return 1;   /* the first row is enough: stop the read */
}

struct stored {
    const char          *symbol, *timeframe;
    char                 other_tf[16];    /* a timeframe the symbol does have */
    struct jutsu_suggest sg;              /* symbols of this timeframe        */
};

static int stored_row(const struct jutsu_metadata_row *m, void *arg)
{
    struct stored *st = arg;
    if (strcmp(m->symbol, st->symbol) == 0) {
        if (st->other_tf[0] == '\0')
            snprintf(st->other_tf, sizeof(st->other_tf), "%s", m->timeframe);
    } else if (strcmp(m->timeframe, st->timeframe) == 0) {
        jutsu_cli_suggest_offer(&st->sg, m->symbol);
    }
    return 0;
}

/* 0 when any bar of (symbol, timeframe) is stored, valid or not; else the
 * exit code, the problem printed: the symbol named, with the stored one
 * nearest to it or the list of them. */
static int check_stored(jutsu_dbs *s, const char *symbol, const char *timeframe)
{
    int rc = jutsu_data_bars_range(s, symbol, timeframe, JUTSU_TIME_MIN, JUTSU_TIME_MAX, 0,
                                   any_bar, NULL);
    if (rc == 1)
        return 0;
    struct stored st = { .symbol = symbol, .timeframe = timeframe };
    jutsu_cli_suggest_init(&st.sg, symbol);
    if (rc == 0)
        rc = jutsu_data_metadata_list(s, stored_row, &st);
    if (rc != 0) {
        jutsu_cli_db_error(s);
        return JUTSU_EXIT_FAILURE;
    }
    char hint[256];
    jutsu_cli_suggest_hint(&st.sg, "stored", hint, sizeof(hint));
    if (st.other_tf[0])
        jutsu_cli_error("no %s bars of %s are stored (it has %s bars: --timeframe %s)",
                        timeframe, symbol, st.other_tf, st.other_tf);
    else if (jutsu_cli_suggest_best(&st.sg))
        jutsu_cli_error("no %s bars of %s are stored; %s", timeframe, symbol, hint);
    else if (hint[0])
        jutsu_cli_error("no %s bars of %s are stored (%s); `jutsu sync --symbol %s` fetches "
                        "it from the sources", timeframe, symbol, hint, symbol);
    else
        jutsu_cli_error("no %s bars of %s are stored: the database holds no %s bars yet "
                        "(`jutsu sync --symbol %s` fetches it from the sources)", timeframe,
                        symbol, timeframe, symbol);
    return JUTSU_EXIT_FAILURE;
}

/* --- data show ----------------------------------------------------------- */

struct show {
    int format;
    json_object *arr;
    int64_t n;
    struct jutsu_jw *jw;   /* data show's JSON: written, not built */
};

/* Text and CSV have a header line, printed before the first row (or for
 * an empty range): a symbol not stored prints nothing on stdout. */
static void show_header(int format)
{
    if (format == JUTSU_FMT_CSV)
        printf("time,open,high,low,close,volume,source,valid\n");
    else if (format == JUTSU_FMT_TEXT)
        printf("%-20s %18s %18s %18s %18s %12s %s\n", "TIME", "OPEN", "HIGH", "LOW", "CLOSE",
               "VOLUME", "SOURCE");
}

/* A bar as JSON, no snprintf on the way: formatting was half its cost. */
static void show_bar_json(struct jutsu_jw *w, const struct jutsu_bar_row *b, int first)
{
    char when[JUTSU_TIME_BUFSZ];
    if (first)
        jutsu_jw_begin(w, '[');
    jutsu_jw_begin(w, '{');
    jutsu_jw_key(w, "time");
    if (strcmp(b->timeframe, "1D") == 0) {
        jutsu_jw_date(w, jutsu_time_to_date(b->ts));
    } else {
        jutsu_time_format(b->ts, when);
        jutsu_jw_str(w, when);
    }
    jutsu_jw_key(w, "open");
    jutsu_jw_money(w, b->open);
    jutsu_jw_key(w, "high");
    jutsu_jw_money(w, b->high);
    jutsu_jw_key(w, "low");
    jutsu_jw_money(w, b->low);
    jutsu_jw_key(w, "close");
    jutsu_jw_money(w, b->close);
    jutsu_jw_key(w, "volume");
    jutsu_jw_int(w, b->volume);
    jutsu_jw_key(w, "source");
    jutsu_jw_str(w, b->data_source);
    jutsu_jw_key(w, "valid");
    jutsu_jw_bool(w, b->is_valid);
    jutsu_jw_end(w, '}');
}

static int show_bar(const struct jutsu_bar_row *b, void *arg)
{
    struct show *sh = arg;
    if (sh->format == JUTSU_FMT_JSON) {
        show_bar_json(sh->jw, b, sh->n++ == 0);
        return 0;
    }
    char o[JUTSU_MONEY_BUFSZ], h[JUTSU_MONEY_BUFSZ], l[JUTSU_MONEY_BUFSZ], c[JUTSU_MONEY_BUFSZ];
    char when[JUTSU_TIME_BUFSZ];
    jutsu_money_format(b->open, o);
    jutsu_money_format(b->high, h);
    jutsu_money_format(b->low, l);
    jutsu_money_format(b->close, c);
    if (strcmp(b->timeframe, "1D") == 0)
        jutsu_date_format(jutsu_time_to_date(b->ts), when);
    else
        jutsu_time_format(b->ts, when);
    if (sh->n++ == 0)
        show_header(sh->format);
    if (sh->format == JUTSU_FMT_CSV) {
        printf("%s,%s,%s,%s,%s,%lld,%s,%s\n", when, o, h, l, c, (long long)b->volume,
               b->data_source, b->is_valid ? "true" : "false");
    } else {
        printf("%-20s %18s %18s %18s %18s %12lld %-8s%s\n", when, o, h, l, c,
               (long long)b->volume, b->data_source, b->is_valid ? "" : " INVALID");
    }
    return 0;
}



static const struct option range_opts[] = {
    { "timeframe", required_argument, NULL, 't' },
    { "from",      required_argument, NULL, 'f' },
    { "to",        required_argument, NULL, 'T' },
    { NULL, 0, NULL, 0 }
};

int jutsu_cmd_data_show(struct jutsu_cli *cli)
{
    struct range_args a = { .timeframe = "1D" };
    jutsu_dbs *s = NULL;
    char why[256];
    int rc = jutsu_cli_parse(cli, range_opts, range_opt, &a);
    if (rc || (rc = jutsu_cli_date_range(cli, a.from, a.to)) != 0)
        return rc;
    if (cli->argc != 2)
        return jutsu_cli_usage(cli, "name one symbol");
    if (!jutsu_symbol_check(cli->argv[1], 1, why, sizeof(why)))
        return jutsu_cli_usage(cli, "%s", why);
    if ((rc = start_for_data(cli, &s)) != 0)
        return rc;
    char sym[16];
    jutsu_symbol_upper(sym, sizeof(sym), cli->argv[1], SIZE_MAX);
    jutsu_time_t from = a.from ? jutsu_date_to_time(a.from) : JUTSU_TIME_MIN;
    jutsu_time_t to = a.to ? jutsu_date_to_time(a.to) + JUTSU_USEC_PER_DAY - 1 : JUTSU_TIME_MAX;
    struct jutsu_jw jw;
    struct show sh = { .format = cli->format, .jw = &jw };
    jutsu_jw_init(&jw, 1);
    rc = jutsu_data_bars_range(s, sym, a.timeframe, from, to, 0, show_bar, &sh);
    int code = rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
    if (rc)
        jutsu_cli_db_error(s);
    else if (sh.n == 0 && (code = check_stored(s, sym, a.timeframe)) == 0)
        show_header(cli->format);   /* stored, but not in that range: an empty result */
    if (cli->format == JUTSU_FMT_JSON && code == 0) {
        if (sh.n == 0)
            jutsu_jw_begin(&jw, '[');
        jutsu_jw_end(&jw, ']');
        if (jutsu_jw_write(&jw, stdout) != 0) {
            jutsu_cli_error("cannot write the bars: %s", jw.oom ? jutsu_strerror(JUTSU_ENOMEM)
                            : "stdout refused them");
            code = JUTSU_EXIT_FAILURE;
        }
    }
    jutsu_jw_free(&jw);
    fflush(stdout);   /* the note after the table, on a terminal */
    if (code == 0 && sh.n == 0)
        fprintf(stderr, "jutsu: no %s bars of %s in that range (`jutsu data status` shows the "
                "newest)\n", a.timeframe, sym);
    jutsu_dbs_close(s);
    return code;
}

/* --- data status ---------------------------------------------------------- */

static int status_row(const struct jutsu_metadata_row *m, void *arg)
{
    struct show *sh = arg;
    char last[JUTSU_TIME_BUFSZ], upd[JUTSU_TIME_BUFSZ];
    if (strcmp(m->timeframe, "1D") == 0)
        jutsu_date_format(jutsu_time_to_date(m->last_bar_ts), last);
    else
        jutsu_time_format(m->last_bar_ts, last);
    jutsu_time_format(m->last_updated, upd);
    sh->n++;
    if (sh->format == JUTSU_FMT_JSON) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "symbol", json_object_new_string(m->symbol));
        json_object_object_add(x, "timeframe", json_object_new_string(m->timeframe));
        json_object_object_add(x, "last_bar", json_object_new_string(last));
        json_object_object_add(x, "total_bars", json_object_new_int64(m->total_bars));
        json_object_object_add(x, "last_updated", json_object_new_string(upd));
        json_object_array_add(sh->arr, x);
    } else {
        printf("%-8s %-4s %-20s %10lld  %s\n", m->symbol, m->timeframe, last,
               (long long)m->total_bars, upd);
    }
    return 0;
}

int jutsu_cmd_data_status(struct jutsu_cli *cli)
{
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_no_args(cli);
    if (rc != 0)
        return rc;
    if ((rc = start_for_data(cli, &s)) != 0)
        return rc;
    struct show sh = { .format = cli->format };
    if (cli->format == JUTSU_FMT_JSON)
        sh.arr = json_object_new_array();
    else
        printf("%-8s %-4s %-20s %10s  %s\n", "SYMBOL", "TF", "LAST BAR", "BARS", "UPDATED");
    rc = jutsu_data_metadata_list(s, status_row, &sh);
    if (sh.arr) {
        puts(json_object_to_json_string_ext(sh.arr, JSON_C_TO_STRING_PRETTY));
        json_object_put(sh.arr);
    } else if (rc == 0 && sh.n == 0) {   /* an empty table: said, but not a result row */
        fprintf(stderr, "jutsu: no market data yet: `jutsu sync` fetches it\n");
    }
    if (rc)
        jutsu_cli_db_error(s);
    jutsu_dbs_close(s);
    return rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}

/* --- data gaps --------------------------------------------------------------- */

struct gaps {
    const jutsu_calendar *cal;
    jutsu_date_t expect;      /* next trading day we expect a bar for; 0 before the first */
    jutsu_date_t last;
    int64_t      bars, missing;
    int          format;
    json_object *arr;
};

static void report_gap(struct gaps *g, jutsu_date_t d)
{
    char buf[JUTSU_DATE_BUFSZ];
    jutsu_date_format(d, buf);
    g->missing++;
    if (g->arr)
        json_object_array_add(g->arr, json_object_new_string(buf));
    else
        printf("%s\n", buf);
}

static int gap_bar(const struct jutsu_bar_row *b, void *arg)
{
    struct gaps *g = arg;
    jutsu_date_t d = jutsu_time_to_date(b->ts);
    if (g->expect)
        for (; g->expect < d; g->expect = jutsu_calendar_next(g->cal, g->expect))
            report_gap(g, g->expect);
    g->expect = jutsu_calendar_next(g->cal, d);
    g->last = d;
    g->bars++;
    return 0;
}

int jutsu_cmd_data_gaps(struct jutsu_cli *cli)
{
    struct range_args a = { .timeframe = "1D" };
    jutsu_dbs *s = NULL;
    char why[256];
    int rc = jutsu_cli_parse(cli, range_opts, range_opt, &a);
    if (rc || (rc = jutsu_cli_date_range(cli, a.from, a.to)) != 0)
        return rc;
    if (cli->argc != 2)
        return jutsu_cli_usage(cli, "name one symbol");
    if (!jutsu_symbol_check(cli->argv[1], 1, why, sizeof(why)))
        return jutsu_cli_usage(cli, "%s", why);
    if (strcmp(a.timeframe, "1D") != 0)
        return jutsu_cli_usage(cli, "gaps are computed for daily bars (--timeframe 1D)");
    if ((rc = start_for_data(cli, &s)) != 0)
        return rc;
    char sym[16];
    jutsu_symbol_upper(sym, sizeof(sym), cli->argv[1], SIZE_MAX);
    struct gaps g = { .cal = cli->app->cal, .format = cli->format };
    if (cli->format == JUTSU_FMT_JSON)
        g.arr = json_object_new_array();
    jutsu_time_t from = a.from ? jutsu_date_to_time(a.from) : JUTSU_TIME_MIN;
    jutsu_time_t to = a.to ? jutsu_date_to_time(a.to) + JUTSU_USEC_PER_DAY - 1 : JUTSU_TIME_MAX;
    rc = jutsu_data_bars_range(s, sym, "1D", from, to, 1, gap_bar, &g);
    if (rc == 0 && a.to && g.expect)   /* trading days after the last bar, up to --to */
        for (; g.expect <= a.to; g.expect = jutsu_calendar_next(g.cal, g.expect))
            report_gap(&g, g.expect);
    int code = rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
    if (rc)
        jutsu_cli_db_error(s);
    else if (g.bars == 0)
        code = check_stored(s, sym, "1D");
    if (g.arr && code == 0) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "symbol", json_object_new_string(sym));
        json_object_object_add(o, "bars", json_object_new_int64(g.bars));
        json_object_object_add(o, "missing", json_object_get(g.arr));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
        json_object_put(o);
    } else if (code == 0) {   /* the summary is the result's last line, with the dates */
        printf("%s: %lld valid daily bars, %lld missing trading day%s\n", sym,
               (long long)g.bars, (long long)g.missing, g.missing == 1 ? "" : "s");
    }
    json_object_put(g.arr);
    jutsu_dbs_close(s);
    return code;
}
