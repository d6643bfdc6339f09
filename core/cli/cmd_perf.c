/*
 * core/cli/cmd_perf.c — `jutsu perf show ENTITY`: an entity's daily_performance
 * rows, oldest first, as a table, CSV or JSON.
 *
 * CSV and JSON print every column of the row (the table a readable
 * subset), from one column table, so the two cannot disagree. The KPI
 * plugins' metrics of their own (jutsu/kpi.h) follow the fixed columns:
 * in the table and in CSV one column per name any row of the range has
 * (a first read of the range's `metrics` alone collects them), in JSON
 * each row's `metrics` object.
 */
#include <ctype.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "jutsu/kpi.h"
#include "cli/cli.h"
#include "base/json_writer.h"
#include "cli/cli_suggest.h"
#include "store/data_api.h"
#include "host/entities.h"
#include "store/store.h"

enum col_kind { C_DATE, C_TEXT, C_MONEY, C_FIX6, C_FIX2, C_FIX8, C_INT, C_BOOL, C_DBL, C_TIME };

struct col {
    const char   *name;
    enum col_kind kind;
    size_t        off;
};

#define F(n, k) { #n, k, offsetof(struct jutsu_daily_perf_row, n) }
static const struct col cols[] = {
    F(trading_date, C_DATE),       F(entity_type, C_TEXT),       F(entity_id, C_TEXT),
    F(mode, C_TEXT),               F(total_equity, C_MONEY),     F(cash, C_MONEY),
    F(positions_value, C_MONEY),   F(daily_return, C_FIX6),      F(cumulative_return, C_FIX6),
    F(drawdown, C_FIX6),           F(high_water_mark, C_MONEY),  F(sharpe_ratio, C_FIX6),
    F(sortino_ratio, C_FIX6),      F(calmar_ratio, C_FIX6),      F(max_drawdown, C_FIX6),
    F(volatility, C_FIX6),         F(cagr, C_FIX6),              F(win_rate, C_FIX2),
    F(total_trades, C_INT),        F(winning_trades, C_INT),     F(losing_trades, C_INT),
    F(strategy_cell, C_INT),       F(trend_state, C_TEXT),       F(vol_state, C_TEXT),
    F(t_norm, C_FIX6),             F(z_score, C_FIX6),           F(sma_fast, C_MONEY),
    F(sma_slow, C_MONEY),          F(baseline_symbol, C_TEXT),   F(initial_capital, C_MONEY),
    F(trading_days_count, C_INT),  F(days_since_previous, C_INT), F(is_first_day, C_BOOL),
    F(returns_count, C_INT),       F(returns_sum, C_FIX8),       F(returns_sum_sq, C_FIX8),
    F(downside_sum_sq, C_FIX8),    F(welford_count, C_INT),      F(welford_mean, C_DBL),
    F(welford_m2, C_DBL),          F(finalized_at, C_TIME),
};
#undef F
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* "%.*f" of v (trailing zeros dropped when `strip`), without printf's
 * float conversion, the largest cost of a row: 1, or 0 to use printf.
 * Most values were read as an integer over 10^places (the column's
 * scale); then that integer's digits are what printf rounds to. Else, or
 * where a double's spacing could reach half a place, or for -0, printf. */
static int fixed_digits(double v, int places, int strip, char *buf, size_t size)
{
    static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 };
    if (!(fabs(v) < 1e6) || size < 32 || places < 0 || places > 8)
        return 0;
    long long i = llround(v * pow10[places]);
    if ((double)i / pow10[places] != v || (i == 0 && signbit(v)))
        return 0;
    unsigned long long mag = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
    char tmp[32], *end = tmp + sizeof(tmp), *p = end;
    int zeros = strip;
    for (int k = 0; k < places; k++, mag /= 10) {
        if (zeros && mag % 10 == 0)
            continue;
        zeros = 0;
        *--p = (char)('0' + mag % 10);
    }
    if (p != end)
        *--p = '.';
    do {
        *--p = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (i < 0)
        *--p = '-';
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = '\0';
    return 1;
}

/* The value as text; "" for NULL. */
static const char *cell(const struct jutsu_daily_perf_row *r, const struct col *c, char *buf,
                        size_t n)
{
    const char *p = (const char *)r + c->off;
    buf[0] = '\0';
    switch (c->kind) {
    case C_DATE: jutsu_date_format(*(const jutsu_date_t *)p, buf); break;
    case C_TIME:
        if (*(const jutsu_time_t *)p)
            jutsu_time_format(*(const jutsu_time_t *)p, buf);
        break;
    case C_TEXT: snprintf(buf, n, "%s", *(const char *const *)p ? *(const char *const *)p : "");
        break;
    case C_MONEY:
        if (*(const jutsu_money_t *)p != JUTSU_MONEY_NULL)
            jutsu_jw_money_text(*(const jutsu_money_t *)p, buf);
        break;
    case C_INT:
        if (*(const int32_t *)p != JUTSU_INT_NULL)
            snprintf(buf, n, "%d", (int)*(const int32_t *)p);
        break;
    case C_BOOL:
        if (*(const int32_t *)p != JUTSU_INT_NULL)
            snprintf(buf, n, "%s", *(const int32_t *)p ? "true" : "false");
        break;
    case C_DBL:   /* running statistics: every digit */
        if (!isnan(*(const double *)p))
            snprintf(buf, n, "%.17g", *(const double *)p);
        break;
    default: {    /* NUMERIC(p, s): the column's places */
        double v = *(const double *)p;
        int places = c->kind == C_FIX2 ? 2 : c->kind == C_FIX8 ? 8 : 6;
        if (!isnan(v) && !fixed_digits(v, places, 0, buf, n))
            snprintf(buf, n, "%.*f", places, v);
    }
    }
    return buf;
}

/* The metric names of a range's rows, in the order first seen. */
#define MAX_METRICS (16 * JUTSU_KPI_MAX_METRICS)   /* JUTSU_KPI_MAX_INSTANCES of them */
struct metric_names {
    char   *v[MAX_METRICS];
    size_t  n;
    int     oom;
};

static int collect_names(const char *metrics, void *arg)
{
    struct metric_names *m = arg;
    json_object *o = json_tokener_parse(metrics);
    if (o && json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, key, val) {
            (void)val;
            size_t i = 0;
            while (i < m->n && strcmp(m->v[i], key) != 0)
                i++;
            if (i < m->n || m->n == MAX_METRICS)
                continue;
            if ((m->v[m->n] = strdup(key)) == NULL)
                m->oom = 1;
            else
                m->n++;
        }
    }
    json_object_put(o);
    return m->oom ? JUTSU_ENOMEM : 0;
}

static void names_free(struct metric_names *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i]);
    m->n = 0;
}

/* A row's metric `name`: 1 and *v, or 0 when the row has none (or null). */
static int metric_of(json_object *mets, const char *name, double *v)
{
    json_object *x = NULL;
    if (mets == NULL || !json_object_object_get_ex(mets, name, &x) || x == NULL)
        return 0;
    *v = json_object_get_double(x);
    return 1;
}

/* The shortest text that reads back as the same double. */
static void exact(char *buf, size_t n, double v)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
}

struct show {
    const struct jutsu_cli    *cli;
    int                        format;
    struct jutsu_jw           *jw;    /* JSON: written, not built as a tree */
    int                        unwritten;   /* stdout refused the JSON     */
    long                       n;
    const struct metric_names *names;
};

/* A NUMERIC(p, s) column's JSON text, as jutsu_json_ratio writes it:
 * rounded to the column's places, trailing zeros dropped, -0 as 0 (the
 * same steps, without a json-c object per cell). */
static void ratio_text(double v, int places, char *buf, size_t size)
{
    int n;
    if (fixed_digits(v, places, 1, buf, size))
        return;
    n = snprintf(buf, size, "%.*f", places, v);
    if (n <= 0 || (size_t)n >= size) {
        snprintf(buf, size, "null");
        return;
    }
    if (strchr(buf, '.') != NULL) {
        while (n > 1 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, size, "0");
}

/* One column's value, null for NULL: money, dates and text as strings
 * (money stays exact text), integers and ratios as numbers, a DOUBLE
 * PRECISION column (running statistics) as the shortest text that reads
 * back as the same double (0.1, not 0.10000000000000001). */
static void json_cell(struct jutsu_jw *w, const struct jutsu_daily_perf_row *r,
                      const struct col *c)
{
    char buf[64];
    const void *p = (const char *)r + c->off;
    if (c->kind == C_MONEY && *(const jutsu_money_t *)p != JUTSU_MONEY_NULL) {
        jutsu_jw_money(w, *(const jutsu_money_t *)p);
        return;
    }
    if (c->kind == C_DATE) {
        jutsu_jw_date(w, *(const jutsu_date_t *)p);
        return;
    }
    if ((c->kind == C_INT || c->kind == C_BOOL) && *(const int32_t *)p != JUTSU_INT_NULL) {
        if (c->kind == C_INT)
            jutsu_jw_int(w, *(const int32_t *)p);
        else
            jutsu_jw_bool(w, *(const int32_t *)p);
        return;
    }
    const char *text = c->kind == C_TEXT ? *(const char *const *)p : NULL;
    if (text && *text && strlen(text) < sizeof(buf)) {   /* a longer one is cut, below */
        jutsu_jw_str(w, text);
        return;
    }
    int real = c->kind == C_FIX6 || c->kind == C_FIX2 || c->kind == C_FIX8 || c->kind == C_DBL;
    /* a double is printed once, below: printf's float conversion is this
     * command's largest cost */
    if (real ? !isfinite(*(const double *)p) : cell(r, c, buf, sizeof(buf))[0] == '\0') {
        jutsu_jw_raw(w, "null");
        return;
    }
    switch (c->kind) {
    case C_INT: jutsu_jw_int(w, *(const int32_t *)p); return;
    case C_BOOL: jutsu_jw_bool(w, *(const int32_t *)p); return;
    case C_FIX6: ratio_text(*(const double *)p, 6, buf, sizeof(buf)); break;
    case C_FIX2: ratio_text(*(const double *)p, 2, buf, sizeof(buf)); break;
    case C_FIX8: ratio_text(*(const double *)p, 8, buf, sizeof(buf)); break;
    case C_DBL:  exact(buf, sizeof(buf), *(const double *)p); break;
    default: jutsu_jw_str(w, buf); return;
    }
    jutsu_jw_raw(w, buf);
}

/* A stored JSON text (NULL: null) as json-c prints it back: each double
 * in the text it was written with. Re-laid out without a parse when the
 * text is plain JSON, as ours is. */
static void json_stored(struct jutsu_jw *w, const char *text)
{
    if (text && jutsu_jw_stored(w, text) == 0)
        return;
    json_object *o = text ? json_tokener_parse(text) : NULL;
    jutsu_jw_json(w, o);
    json_object_put(o);
}

/* The metric columns of a table or CSV row, after the fixed ones. */
static void show_metrics(const struct show *sh, const struct jutsu_daily_perf_row *r)
{
    if (sh->names->n == 0)   /* no column to fill: no text to parse */
        return;
    json_object *mets = r->metrics ? json_tokener_parse(r->metrics) : NULL;
    char buf[40];
    for (size_t i = 0; i < sh->names->n; i++) {
        const char *name = sh->names->v[i];
        double v;
        int have = metric_of(mets, name, &v);
        if (sh->format == JUTSU_FMT_CSV) {   /* every digit, "" for null */
            if (have)
                exact(buf, sizeof(buf), v);
            printf(",%s", have ? buf : "");
        } else {
            int w = strlen(name) > 10 ? (int)strlen(name) : 10;
            if (have)
                snprintf(buf, sizeof(buf), "%.6g", v);
            printf(" %*s", w, have ? buf : "-");
        }
    }
    json_object_put(mets);
}

static int show_row(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *r = row;
    struct show *sh = arg;
    char buf[64];
    sh->n++;
    if (sh->format == JUTSU_FMT_CSV) {
        for (size_t i = 0; i < NCOLS; i++) {
            if (i)
                putchar(',');
            jutsu_cli_csv_field(stdout, cell(r, &cols[i], buf, sizeof(buf)));
        }
        putchar(',');
        jutsu_cli_csv_field(stdout, r->positions_json ? r->positions_json : "");
        show_metrics(sh, r);
        putchar('\n');
        return 0;
    }
    if (sh->format == JUTSU_FMT_JSON) {
        struct jutsu_jw *w = sh->jw;
        jutsu_jw_begin(w, '{');
        for (size_t i = 0; i < NCOLS; i++) {
            jutsu_jw_key(w, cols[i].name);
            json_cell(w, r, &cols[i]);
        }
        jutsu_jw_key(w, "positions");
        json_stored(w, r->positions_json);
        jutsu_jw_key(w, "metrics");
        json_stored(w, r->metrics && *r->metrics ? r->metrics : NULL);
        jutsu_jw_end(w, '}');
        /* out in pieces: a partial answer was printed before too */
        if (jutsu_jw_flush(w, stdout, 1 << 16) == 0)
            return 0;
        sh->unwritten = 1;
        return JUTSU_EIO;
    }
    char day[JUTSU_DATE_BUFSZ], eq[40], ret[16], cum[16], dd[16], mdd[16];
    char vol[16], cagr[16], sh_[16], so[16], ca[16], win[16];
    jutsu_date_format(r->trading_date, day);
    jutsu_cli_money(r->total_equity, 2, eq, sizeof(eq));
    jutsu_cli_pct(ret, sizeof(ret), r->daily_return);
    jutsu_cli_pct(cum, sizeof(cum), r->cumulative_return);
    jutsu_cli_pct(dd, sizeof(dd), r->drawdown);
    jutsu_cli_pct(mdd, sizeof(mdd), r->max_drawdown);
    jutsu_cli_pct(vol, sizeof(vol), r->volatility);
    jutsu_cli_pct(cagr, sizeof(cagr), r->cagr);
    jutsu_cli_ratio(sh_, sizeof(sh_), r->sharpe_ratio);
    jutsu_cli_ratio(so, sizeof(so), r->sortino_ratio);
    jutsu_cli_ratio(ca, sizeof(ca), r->calmar_ratio);
    if (isnan(r->win_rate))
        snprintf(win, sizeof(win), "-");
    else
        snprintf(win, sizeof(win), "%.2f%%", r->win_rate);
    if (r->strategy_cell == JUTSU_INT_NULL)
        snprintf(buf, sizeof(buf), "-");
    else
        snprintf(buf, sizeof(buf), "%d", (int)r->strategy_cell);
    /* a return's colour around its padded cell: the escapes take no column */
    const char *off = jutsu_cli_sgr(sh->cli, JUTSU_TONE_RESET);
    const char *t1 = jutsu_cli_sgr(sh->cli, jutsu_cli_tone_of(r->daily_return));
    const char *t2 = jutsu_cli_sgr(sh->cli, jutsu_cli_tone_of(r->cumulative_return));
    printf("%-10s %18s ", day, eq);
    jutsu_cli_cell(stdout, ret, 8, 1, t1, off);
    putchar(' ');
    jutsu_cli_cell(stdout, cum, 9, 1, t2, off);
    printf(" %8s %7s %7s %7s %8s %8s %8s %7s %4s", dd, sh_, so, ca, mdd, vol, cagr, win, buf);
    show_metrics(sh, r);
    putchar('\n');
    return 0;
}

struct perf_args {
    const char  *type, *mode;
    jutsu_date_t from, to;
};

static int perf_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct perf_args *a = ud;
    switch (c) {
    case 't':
        if (strcmp(arg, "strategy") != 0 && strcmp(arg, "baseline") != 0)
            return jutsu_cli_usage(cli, "--type %s: use strategy or baseline", arg);
        a->type = arg;
        return 0;
    case 'm':
        if (strcmp(arg, "offline_mock") != 0 && strcmp(arg, "online_live") != 0)
            return jutsu_cli_usage(cli, "--mode %s: use offline_mock or online_live", arg);
        a->mode = arg;
        return 0;
    case 'f': return jutsu_cli_date_arg(cli, "from", arg, &a->from);
    case 'T': return jutsu_cli_date_arg(cli, "to", arg, &a->to);
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option perf_opts[] = {
    { "type", required_argument, NULL, 't' },
    { "mode", required_argument, NULL, 'm' },
    { "from", required_argument, NULL, 'f' },
    { "to",   required_argument, NULL, 'T' },
    { NULL, 0, NULL, 0 }
};

int jutsu_cmd_perf_show(struct jutsu_cli *cli)
{
    struct perf_args a = { 0 };
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_parse(cli, perf_opts, perf_opt, &a);
    if (rc || (rc = jutsu_cli_date_range(cli, a.from, a.to)) != 0)
        return rc;
    if (cli->argc != 2)
        return jutsu_cli_usage(cli, "name one entity (a strategy instance or a baseline id)");
    if ((rc = jutsu_cli_start_storage(cli, 0, &s)) != 0)
        return rc;
    const char *id = cli->argv[1];
    struct jutsu_entities ents;
    char err[512] = "";
    if ((rc = jutsu_entities_load(cli->app, &ents, err, sizeof(err))) != 0) {
        jutsu_cli_error("%s", err[0] ? err : jutsu_strerror(rc));
        jutsu_dbs_close(s);
        return JUTSU_EXIT_CONFIG;
    }
    int ambiguous = 0;
    const struct jutsu_entity *e = jutsu_entities_find(&ents, id, a.type, &ambiguous);
    const char *type = a.type ? a.type : e ? e->type_name : NULL;
    const char *mode = a.mode ? a.mode : e ? e->mode : "offline_mock";
    if (ambiguous && a.type == NULL) {
        jutsu_entities_free(&ents);
        jutsu_dbs_close(s);
        return jutsu_cli_usage(cli, "%s is both a strategy and a baseline: add --type", id);
    }
    if (type == NULL) {   /* not found: exit 1, like every name the config lacks */
        char hint[256];
        jutsu_cli_entity_hint(&ents, NULL, id, hint, sizeof(hint));
        jutsu_cli_error("%s is neither a strategy instance nor a baseline of %s; %s (--type "
                        "strategy|baseline reads the rows of one no longer configured)", id,
                        cli->config_path, hint);
        jutsu_entities_free(&ents);
        jutsu_dbs_close(s);
        return JUTSU_EXIT_FAILURE;
    }
    jutsu_date_t from = a.from ? a.from : jutsu_date_from_ymd(1900, 1, 1);
    jutsu_date_t to = a.to ? a.to : jutsu_date_from_ymd(9999, 12, 31);
    struct metric_names names = { .n = 0 };
    struct jutsu_jw jw;
    struct show sh = { .cli = cli, .format = cli->format, .names = &names, .jw = &jw };
    jutsu_jw_init(&jw, 0);   /* JSON_C_TO_STRING_NOSLASHESCAPE, as before */
    if (cli->format != JUTSU_FMT_JSON &&
        (rc = jutsu_data_daily_perf_metrics(s, type, id, mode, from, to, collect_names,
                                            &names)) != 0) {
        if (rc != JUTSU_ENOMEM)
            jutsu_cli_db_error(s);
        else
            jutsu_cli_error("out of memory reading the rows' metrics");
        names_free(&names);
        jutsu_entities_free(&ents);
        jutsu_dbs_close(s);
        return JUTSU_EXIT_FAILURE;
    }
    if (cli->format == JUTSU_FMT_JSON) {
        jutsu_jw_begin(&jw, '[');
    } else if (cli->format == JUTSU_FMT_CSV) {
        for (size_t i = 0; i < NCOLS; i++)
            printf("%s,", cols[i].name);
        printf("positions_json");
        for (size_t i = 0; i < names.n; i++)
            printf(",%s", names.v[i]);
        putchar('\n');
    } else {
        printf("%s%-10s %18s %8s %9s %8s %7s %7s %7s %8s %8s %8s %7s %4s",
               jutsu_cli_sgr(cli, JUTSU_TONE_BOLD), "DATE", "EQUITY", "RETURN", "CUMUL",
               "DRAWDOWN", "SHARPE", "SORTINO", "CALMAR", "MAX DD", "VOL", "CAGR", "WIN", "CELL");
        for (size_t i = 0; i < names.n; i++) {   /* a metric's column: its name, upper case */
            char head[JUTSU_KPI_METRIC_NAME_MAX + 1];
            size_t len = strlen(names.v[i]), j = 0;
            for (; j < len && j < JUTSU_KPI_METRIC_NAME_MAX; j++)
                head[j] = (char)toupper((unsigned char)names.v[i][j]);
            head[j] = '\0';
            printf(" %*s", len > 10 ? (int)len : 10, head);
        }
        printf("%s\n", jutsu_cli_sgr(cli, JUTSU_TONE_RESET));
    }
    rc = jutsu_data_daily_perf_range(s, type, id, mode, from, to, show_row, &sh);
    if (cli->format == JUTSU_FMT_JSON && !sh.unwritten) {   /* even when the read failed */
        jutsu_jw_end(&jw, ']');
        sh.unwritten = jutsu_jw_write(&jw, stdout) != 0;
    }
    if (sh.unwritten)
        jutsu_cli_error("cannot write the rows: %s", jw.oom ? jutsu_strerror(JUTSU_ENOMEM)
                        : "stdout refused them");
    else if (rc)
        jutsu_cli_db_error(s);
    jutsu_jw_free(&jw);
    if (rc == 0 && sh.n == 0 && cli->format == JUTSU_FMT_TEXT)
        fprintf(stderr, "jutsu: no rows of %s %s (%s) in that range: the EOD job has not "
                "finalised it (`jutsu eod run`, `jutsu eod backfill --from DATE`)\n", type, id,
                mode);
    names_free(&names);
    jutsu_entities_free(&ents);
    jutsu_dbs_close(s);
    return rc || sh.unwritten ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}
