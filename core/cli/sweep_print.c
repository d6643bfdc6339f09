/*
 * core/cli/sweep_print.c — a sweep's report: a table for a person, JSON
 * and CSV for a program (see sweep.h).
 *
 * A combination's figures are taken from jutsu_backtest_json's "strategy"
 * member, so that they are those of a plain `jutsu backtest --format json`
 * with the same parameters to the last digit, rounded the same way.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "cli/sweep.h"

/* A run's members, in order, after its parameters (CSV's columns too). */
static const char *const kpi_keys[] = {
    "total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown", "volatility",
    "trades", "win_rate", "final_equity", "days", "final_allocation", NULL
};

/* The SIDE object of jutsu_backtest_json, or NULL (no memory). */
static json_object *side_json(const struct jutsu_backtest_side *side)
{
    struct jutsu_backtest r;
    memset(&r, 0, sizeof(r));
    r.strategy = *side;
    json_object *all = jutsu_backtest_json(&r, NULL, 0), *s = NULL;
    if (all && json_object_object_get_ex(all, "strategy", &s))
        json_object_get(s);
    json_object_put(all);
    return s;
}

static const char *why_not(const struct jutsu_sweep_row *row)
{
    if (row->state == JUTSU_SWEEP_FAILED)
        return row->error ? row->error : "failed (out of memory saying why)";
    return row->state == JUTSU_SWEEP_NOT_RUN ? "not run: the sweep was interrupted" : NULL;
}

/* One combination: {parameters, live, error, KPIs...}; NULL (no memory). */
static json_object *row_json(const struct jutsu_sweep_req *req, const struct jutsu_sweep_row *row)
{
    json_object *o = json_object_new_object(), *p = json_object_new_object();
    json_object *side = row->state == JUTSU_SWEEP_DONE ? side_json(&row->strategy) : NULL;
    int bad = o == NULL || p == NULL || (row->state == JUTSU_SWEEP_DONE && side == NULL);
    for (size_t a = 0; !bad && a < req->naxes; a++)
        bad = jutsu_json_add(p, req->axes[a].name,
                             json_object_new_string(req->axes[a].values[row->at[a]])) != 0;
    if (!bad)
        bad = jutsu_json_add(o, "parameters", p) != 0;
    else
        json_object_put(p);
    if (!bad)
        bad = jutsu_json_add(o, "live", json_object_new_boolean(row->live)) != 0;
    const char *why = why_not(row);
    if (!bad && (why ? jutsu_json_add(o, "error", json_object_new_string(why))
                     : json_object_object_add(o, "error", NULL)) != 0)
        bad = 1;
    for (size_t k = 0; !bad && kpi_keys[k]; k++) {
        json_object *v = NULL;
        if (side && json_object_object_get_ex(side, kpi_keys[k], &v))
            json_object_get(v);
        bad = json_object_object_add(o, kpi_keys[k], v) != 0;
        if (bad)
            json_object_put(v);
    }
    json_object_put(side);
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* --- JSON ----------------------------------------------------------------------- */

static json_object *head_json(const struct jutsu_sweep_out *out)
{
    const struct jutsu_sweep_req *req = out->req;
    json_object *o = json_object_new_object(), *fixed = json_object_new_object();
    json_object *axes = json_object_new_array();
    int bad = o == NULL || fixed == NULL || axes == NULL;
    for (size_t i = 0; !bad && i < req->nfixed; i++)
        bad = jutsu_json_add(fixed, req->fixed[i].name,
                             json_object_new_string(req->fixed[i].value)) != 0;
    for (size_t a = 0; !bad && a < req->naxes; a++) {
        json_object *ax = json_object_new_object(), *vals = json_object_new_array();
        bad = ax == NULL || vals == NULL || json_object_array_add(axes, ax) != 0;
        if (bad) {
            json_object_put(ax);
            json_object_put(vals);
            break;
        }
        for (size_t i = 0; !bad && i < req->axes[a].n; i++)
            bad = json_object_array_add(vals,
                                        json_object_new_string(req->axes[a].values[i])) != 0;
        bad |= jutsu_json_add(ax, "name", json_object_new_string(req->axes[a].name)) != 0;
        bad |= jutsu_json_add(ax, "values", vals) != 0;
    }
    if (bad) {
        json_object_put(o);
        json_object_put(fixed);
        json_object_put(axes);
        return NULL;
    }
    jutsu_json_add(o, "strategy", json_object_new_string(req->strategy));
    jutsu_json_add(o, "from", jutsu_json_date(req->from));
    jutsu_json_add(o, "to", jutsu_json_date(req->to));
    json_object_object_add(o, "capital", jutsu_json_money(out->capital));
    jutsu_json_add(o, "parameters", fixed);
    jutsu_json_add(o, "sweep", axes);
    jutsu_json_add(o, "combinations", json_object_new_int64((int64_t)out->nrows));
    jutsu_json_add(o, "threads", json_object_new_int((int)out->threads));
    jutsu_json_add(o, "failed", json_object_new_int64((int64_t)out->failed));
    jutsu_json_add(o, "not_run", json_object_new_int64((int64_t)out->not_run));
    jutsu_json_add(o, "interrupted", json_object_new_boolean(out->interrupted != 0));
    json_object_object_add(o, "sort", req->sort ? json_object_new_string(
                               jutsu_sweep_kpi_names[req->sort - 1]) : NULL);
    json_object_object_add(o, "baseline", out->has_baseline ? side_json(&out->baseline)
                                                            : NULL);
    return o;
}

static int print_json(const struct jutsu_sweep_out *out)
{
    json_object *o = head_json(out), *runs = json_object_new_array();
    if (o == NULL || runs == NULL || jutsu_json_add(o, "runs", runs) != 0) {
        json_object_put(o);
        return JUTSU_ENOMEM;
    }
    for (size_t i = 0; i < out->nrows; i++) {
        json_object *row = row_json(out->req, &out->rows[i]);
        if (row == NULL || json_object_array_add(runs, row) != 0) {
            json_object_put(row);
            json_object_put(o);
            return JUTSU_ENOMEM;
        }
    }
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return 0;
}

/* --- CSV (RFC 4180, as `backtest --trades` writes it) ---------------------------- */

static void csv_value(json_object *v)
{
    if (v == NULL)
        return;
    if (json_object_is_type(v, json_type_string))
        jutsu_cli_csv_field(stdout, json_object_get_string(v));
    else
        fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), stdout);
}

static int print_csv(const struct jutsu_sweep_out *out)
{
    const struct jutsu_sweep_req *req = out->req;
    for (size_t a = 0; a < req->naxes; a++) {
        jutsu_cli_csv_field(stdout, req->axes[a].name);
        fputc(',', stdout);
    }
    fputs("live,error", stdout);
    for (size_t k = 0; kpi_keys[k]; k++)
        printf(",%s", kpi_keys[k]);
    fputs("\r\n", stdout);
    for (size_t i = 0; i < out->nrows; i++) {
        json_object *o = row_json(req, &out->rows[i]), *v;
        if (o == NULL)
            return JUTSU_ENOMEM;
        for (size_t a = 0; a < req->naxes; a++) {
            jutsu_cli_csv_field(stdout, req->axes[a].values[out->rows[i].at[a]]);
            fputc(',', stdout);
        }
        fputs(out->rows[i].live ? "true," : "false,", stdout);
        csv_value(json_object_object_get_ex(o, "error", &v) ? v : NULL);
        for (size_t k = 0; kpi_keys[k]; k++) {
            fputc(',', stdout);
            csv_value(json_object_object_get_ex(o, kpi_keys[k], &v) ? v : NULL);
        }
        fputs("\r\n", stdout);
        json_object_put(o);
    }
    return 0;
}

/* --- the table ------------------------------------------------------------------ */

static void print_head(const struct jutsu_cli *cli, const struct jutsu_sweep_out *out)
{
    const struct jutsu_sweep_req *req = out->req;
    char f[JUTSU_DATE_BUFSZ], t[JUTSU_DATE_BUFSZ], cap[40], e[40];
    char tr[32], cagr[32], sh[32], so[32], ca[32], dd[32];
    int days = 0;
    for (size_t i = 0; i < out->nrows && days == 0; i++)
        if (out->rows[i].state == JUTSU_SWEEP_DONE)
            days = out->rows[i].strategy.days;
    char span[40] = "no run finished";
    if (days > 0)
        snprintf(span, sizeof(span), "%d trading days", days);
    jutsu_date_format(req->from, f);
    jutsu_date_format(req->to, t);
    printf("%ssweep %s, %s to %s (%s): %zu combination%s on %u thread%s%s\n",
           jutsu_cli_sgr(cli, JUTSU_TONE_BOLD), req->strategy, f, t, span, out->nrows,
           out->nrows == 1 ? "" : "s", out->threads, out->threads == 1 ? "" : "s",
           jutsu_cli_sgr(cli, JUTSU_TONE_RESET));
    if (out->capital > 0)
        printf("  starting capital: %s\n", jutsu_cli_money(out->capital, 2, cap, sizeof(cap)));
    for (size_t i = 0; i < req->nfixed; i++)
        printf("%s%s=%s", i ? ", " : "  in every run: ", req->fixed[i].name, req->fixed[i].value);
    if (req->nfixed)
        putchar('\n');
    if (!out->has_baseline) {
        if (days > 0)
            printf("  baseline: none in the config\n");
        return;
    }
    const struct jutsu_backtest_side *b = &out->baseline;
    jutsu_cli_pct(tr, sizeof(tr), b->total_return);
    jutsu_cli_pct(cagr, sizeof(cagr), b->cagr);
    jutsu_cli_ratio(sh, sizeof(sh), b->sharpe);
    jutsu_cli_ratio(so, sizeof(so), b->sortino);
    jutsu_cli_ratio(ca, sizeof(ca), b->calmar);
    jutsu_cli_pct(dd, sizeof(dd), b->max_drawdown);
    printf("  baseline %s: total return %s, CAGR %s, Sharpe %s, Sortino %s, Calmar %s,\n"
           "    max drawdown %s, final equity %s\n", b->id, tr, cagr, sh, so, ca, dd,
           jutsu_cli_money(b->final_equity, 2, e, sizeof(e)));
}

#define NKPI 9

static int add_row(struct jutsu_tbl *tb, const struct jutsu_sweep_req *req,
                   const struct jutsu_sweep_row *row, size_t ncols, int with_error)
{
    char kpi[NKPI][40];
    const char **cells = calloc(ncols, sizeof(*cells));
    enum jutsu_cli_tone *tones = calloc(ncols, sizeof(*tones));
    if (cells == NULL || tones == NULL) {
        free(cells);
        free(tones);
        return -1;
    }
    const struct jutsu_backtest_side *s = &row->strategy;
    size_t c = 0;
    cells[c++] = row->live ? "*" : "";
    for (size_t a = 0; a < req->naxes; a++)
        cells[c++] = req->axes[a].values[row->at[a]];
    if (row->state == JUTSU_SWEEP_DONE) {
        jutsu_cli_pct(kpi[0], sizeof(kpi[0]), s->total_return);
        jutsu_cli_pct(kpi[1], sizeof(kpi[1]), s->cagr);
        jutsu_cli_ratio(kpi[2], sizeof(kpi[2]), s->sharpe);
        jutsu_cli_ratio(kpi[3], sizeof(kpi[3]), s->sortino);
        jutsu_cli_ratio(kpi[4], sizeof(kpi[4]), s->calmar);
        jutsu_cli_pct(kpi[5], sizeof(kpi[5]), s->max_drawdown);
        snprintf(kpi[6], sizeof(kpi[6]), "%d", (int)s->trades);
        jutsu_cli_pct(kpi[7], sizeof(kpi[7]), s->win_rate / 100.0);
        jutsu_cli_money(s->final_equity, 2, kpi[8], sizeof(kpi[8]));
        tones[c] = jutsu_cli_tone_of(s->total_return);
        tones[c + 1] = jutsu_cli_tone_of(s->cagr);
    } else {
        for (int k = 0; k < NKPI; k++)
            snprintf(kpi[k], sizeof(kpi[k]), "-");
    }
    for (int k = 0; k < NKPI; k++)
        cells[c++] = kpi[k];
    if (with_error) {
        cells[c] = why_not(row);
        tones[c] = row->state == JUTSU_SWEEP_FAILED ? JUTSU_TONE_BAD : JUTSU_TONE_DIM;
    }
    int rc = jutsu_tbl_add(tb, cells, tones);
    free(cells);
    free(tones);
    return rc;
}

static int print_table(const struct jutsu_cli *cli, const struct jutsu_sweep_out *out)
{
    static const char *const titles[NKPI] = {
        "TOTAL RETURN", "CAGR", "SHARPE", "SORTINO", "CALMAR", "MAX DRAWDOWN", "TRADES",
        "WIN RATE", "FINAL EQUITY" };
    const struct jutsu_sweep_req *req = out->req;
    int with_error = out->failed + out->not_run > 0, any_live = 0;
    size_t ncols = 1 + req->naxes + NKPI + (size_t)with_error, c = 0;
    struct jutsu_tbl_col *cols = calloc(ncols, sizeof(*cols));
    struct jutsu_tbl tb;
    if (cols == NULL)
        return JUTSU_ENOMEM;
    cols[c++] = (struct jutsu_tbl_col){ "", 0 };
    for (size_t a = 0; a < req->naxes; a++)
        cols[c++] = (struct jutsu_tbl_col){ req->axes[a].name, 1 };
    for (int k = 0; k < NKPI; k++)
        cols[c++] = (struct jutsu_tbl_col){ titles[k], 1 };
    if (with_error)
        cols[c] = (struct jutsu_tbl_col){ "ERROR", 0 };
    int rc = jutsu_tbl_init(&tb, cols, ncols);
    for (size_t i = 0; rc == 0 && i < out->nrows; i++) {
        rc = add_row(&tb, req, &out->rows[i], ncols, with_error);
        any_live |= out->rows[i].live;
    }
    if (rc == 0) {
        print_head(cli, out);
        putchar('\n');
        jutsu_tbl_print(&tb, cli, stdout, "  ");
        printf("\n  %s\n", any_live ? "* the live parameters (the config with its active "
                                      "overrides)"
                                    : "(no combination has the live parameters)");
        if (req->sort)
            printf("  sorted by %s, the highest first\n", jutsu_sweep_kpi_names[req->sort - 1]);
        if (out->failed)
            printf("  %zu of %zu combinations failed\n", out->failed, out->nrows);
        if (out->not_run)
            printf("  interrupted: %zu of %zu combinations not run\n", out->not_run, out->nrows);
        printf("%s  The best row was chosen on the history it is measured on, so it overfits:\n"
               "  run it over a later period than --to before trusting it.%s\n",
               jutsu_cli_sgr(cli, JUTSU_TONE_DIM), jutsu_cli_sgr(cli, JUTSU_TONE_RESET));
    }
    jutsu_tbl_free(&tb);
    free(cols);
    return rc == 0 ? 0 : JUTSU_ENOMEM;
}

int jutsu_sweep_print(const struct jutsu_cli *cli, const struct jutsu_sweep_out *out)
{
    switch (cli->format) {
    case JUTSU_FMT_JSON: return print_json(out);
    case JUTSU_FMT_CSV:  return print_csv(out);
    default:             return print_table(cli, out);
    }
}
