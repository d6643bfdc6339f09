/*
 * core/cli/cmd_backtest.c — `jutsu backtest`: a strategy over stored history,
 * its summary beside its baseline's (core/jobs/backtest.h).
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jobs/backtest.h"
#include "cli/cli.h"
#include "cli/cli_suggest.h"
#include "host/entities.h"
#include "store/store.h"

struct bt_args {
    struct jutsu_backtest_opts o;
    const char *daily;
};

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
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option bt_opts[] = {
    { "strategy", required_argument, NULL, 's' },
    { "from",     required_argument, NULL, 'f' },
    { "to",       required_argument, NULL, 'T' },
    { "capital",  required_argument, NULL, 'c' },
    { "daily",    required_argument, NULL, 'd' },
    { NULL, 0, NULL, 0 }
};

static json_object *num(double v)
{
    return isnan(v) ? NULL : json_object_new_double(v);
}

static json_object *side_json(const struct jutsu_backtest_side *x)
{
    char a[JUTSU_MONEY_BUFSZ], b[JUTSU_MONEY_BUFSZ];
    json_object *o = json_object_new_object();
    jutsu_money_format(x->initial, a);
    jutsu_money_format(x->final_equity, b);
    json_object_object_add(o, "id", json_object_new_string(x->id));
    json_object_object_add(o, "initial_capital", json_object_new_string(a));
    json_object_object_add(o, "final_equity", json_object_new_string(b));
    json_object_object_add(o, "total_return", num(x->total_return));
    json_object_object_add(o, "cagr", num(x->cagr));
    json_object_object_add(o, "sharpe", num(x->sharpe));
    json_object_object_add(o, "sortino", num(x->sortino));
    json_object_object_add(o, "calmar", num(x->calmar));
    json_object_object_add(o, "max_drawdown", num(x->max_drawdown));
    json_object_object_add(o, "volatility", num(x->volatility));
    json_object_object_add(o, "trades", json_object_new_int(x->trades));
    json_object_object_add(o, "win_rate", num(x->win_rate));
    json_object_object_add(o, "days", json_object_new_int(x->days));
    json_object_object_add(o, "final_allocation", json_object_new_string(x->allocation));
    return o;
}

/* A ratio as a percent with 2 places, or as a number with 3. */
static void cell(char *buf, size_t n, double v, int pct)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.*f%s", pct ? 2 : 3, pct ? v * 100.0 : v, pct ? "%" : "");
}

static void row(const char *what, double s, double b, int has_b, int pct)
{
    char x[32], y[32];
    cell(x, sizeof(x), s, pct);
    cell(y, sizeof(y), has_b ? b : NAN, pct);
    printf("  %-16s %18s %18s\n", what, x, y);
}

static void print_text(const struct jutsu_backtest *r)
{
    char f[JUTSU_DATE_BUFSZ], t[JUTSU_DATE_BUFSZ], e1[JUTSU_MONEY_BUFSZ], e2[JUTSU_MONEY_BUFSZ];
    const struct jutsu_backtest_side *s = &r->strategy, *b = &r->baseline;
    jutsu_date_format(r->from, f);
    jutsu_date_format(r->to, t);
    jutsu_money_format(s->final_equity, e1);
    jutsu_money_format(b->final_equity, e2);
    printf("backtest %s, %s to %s (%d trading days)\n", s->id, f, t, s->days);
    printf("  %-16s %18s %18s\n", "", s->id, r->has_baseline ? b->id : "(no baseline)");
    printf("  %-16s %18s %18s\n", "final equity", e1, r->has_baseline ? e2 : "-");
    row("total return", s->total_return, b->total_return, r->has_baseline, 1);
    row("CAGR", s->cagr, b->cagr, r->has_baseline, 1);
    row("Sharpe", s->sharpe, b->sharpe, r->has_baseline, 0);
    row("Sortino", s->sortino, b->sortino, r->has_baseline, 0);
    row("Calmar", s->calmar, b->calmar, r->has_baseline, 0);
    row("max drawdown", s->max_drawdown, b->max_drawdown, r->has_baseline, 1);
    row("volatility", s->volatility, b->volatility, r->has_baseline, 1);
    printf("  %-16s %18d %18s\n", "trades", s->trades, "-");
    row("win rate", s->win_rate / 100.0, NAN, 0, 1);
    printf("  final allocation: %s\n", s->allocation);
}

/* The backtest refused: a strategy the config does not have is not found
 * (exit 1, with the nearest instance name); a range without a trading day
 * is a usage error. */
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

int jutsu_cmd_backtest(struct jutsu_cli *cli)
{
    struct bt_args a = { .o = { .strategy = NULL } };
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_parse(cli, bt_opts, bt_opt, &a);
    if (rc)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    if (a.o.strategy == NULL || a.o.from == 0 || a.o.to == 0)
        return jutsu_cli_usage(cli, "--strategy, --from and --to are required");
    if (a.o.from > a.o.to)
        return jutsu_cli_usage(cli, "--from is after --to");
    if ((rc = jutsu_cli_start_storage(cli, (1u << JUTSU_KIND_STRATEGY) | (1u << JUTSU_KIND_KPI),
                                      &s)) != 0)
        return rc;
    jutsu_dbs_close(s);
    FILE *daily = NULL;
    if (a.daily && (daily = fopen(a.daily, "w")) == NULL) {
        jutsu_cli_error("cannot write %s: %s", a.daily, strerror(errno));
        return JUTSU_EXIT_FAILURE;
    }
    a.o.daily = daily;
    struct jutsu_backtest r;
    rc = jutsu_backtest_run(cli->app, &a.o, &r);
    if (daily && fclose(daily) != 0 && rc == 0) {
        jutsu_cli_error("cannot write %s: %s", a.daily, strerror(errno));
        return JUTSU_EXIT_FAILURE;
    }
    if (rc != 0)
        return refused(cli, &r, rc, a.o.strategy);
    if (cli->format == JUTSU_FMT_JSON) {
        char f[JUTSU_DATE_BUFSZ], t[JUTSU_DATE_BUFSZ];
        jutsu_date_format(r.from, f);
        jutsu_date_format(r.to, t);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "from", json_object_new_string(f));
        json_object_object_add(o, "to", json_object_new_string(t));
        json_object_object_add(o, "strategy", side_json(&r.strategy));
        json_object_object_add(o, "baseline", r.has_baseline ? side_json(&r.baseline) : NULL);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        print_text(&r);
    }
    return JUTSU_EXIT_OK;
}
