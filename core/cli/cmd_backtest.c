/*
 * core/cli/cmd_backtest.c — `jutsu backtest`: a strategy over stored history
 * (core/jobs/backtest.h), reported for a trader: the summary beside the
 * baseline's, the starting capital, each year's return against the
 * baseline's, and the trades (the last few here, all of them with
 * --trades FILE as CSV).
 *
 * --format json is jutsu_backtest_json, the answer of POST /api/backtest:
 * one shape for both. With --sweep, one run per combination of values
 * instead (cmd_backtest_sweep.c).
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jobs/backtest.h"
#include "cli/cli.h"
#include "base/heap.h"
#include "base/json_writer.h"
#include "cli/cli_suggest.h"
#include "cli/sweep.h"
#include "host/entities.h"
#include "store/store.h"

#define BT_MAX_PARAMS 64
/* trades shown in the text report without --trades */
#define BT_SHOWN_TRADES 10
/* the heap a run of 15 years of six symbols grows to, with room */
#define BT_HEAP_EXPECT ((size_t)32 << 20)

struct bt_args {
    struct jutsu_backtest_opts o;
    const char        *daily, *trades;
    struct jutsu_param params[BT_MAX_PARAMS];
    char              *param_text[BT_MAX_PARAMS];
    size_t             nparams;
    struct jutsu_sweep_axis axes[JUTSU_SWEEP_MAX_AXES];   /* --sweep */
    size_t             naxes;
    unsigned           jobs;
    enum jutsu_sweep_kpi sort;
};

/* --param NAME=VALUE: the name is cut off the argument in a copy. */
static int param_opt(struct jutsu_cli *cli, const char *arg, struct bt_args *a)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return jutsu_cli_usage(cli, "--param %s: write it as NAME=VALUE (e.g. upper_z=1.1)", arg);
    if (a->nparams == BT_MAX_PARAMS)
        return jutsu_cli_usage(cli, "--param: at most %d", BT_MAX_PARAMS);
    char *name = strndup(arg, (size_t)(eq - arg));
    if (name == NULL) {
        jutsu_cli_error("out of memory");
        return JUTSU_EXIT_FAILURE;
    }
    a->param_text[a->nparams] = name;
    a->params[a->nparams].name = name;
    a->params[a->nparams].value = eq + 1;
    a->nparams++;
    return 0;
}

/* --sweep NAME=SPEC: parsed now, checked against the strategy later. */
static int sweep_opt(struct jutsu_cli *cli, const char *arg, struct bt_args *a)
{
    char err[512];
    if (a->naxes == JUTSU_SWEEP_MAX_AXES)
        return jutsu_cli_usage(cli, "--sweep: at most %d", JUTSU_SWEEP_MAX_AXES);
    int rc = jutsu_sweep_axis_parse(arg, &a->axes[a->naxes], err, sizeof(err));
    a->naxes++;   /* freed with the others, after a failure too */
    if (rc == JUTSU_ENOMEM) {
        jutsu_cli_error("out of memory");
        return JUTSU_EXIT_FAILURE;
    }
    return rc == 0 ? 0 : jutsu_cli_usage(cli, "%s", err);
}

static int sweep_extra_opt(struct jutsu_cli *cli, int c, const char *arg, struct bt_args *a)
{
    char *end;
    if (c == 'j') {
        unsigned long n = strtoul(arg, &end, 10);
        if (*arg < '0' || *arg > '9' || *end != '\0' || n < 1 || n > 1024)
            return jutsu_cli_usage(cli, "--jobs %s: a number of threads, 1 to 1024", arg);
        a->jobs = (unsigned)n;
        return 0;
    }
    if ((a->sort = jutsu_sweep_kpi_of(arg)) == JUTSU_SWEEP_BY_NONE) {
        char names[256] = "";
        for (int i = 0; jutsu_sweep_kpi_names[i]; i++)
            snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "",
                     jutsu_sweep_kpi_names[i]);
        return jutsu_cli_usage(cli, "--sort %s: sort by one of %s", arg, names);
    }
    return 0;
}

static int bt_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct bt_args *a = ud;
    switch (c) {
    case 's': a->o.strategy = arg; return 0;
    case 'f': return jutsu_cli_date_arg(cli, "from", arg, &a->o.from);
    case 'T': return jutsu_cli_date_arg(cli, "to", arg, &a->o.to);
    case 'c':
        if (jutsu_money_parse(arg, -1, JUTSU_MONEY_EXACT, &a->o.capital) != 0 || a->o.capital <= 0)
            return jutsu_cli_usage(cli, "--capital %s: a positive amount, e.g. 10000", arg);
        return 0;
    case 'd': a->daily = arg; return 0;
    case 't': a->trades = arg; return 0;
    case 'p': return param_opt(cli, arg, a);
    case 'w': return sweep_opt(cli, arg, a);
    case 'j': case 'o': return sweep_extra_opt(cli, c, arg, a);
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option bt_opts[] = {
    { "strategy", required_argument, NULL, 's' },
    { "from",     required_argument, NULL, 'f' },
    { "to",       required_argument, NULL, 'T' },
    { "capital",  required_argument, NULL, 'c' },
    { "daily",    required_argument, NULL, 'd' },
    { "trades",   required_argument, NULL, 't' },
    { "param",    required_argument, NULL, 'p' },
    { "sweep",    required_argument, NULL, 'w' },
    { "jobs",     required_argument, NULL, 'j' },
    { "sort",     required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 }
};

/* --- the text report ---------------------------------------------------------- */

/* A ratio as a percent with 2 places, or as a number with 3; "-" for NaN:
 * the cells every report shares. */
static void cell(char *buf, size_t n, double v, int pct)
{
    if (pct)
        jutsu_cli_pct(buf, n, v);
    else
        jutsu_cli_ratio(buf, n, v);
}

/* One summary line: the label, the strategy's and the baseline's values
 * right-aligned in 18 columns, coloured by sign when `tone` asks. */
static void line(const struct jutsu_cli *cli, const char *what, const char *s, const char *b,
                 enum jutsu_cli_tone ts, enum jutsu_cli_tone tb)
{
    const char *off = jutsu_cli_sgr(cli, JUTSU_TONE_RESET);
    const char *on1 = jutsu_cli_sgr(cli, ts), *on2 = jutsu_cli_sgr(cli, tb);
    printf("  %-16s ", what);
    jutsu_cli_cell(stdout, s, 18, 1, on1, off);
    putchar(' ');
    jutsu_cli_cell(stdout, b, 18, 1, on2, off);
    putchar('\n');
}

static void row(const struct jutsu_cli *cli, const char *what, double s, double b, int has_b,
                int pct, int toned)
{
    char x[32], y[32];
    cell(x, sizeof(x), s, pct);
    cell(y, sizeof(y), has_b ? b : NAN, pct);
    line(cli, what, x, y, toned ? jutsu_cli_tone_of(s) : JUTSU_TONE_NONE,
         toned && has_b ? jutsu_cli_tone_of(b) : JUTSU_TONE_NONE);
}

static void print_summary(const struct jutsu_cli *cli, const struct jutsu_backtest *r)
{
    char f[JUTSU_DATE_BUFSZ], t[JUTSU_DATE_BUFSZ], e1[40], e2[40], cap[40], n[16];
    const struct jutsu_backtest_side *s = &r->strategy, *b = &r->baseline;
    const char *bold = jutsu_cli_sgr(cli, JUTSU_TONE_BOLD), *off = jutsu_cli_sgr(cli,
                                                                                JUTSU_TONE_RESET);
    jutsu_date_format(r->from, f);
    jutsu_date_format(r->to, t);
    printf("%sbacktest %s, %s to %s (%d trading days)%s\n", bold, s->id, f, t, s->days, off);
    printf("  starting capital: %s\n", jutsu_cli_money(r->capital, 2, cap, sizeof(cap)));
    printf("%s  %-16s %18s %18s%s\n", bold, "", s->id, r->has_baseline ? b->id : "(no baseline)",
           off);
    line(cli, "final equity", jutsu_cli_money(s->final_equity, 2, e1, sizeof(e1)),
         r->has_baseline ? jutsu_cli_money(b->final_equity, 2, e2, sizeof(e2)) : "-",
         JUTSU_TONE_NONE, JUTSU_TONE_NONE);
    row(cli, "total return", s->total_return, b->total_return, r->has_baseline, 1, 1);
    row(cli, "CAGR", s->cagr, b->cagr, r->has_baseline, 1, 1);
    row(cli, "Sharpe", s->sharpe, b->sharpe, r->has_baseline, 0, 0);
    row(cli, "Sortino", s->sortino, b->sortino, r->has_baseline, 0, 0);
    row(cli, "Calmar", s->calmar, b->calmar, r->has_baseline, 0, 0);
    row(cli, "max drawdown", s->max_drawdown, b->max_drawdown, r->has_baseline, 1, 0);
    row(cli, "volatility", s->volatility, b->volatility, r->has_baseline, 1, 0);
    snprintf(n, sizeof(n), "%d", s->trades);
    line(cli, "trades", n, "-", JUTSU_TONE_NONE, JUTSU_TONE_NONE);
    row(cli, "win rate", s->win_rate / 100.0, NAN, 0, 1, 0);
    printf("  final allocation: %s\n", s->allocation);
}

static void print_years(const struct jutsu_cli *cli, const struct jutsu_backtest *r)
{
    const struct jutsu_tbl_col cols[] = {
        { "YEAR", 0 }, { r->strategy.id, 1 },
        { r->has_baseline ? r->baseline.id : "BASELINE", 1 }, { "DIFFERENCE", 1 } };
    struct jutsu_tbl t;
    jutsu_tbl_init(&t, cols, 4);
    for (size_t i = 0; i < r->nyears; i++) {
        const struct jutsu_backtest_year *y = &r->years[i];
        char year[8], s[32], b[32], d[32];
        double diff = y->strategy_return - y->baseline_return;
        snprintf(year, sizeof(year), "%d", y->year);
        cell(s, sizeof(s), y->strategy_return, 1);
        cell(b, sizeof(b), y->baseline_return, 1);
        cell(d, sizeof(d), diff, 1);
        const char *cells[4] = { year, s, b, d };
        const enum jutsu_cli_tone tones[4] = {
            JUTSU_TONE_NONE, jutsu_cli_tone_of(y->strategy_return),
            jutsu_cli_tone_of(y->baseline_return), jutsu_cli_tone_of(diff) };
        if (jutsu_tbl_add(&t, cells, tones) != 0)
            break;
    }
    printf("\n%sper year%s\n", jutsu_cli_sgr(cli, JUTSU_TONE_BOLD),
           jutsu_cli_sgr(cli, JUTSU_TONE_RESET));
    jutsu_tbl_print(&t, cli, stdout, "  ");
    jutsu_tbl_free(&t);
}

static void print_trades(const struct jutsu_cli *cli, const struct jutsu_backtest *r,
                         const char *file)
{
    static const struct jutsu_tbl_col cols[] = {
        { "DATE", 0 }, { "SYMBOL", 0 }, { "ACTION", 0 }, { "QUANTITY", 1 },
        { "FILL PRICE", 1 }, { "VALUE", 1 }, { "REALIZED P&L", 1 }, { "REASON", 0 } };
    size_t from = r->ntrades > BT_SHOWN_TRADES ? r->ntrades - BT_SHOWN_TRADES : 0;
    printf("\n%strades%s: %zu", jutsu_cli_sgr(cli, JUTSU_TONE_BOLD),
           jutsu_cli_sgr(cli, JUTSU_TONE_RESET), r->ntrades);
    if (file)
        printf(", every one in %s\n", file);
    else if (from > 0)
        printf(", the last %d below (--trades FILE writes them all as CSV)\n", BT_SHOWN_TRADES);
    else
        printf("\n");
    if (r->ntrades == 0)
        return;
    struct jutsu_tbl t;
    jutsu_tbl_init(&t, cols, 8);
    for (size_t i = from; i < r->ntrades; i++) {
        const struct jutsu_backtest_trade *x = &r->trades[i];
        char day[JUTSU_DATE_BUFSZ], q[16], px[40], val[40], pnl[40];
        jutsu_date_format(x->date, day);
        snprintf(q, sizeof(q), "%d", (int)x->quantity);
        const char *cells[8] = { day, x->symbol, x->action, q,
                                 jutsu_cli_money(x->fill_price, 2, px, sizeof(px)),
                                 jutsu_cli_money(x->value, 2, val, sizeof(val)),
                                 jutsu_cli_money(x->realized_pnl, 2, pnl, sizeof(pnl)),
                                 x->reason };
        enum jutsu_cli_tone tones[8] = { 0 };
        if (x->realized_pnl != JUTSU_MONEY_NULL)
            tones[6] = jutsu_cli_tone_of((double)x->realized_pnl);
        if (jutsu_tbl_add(&t, cells, tones) != 0)
            break;
    }
    jutsu_tbl_print(&t, cli, stdout, "  ");
    jutsu_tbl_free(&t);
}

/* --- files -------------------------------------------------------------------- */

/* Every trade as CSV (RFC 4180: CRLF, fields quoted when needed); money as
 * exact six-decimal strings. 0 or errno. */
static int write_trades(const char *path, const struct jutsu_backtest *r)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return errno;
    fputs("date,symbol,action,quantity,fill_price,value,realized_pnl,reason\r\n", f);
    for (size_t i = 0; i < r->ntrades; i++) {
        const struct jutsu_backtest_trade *x = &r->trades[i];
        char day[JUTSU_DATE_BUFSZ], px[JUTSU_MONEY_BUFSZ] = "", val[JUTSU_MONEY_BUFSZ] = "";
        char pnl[JUTSU_MONEY_BUFSZ] = "";
        jutsu_date_format(x->date, day);
        if (x->fill_price != JUTSU_MONEY_NULL)
            jutsu_money_format(x->fill_price, px);
        if (x->value != JUTSU_MONEY_NULL)
            jutsu_money_format(x->value, val);
        if (x->realized_pnl != JUTSU_MONEY_NULL)
            jutsu_money_format(x->realized_pnl, pnl);
        fprintf(f, "%s,", day);
        jutsu_cli_csv_field(f, x->symbol);
        fprintf(f, ",%s,%d,%s,%s,%s,", x->action, (int)x->quantity, px, val, pnl);
        jutsu_cli_csv_field(f, x->reason);
        fputs("\r\n", f);
    }
    int err = ferror(f) ? EIO : 0;
    if (fclose(f) != 0 && err == 0)
        err = errno;
    return err;
}

/* The backtest refused: a strategy the config does not have is not found
 * (exit 1, with the nearest instance name); a range without a trading day
 * or a parameter the plugin refuses is a usage error. */
static int refused(struct jutsu_cli *cli, const struct jutsu_backtest *r, int rc,
                   const char *strategy)
{
    struct jutsu_entities ents;
    char hint[256] = "", err[512];
    if (rc == JUTSU_EINVAL)
        return jutsu_cli_usage(cli, "%s", r->error);
    if (rc == JUTSU_ENOENT && jutsu_entities_load(cli->app, &ents, err, sizeof(err)) == 0) {
        jutsu_cli_entity_hint(&ents, "strategy", strategy, hint, sizeof(hint));
        jutsu_entities_free(&ents);
    }
    jutsu_cli_error("%s%s%s", r->error, hint[0] ? "; " : "", hint);
    return JUTSU_EXIT_FAILURE;
}

/* The answer of POST /api/backtest, written without its json-c tree: the
 * same bytes (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE). */
static int print_json(const struct jutsu_backtest *r, const struct bt_args *a)
{
    struct jutsu_jw w;
    jutsu_jw_init(&w, 0);
    jutsu_backtest_write(&w, r, a->params, a->nparams);
    int rc = jutsu_jw_write(&w, stdout);
    jutsu_jw_free(&w);
    if (rc != 0) {
        jutsu_cli_error("%s", w.oom ? "out of memory" : strerror(errno));
        return JUTSU_EXIT_FAILURE;
    }
    return JUTSU_EXIT_OK;
}

static int run(struct jutsu_cli *cli, struct bt_args *a)
{
    jutsu_dbs *s = NULL;
    /* one run, then exit: its ~15 MB of new heap in huge pages; refused,
     * the run is as correct, only slower (heap.h) */
    (void)jutsu_heap_huge(BT_HEAP_EXPECT);
    int rc = jutsu_cli_start_storage(cli, (1u << JUTSU_KIND_STRATEGY) | (1u << JUTSU_KIND_KPI),
                                     &s);
    if (rc != 0)
        return rc;
    jutsu_dbs_close(s);
    FILE *daily = NULL;
    if (a->daily && (daily = fopen(a->daily, "w")) == NULL) {
        jutsu_cli_error("cannot write %s: %s", a->daily, strerror(errno));
        return JUTSU_EXIT_FAILURE;
    }
    a->o.daily = daily;
    a->o.series = 1;
    a->o.params = a->params;
    a->o.nparams = a->nparams;
    a->o.baseline_thread = 1;   /* one run, alone: the second core values the baseline */
    struct jutsu_backtest r;
    rc = jutsu_backtest_run(cli->app, &a->o, &r);
    if (daily && fclose(daily) != 0 && rc == 0) {
        jutsu_cli_error("cannot write %s: %s", a->daily, strerror(errno));
        jutsu_backtest_free(&r);
        return JUTSU_EXIT_FAILURE;
    }
    if (rc != 0) {
        rc = refused(cli, &r, rc, a->o.strategy);
        jutsu_backtest_free(&r);
        return rc;
    }
    int err = a->trades ? write_trades(a->trades, &r) : 0;
    if (err != 0) {
        jutsu_cli_error("cannot write %s: %s", a->trades, strerror(err));
        rc = JUTSU_EXIT_FAILURE;
    } else if (cli->format == JUTSU_FMT_JSON) {
        rc = print_json(&r, a);
    } else {
        print_summary(cli, &r);
        print_years(cli, &r);
        print_trades(cli, &r, a->trades);
    }
    jutsu_backtest_free(&r);
    return rc;
}

/* The options of one kind of run refused in the other: 0 or a usage error. */
static int options_fit(struct jutsu_cli *cli, const struct bt_args *a)
{
    if (a->naxes == 0 && (a->jobs || a->sort))
        return jutsu_cli_usage(cli, "--%s goes with --sweep", a->jobs ? "jobs" : "sort");
    if (a->naxes == 0 && cli->format == JUTSU_FMT_CSV)
        return jutsu_cli_usage(cli, "--format csv goes with --sweep (a single run's trades "
                               "as CSV: --trades FILE)");
    if (a->naxes > 0 && (a->daily || a->trades))
        return jutsu_cli_usage(cli, "--%s is a single run's: not with --sweep",
                               a->daily ? "daily" : "trades");
    return 0;
}

static int sweep(struct jutsu_cli *cli, struct bt_args *a)
{
    struct jutsu_sweep_req req = {
        .strategy = a->o.strategy, .from = a->o.from, .to = a->o.to, .capital = a->o.capital,
        .fixed = a->params, .nfixed = a->nparams, .axes = a->axes, .naxes = a->naxes,
        .jobs = a->jobs, .sort = a->sort,
    };
    return jutsu_backtest_sweep(cli, &req);
}

int jutsu_cmd_backtest(struct jutsu_cli *cli)
{
    struct bt_args a;
    memset(&a, 0, sizeof(a));
    int rc = jutsu_cli_parse(cli, bt_opts, bt_opt, &a);
    if (rc == 0 && cli->argc > 1)
        rc = jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    if (rc == 0 && (a.o.strategy == NULL || a.o.from == 0 || a.o.to == 0))
        rc = jutsu_cli_usage(cli, "--strategy, --from and --to are required");
    if (rc == 0 && a.o.from > a.o.to)
        rc = jutsu_cli_usage(cli, "--from is after --to");
    if (rc == 0 && (rc = options_fit(cli, &a)) == 0)
        rc = a.naxes ? sweep(cli, &a) : run(cli, &a);
    for (size_t i = 0; i < a.nparams; i++)
        free(a.param_text[i]);
    for (size_t i = 0; i < a.naxes; i++)
        jutsu_sweep_axis_free(&a.axes[i]);
    return rc;
}
