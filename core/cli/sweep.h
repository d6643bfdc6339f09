/*
 * core/cli/sweep.h — `jutsu backtest --sweep`: one backtest per combination
 * of parameter values, on worker threads, printed as one row each.
 *
 * An axis is one --sweep NAME=SPEC: a list `a,b,c` (the values as written,
 * any type the parameter takes) or a range `a:b:step` of decimals computed
 * exactly (scaled integers, never a double: 0.8:1.4:0.1 is seven values,
 * 0.8 to 1.4). The combinations are the cartesian product of the axes, the
 * last axis varying fastest. sweep_range.c parses; cmd_backtest_sweep.c
 * checks the axes against the strategy's schema and runs; sweep_print.c
 * prints. Nothing here is used outside the cli room.
 */
#ifndef JUTSU_CORE_CLI_SWEEP_H
#define JUTSU_CORE_CLI_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "jobs/backtest.h"

/* The most combinations one sweep runs (and so the most values of one
 * axis): at 0.1 s a run and two cores, about 8 minutes. */
#define JUTSU_SWEEP_MAX 10000
/* The most --sweep options of one command. */
#define JUTSU_SWEEP_MAX_AXES 8

struct jutsu_sweep_axis {
    char   *name;       /* the parameter                                    */
    char  **values;     /* n texts, as the run hands them to the plugin     */
    size_t  n;
    int     is_range;   /* from a:b:step: every value a decimal of `places` */
    int     places;
};

/*
 * Parses `arg`, "NAME=a:b:step" or "NAME=a,b,c", into *ax (its strings the
 * axis's own; free with jutsu_sweep_axis_free, after a failure too).
 * Refuses, with why in err (naming the parameter): a missing name or
 * value, an empty list item or one given twice, a range that is not three
 * decimals, a step of 0 or below, a start above the end, more than
 * JUTSU_SWEEP_MAX values. 0 or JUTSU_EINVAL (JUTSU_ENOMEM: no memory).
 */
int  jutsu_sweep_axis_parse(const char *arg, struct jutsu_sweep_axis *ax, char *err,
                            size_t errsz);
void jutsu_sweep_axis_free(struct jutsu_sweep_axis *ax);

/* A decimal "[-+]digits[.digits]" (at most 18 digits) as *units of
 * 10^-*places: 0, or -1 when `s` is not one. */
int  jutsu_sweep_decimal(const char *s, int64_t *units, int *places);

/* Whether two parameter values mean the same: equal decimals ("1.0" and
 * "1"), the same truth ("true" and "yes"), else the same text. */
int  jutsu_sweep_same(const char *a, const char *b);

/* --- the run and its report -------------------------------------------------- */

enum jutsu_sweep_kpi {
    JUTSU_SWEEP_BY_NONE = 0, JUTSU_SWEEP_BY_TOTAL_RETURN, JUTSU_SWEEP_BY_CAGR,
    JUTSU_SWEEP_BY_SHARPE, JUTSU_SWEEP_BY_SORTINO, JUTSU_SWEEP_BY_CALMAR,
    JUTSU_SWEEP_BY_MAX_DRAWDOWN, JUTSU_SWEEP_BY_VOLATILITY, JUTSU_SWEEP_BY_TRADES,
    JUTSU_SWEEP_BY_WIN_RATE, JUTSU_SWEEP_BY_FINAL_EQUITY
};

/* --sort's names ("sharpe"), in the enum's order from TOTAL_RETURN on. */
extern const char *const jutsu_sweep_kpi_names[];
/* The KPI called `name`, or JUTSU_SWEEP_BY_NONE. */
enum jutsu_sweep_kpi jutsu_sweep_kpi_of(const char *name);

/* What the command line asked for. */
struct jutsu_sweep_req {
    const char               *strategy;
    jutsu_date_t              from, to;
    jutsu_money_t             capital;      /* 0: the strategy's initial_capital */
    const struct jutsu_param *fixed;        /* --param: the same in every run    */
    size_t                    nfixed;
    struct jutsu_sweep_axis  *axes;
    size_t                    naxes;
    unsigned                  jobs;         /* 0: the online cores               */
    enum jutsu_sweep_kpi      sort;         /* NONE: the combinations' order     */
};

enum jutsu_sweep_state { JUTSU_SWEEP_NOT_RUN = 0, JUTSU_SWEEP_DONE, JUTSU_SWEEP_FAILED };

/* One combination: its values (index into each axis), its outcome. */
struct jutsu_sweep_row {
    size_t                     index;       /* in the combinations' order        */
    size_t                     at[JUTSU_SWEEP_MAX_AXES];
    int                        live;        /* every value is the live one's     */
    int                        state;       /* enum jutsu_sweep_state            */
    struct jutsu_backtest_side strategy;    /* DONE                              */
    char                      *error;       /* FAILED: why (malloc'd)            */
};

/* The sweep as run, for the printer. */
struct jutsu_sweep_out {
    const struct jutsu_sweep_req *req;
    struct jutsu_sweep_row       *rows;     /* nrows, sorted as req->sort says   */
    size_t                        nrows;
    unsigned                      threads;
    jutsu_money_t                 capital;  /* as the runs had it                */
    struct jutsu_backtest_side    baseline; /* has_baseline: of the first done   */
    int                           has_baseline;
    size_t                        failed, not_run;
    int                           interrupted;  /* the signal that stopped it, or 0 */
};

/* Runs `req` (the axes already parsed) and prints it in cli->format. The
 * exit code: 0; 1 when a combination failed; 128 + the signal when
 * interrupted (SIGINT 130, SIGTERM 143: the runs under way finish, no new
 * one starts, the rows that ran are printed); 2, a usage error, 3, the
 * config's, before any run. */
int jutsu_backtest_sweep(struct jutsu_cli *cli, const struct jutsu_sweep_req *req);

/* The report (sweep_print.c), in cli->format: 0 or JUTSU_ENOMEM. */
int jutsu_sweep_print(const struct jutsu_cli *cli, const struct jutsu_sweep_out *out);

#endif
