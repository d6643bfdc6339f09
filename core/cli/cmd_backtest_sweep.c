/*
 * core/cli/cmd_backtest_sweep.c — `jutsu backtest --sweep`: every
 * combination of the axes' values, one jutsu_backtest_run each, on worker
 * threads (see sweep.h).
 *
 * Everything the command line can get wrong is refused before the first
 * run: an unknown parameter, a value of the wrong type or outside the
 * schema's range, a parameter swept twice or also given with --param, too
 * many combinations. What only a run can tell (the plugin refusing a
 * combination, sma_fast not below sma_slow) fails that row alone.
 *
 * Each run is independent (its own session, transaction and instance of
 * the strategy: backtest.h), so the workers share nothing but the index of
 * the next combination and the rows, each written by the one worker that
 * ran it. SIGINT and SIGTERM stop the handing out of combinations; the runs
 * under way finish (a backtest is not cut in the middle of a transaction).
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "cli/cli_suggest.h"
#include "cli/sweep.h"
#include "host/entities.h"
#include "trading/params.h"

const char *const jutsu_sweep_kpi_names[] = {
    "total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown", "volatility",
    "trades", "win_rate", "final_equity", NULL
};

enum jutsu_sweep_kpi jutsu_sweep_kpi_of(const char *name)
{
    for (int i = 0; jutsu_sweep_kpi_names[i]; i++)
        if (strcmp(jutsu_sweep_kpi_names[i], name) == 0)
            return (enum jutsu_sweep_kpi)(i + 1);
    return JUTSU_SWEEP_BY_NONE;
}

/* --- checks before any run ---------------------------------------------------- */

/* What the schema says a value of `k` may be, for a message. */
static void schema_range(const struct jutsu_cfg_key *k, char *buf, size_t n)
{
    const char *help = k->help ? k->help : "";
    switch (k->type) {
    case JUTSU_CFG_INT:
        if (k->min < k->max)
            snprintf(buf, n, "an integer, %lld..%lld", (long long)k->min, (long long)k->max);
        else
            snprintf(buf, n, "an integer");
        return;
    case JUTSU_CFG_DOUBLE: snprintf(buf, n, "a number (\"%s\")", help); return;
    case JUTSU_CFG_MONEY:  snprintf(buf, n, "a decimal amount"); return;
    case JUTSU_CFG_BOOL:   snprintf(buf, n, "true or false"); return;
    default:               snprintf(buf, n, "text (\"%s\")", help); return;
    }
}

/* An INT value against the schema's bounds (the plugin's init judges a
 * DOUBLE's, which the schema does not carry). */
static int int_in_range(const struct jutsu_cfg_key *k, const char *value)
{
    int64_t u;
    int places;
    if (k->type != JUTSU_CFG_INT || !(k->min < k->max))
        return 1;
    if (jutsu_sweep_decimal(value, &u, &places) != 0 || places != 0)
        return 1;   /* not an integer: the schema's validation says so */
    return u >= k->min && u <= k->max;
}

/* One axis: a parameter of the plugin that can be overridden, each value
 * one the schema takes (with the --params beside it, as a run has them). */
static int check_axis(struct jutsu_cli *cli, const struct jutsu_ctx *inst,
                      const struct jutsu_sweep_req *req, const struct jutsu_sweep_axis *ax)
{
    char err[1024], range[512];
    const struct jutsu_cfg_key *k = jutsu_params_key(inst, ax->name);
    struct jutsu_param *all = calloc(req->nfixed + 1, sizeof(*all));
    if (all == NULL) {
        jutsu_cli_error("out of memory");
        return JUTSU_EXIT_FAILURE;
    }
    for (size_t i = 0; i < req->nfixed; i++)
        all[i] = req->fixed[i];
    int rc = 0;
    if (k)
        schema_range(k, range, sizeof(range));
    if (k && ax->is_range && k->type != JUTSU_CFG_INT && k->type != JUTSU_CFG_DOUBLE)
        rc = jutsu_cli_usage(cli, "--sweep %s: a range needs a number parameter; %s is %s: "
                             "list its values (a,b)", ax->name, ax->name, range);
    else if (k && ax->is_range && k->type == JUTSU_CFG_INT && ax->places > 0)
        rc = jutsu_cli_usage(cli, "--sweep %s: %s is %s; a range of it takes whole numbers",
                             ax->name, ax->name, range);
    for (size_t i = 0; rc == 0 && i < ax->n; i++) {
        jutsu_cfg *cfg = NULL;
        jutsu_cfg_node *root;
        err[0] = '\0';
        all[req->nfixed] = (struct jutsu_param){ ax->name, ax->values[i] };
        int m = jutsu_params_merge(inst, all, req->nfixed + 1, &cfg, &root, err, sizeof(err));
        jutsu_cfg_free(cfg);
        if (m == JUTSU_ENOMEM) {
            jutsu_cli_error("out of memory");
            rc = JUTSU_EXIT_FAILURE;
        } else if (m != 0 && k == NULL) {
            rc = jutsu_cli_usage(cli, "--sweep %s", err);
        } else if (m != 0 || !int_in_range(k, ax->values[i])) {
            /* the schema's words, not the merge's (which names config_overrides) */
            rc = jutsu_cli_usage(cli, "--sweep %s=%s: %s is %s", ax->name, ax->values[i],
                                 ax->name, range);
        }
    }
    free(all);
    return rc;
}

/* The combinations' count, or a usage error naming it. */
static int count_rows(struct jutsu_cli *cli, const struct jutsu_sweep_req *req, size_t *n)
{
    unsigned long long c = 1;
    int stopped = 0;   /* the product stopped past the cap: c is a lower bound */
    for (size_t i = 0; i < req->naxes; i++) {
        /* c and n are each <= JUTSU_SWEEP_MAX before the product, so it
         * cannot wrap; once past the cap it stays past (10^4 ^ 8 would) */
        if (c <= JUTSU_SWEEP_MAX)
            c *= req->axes[i].n;
        else
            stopped = 1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(req->axes[j].name, req->axes[i].name) == 0)
                return jutsu_cli_usage(cli, "--sweep %s is given twice: give its values once "
                                       "(a,b,c or START:END:STEP)", req->axes[i].name);
        for (size_t j = 0; j < req->nfixed; j++)
            if (strcmp(req->fixed[j].name, req->axes[i].name) == 0)
                return jutsu_cli_usage(cli, "%s is both swept (--sweep) and fixed (--param): "
                                       "drop one", req->axes[i].name);
    }
    if (c > JUTSU_SWEEP_MAX)
        return jutsu_cli_usage(cli, "--sweep: %s%llu combinations; at most %d (narrow a "
                               "range, or take a larger step)", stopped ? "at least " : "",
                               c, JUTSU_SWEEP_MAX);
    *n = (size_t)c;
    return 0;
}

/* The strategy instance, or exit 1 saying the nearest one (as a plain
 * backtest does). */
static const struct jutsu_ctx *strategy_of(struct jutsu_cli *cli, const char *name)
{
    char err[512], hint[256] = "";
    const struct jutsu_ctx *inst = jutsu_params_strategy(cli->app, name, err, sizeof(err));
    struct jutsu_entities ents;
    if (inst)
        return inst;
    if (jutsu_entities_load(cli->app, &ents, err, sizeof(err)) == 0) {
        jutsu_cli_entity_hint(&ents, "strategy", name, hint, sizeof(hint));
        jutsu_entities_free(&ents);
    }
    jutsu_cli_error("no strategy instance \"%s\" in the config%s%s", name, hint[0] ? "; " : "",
                    hint);
    return NULL;
}

/* --- the live parameters ------------------------------------------------------ */

static const char *live_value(const struct jutsu_ctx *inst, const struct jutsu_param *act,
                              size_t nact, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < nact; i++)   /* the last active override of it wins */
        if (strcmp(act[i].name, name) == 0)
            v = act[i].value;
    return v ? v : jutsu_params_file_value(inst, name);
}

/* Marks the rows whose every value is the live one: the config's with its
 * active overrides. */
static int mark_live(jutsu_dbs *s, const struct jutsu_ctx *inst,
                     const struct jutsu_sweep_req *req, struct jutsu_sweep_row *rows, size_t n)
{
    struct jutsu_param *act = NULL;
    size_t nact = 0;
    int rc = jutsu_params_active(s, inst->name, &act, &nact);
    if (rc != 0)
        return rc;
    int fixed_live = 1;
    for (size_t i = 0; i < req->nfixed; i++)
        fixed_live &= jutsu_sweep_same(req->fixed[i].value,
                                       live_value(inst, act, nact, req->fixed[i].name));
    for (size_t r = 0; r < n; r++) {
        rows[r].live = fixed_live;
        for (size_t a = 0; a < req->naxes && rows[r].live; a++) {
            const struct jutsu_sweep_axis *ax = &req->axes[a];
            rows[r].live = jutsu_sweep_same(ax->values[rows[r].at[a]],
                                            live_value(inst, act, nact, ax->name));
        }
    }
    jutsu_params_free(act, nact);
    return 0;
}

/* --- the workers -------------------------------------------------------------- */

/* The signal that asked to stop (0: none). Lock-free, so a handler may set it. */
static atomic_int sweep_stop;

static void on_signal(int sig)
{
    static const char msg[] = "\njutsu: interrupted: the runs under way finish, no new one "
                              "starts (again to quit at once)\n";
    if (atomic_exchange(&sweep_stop, sig) != 0) {
        /* the default action ends the process as the signal says; if it
         * cannot be restored, end it as the shell would report it */
        if (signal(sig, SIG_DFL) == SIG_ERR || raise(sig) != 0)
            _exit(128 + sig);
        return;
    }
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
        return;   /* nothing more a handler can do */
}

struct sweep_run {
    struct jutsu_app             *app;
    const struct jutsu_sweep_req *req;
    struct jutsu_sweep_row       *rows;
    size_t                        nrows;
    atomic_size_t                 next;
    pthread_mutex_t               lock;       /* baseline, has_baseline, capital */
    struct jutsu_backtest_side    baseline;
    int                           has_baseline;
    jutsu_money_t                 capital;
};

static void run_row(struct sweep_run *w, struct jutsu_sweep_row *row,
                    struct jutsu_param *params)
{
    const struct jutsu_sweep_req *req = w->req;
    for (size_t a = 0; a < req->naxes; a++)
        params[req->nfixed + a] = (struct jutsu_param){ req->axes[a].name,
                                                        req->axes[a].values[row->at[a]] };
    struct jutsu_backtest_opts o = {
        .strategy = req->strategy, .from = req->from, .to = req->to, .capital = req->capital,
        .params = params, .nparams = req->nfixed + req->naxes,
    };
    struct jutsu_backtest r;
    int rc = jutsu_backtest_run(w->app, &o, &r);
    if (rc == 0) {
        row->strategy = r.strategy;
        row->state = JUTSU_SWEEP_DONE;
        if (pthread_mutex_lock(&w->lock) == 0) {
            if (!w->has_baseline && r.has_baseline) {
                w->baseline = r.baseline;
                w->has_baseline = 1;
            }
            w->capital = r.capital;
            pthread_mutex_unlock(&w->lock);
        }
    } else {
        row->error = strdup(r.error[0] ? r.error : jutsu_strerror(rc));
        row->state = JUTSU_SWEEP_FAILED;
    }
    jutsu_backtest_free(&r);
}

static void *worker(void *arg)
{
    struct sweep_run *w = arg;
    struct jutsu_param *params = calloc(w->req->nfixed + w->req->naxes, sizeof(*params));
    if (params == NULL)
        return NULL;   /* its rows are left to the other workers, or "not run" */
    for (size_t i = 0; i < w->req->nfixed; i++)
        params[i] = w->req->fixed[i];
    while (atomic_load(&sweep_stop) == 0) {
        size_t i = atomic_fetch_add(&w->next, 1);
        if (i >= w->nrows)
            break;
        run_row(w, &w->rows[i], params);
    }
    free(params);
    return NULL;
}

static unsigned threads_for(const struct jutsu_sweep_req *req, size_t nrows)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = req->jobs ? req->jobs : cores > 0 ? (unsigned)cores : 1;
    return n > nrows ? (unsigned)nrows : n;
}

/* Runs every row on `nthreads` workers (fewer if the system gives fewer;
 * this thread alone if it gives none): how many ran them. */
static unsigned run_all(struct sweep_run *w, unsigned nthreads)
{
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    atomic_store(&sweep_stop, 0);
    int got_int = sigaction(SIGINT, &sa, &old_int) == 0;
    int got_term = sigaction(SIGTERM, &sa, &old_term) == 0;
    pthread_t *tid = calloc(nthreads, sizeof(*tid));
    unsigned started = 0;
    while (tid && started < nthreads && pthread_create(&tid[started], NULL, worker, w) == 0)
        started++;
    if (started == 0)
        worker(w);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    free(tid);
    /* each put back only if it was taken (old_* is unset otherwise) */
    if (got_int)
        (void)sigaction(SIGINT, &old_int, NULL);
    if (got_term)
        (void)sigaction(SIGTERM, &old_term, NULL);
    return started ? started : 1;
}

/* --- the report's order ------------------------------------------------------- */

static double kpi_value(const struct jutsu_sweep_row *r, enum jutsu_sweep_kpi k)
{
    const struct jutsu_backtest_side *s = &r->strategy;
    if (r->state != JUTSU_SWEEP_DONE)
        return NAN;
    switch (k) {
    case JUTSU_SWEEP_BY_TOTAL_RETURN: return s->total_return;
    case JUTSU_SWEEP_BY_CAGR:         return s->cagr;
    case JUTSU_SWEEP_BY_SHARPE:       return s->sharpe;
    case JUTSU_SWEEP_BY_SORTINO:      return s->sortino;
    case JUTSU_SWEEP_BY_CALMAR:       return s->calmar;
    case JUTSU_SWEEP_BY_MAX_DRAWDOWN: return s->max_drawdown;   /* <= 0: the least first */
    case JUTSU_SWEEP_BY_VOLATILITY:   return s->volatility;
    case JUTSU_SWEEP_BY_TRADES:       return s->trades;
    case JUTSU_SWEEP_BY_WIN_RATE:     return s->win_rate;
    case JUTSU_SWEEP_BY_FINAL_EQUITY: return (double)s->final_equity;
    default:                          return NAN;
    }
}

static enum jutsu_sweep_kpi sort_kpi;   /* qsort takes no context; one thread sorts */

/* The best first (the highest value), rows without one last, ties in the
 * combinations' order. */
static int by_kpi(const void *a, const void *b)
{
    const struct jutsu_sweep_row *x = a, *y = b;
    double u = kpi_value(x, sort_kpi), v = kpi_value(y, sort_kpi);
    if (isnan(u) != isnan(v))
        return isnan(u) ? 1 : -1;
    if (!isnan(u) && u != v)
        return u > v ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* --- the command -------------------------------------------------------------- */

static int make_rows(const struct jutsu_sweep_req *req, size_t n, struct jutsu_sweep_row **out)
{
    struct jutsu_sweep_row *rows = calloc(n, sizeof(*rows));
    if (rows == NULL)
        return JUTSU_ENOMEM;
    for (size_t r = 0; r < n; r++) {
        size_t rest = r;
        rows[r].index = r;
        for (size_t a = req->naxes; a-- > 0; ) {   /* the last axis varies fastest */
            rows[r].at[a] = rest % req->axes[a].n;
            rest /= req->axes[a].n;
        }
    }
    *out = rows;
    return 0;
}

/* The checks that need the database: the strategy, the axes, the live
 * values. 0 or an exit code, said. */
static int prepare(struct jutsu_cli *cli, const struct jutsu_sweep_req *req,
                   struct jutsu_sweep_row *rows, size_t nrows)
{
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_start_storage(cli, (1u << JUTSU_KIND_STRATEGY) | (1u << JUTSU_KIND_KPI),
                                     &s);
    if (rc != 0)
        return rc;
    const struct jutsu_ctx *inst = strategy_of(cli, req->strategy);
    if (inst == NULL)
        rc = JUTSU_EXIT_FAILURE;
    for (size_t a = 0; rc == 0 && a < req->naxes; a++)
        rc = check_axis(cli, inst, req, &req->axes[a]);
    if (rc == 0 && mark_live(s, inst, req, rows, nrows) != 0) {
        jutsu_cli_db_error(s);
        rc = JUTSU_EXIT_FAILURE;
    }
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_backtest_sweep(struct jutsu_cli *cli, const struct jutsu_sweep_req *req)
{
    size_t nrows = 0;
    struct jutsu_sweep_row *rows = NULL;
    int rc = count_rows(cli, req, &nrows);
    if (rc != 0)
        return rc;
    if (make_rows(req, nrows, &rows) != 0) {
        jutsu_cli_error("out of memory");
        return JUTSU_EXIT_FAILURE;
    }
    struct sweep_run w = { .app = cli->app, .req = req, .rows = rows, .nrows = nrows,
                           .capital = req->capital };
    if ((rc = prepare(cli, req, rows, nrows)) != 0)
        goto done;
    w.app = cli->app;   /* loaded by prepare */
    if (pthread_mutex_init(&w.lock, NULL) != 0) {
        jutsu_cli_error("cannot start the sweep: out of resources");
        rc = JUTSU_EXIT_FAILURE;
        goto done;
    }
    atomic_init(&w.next, 0);
    struct jutsu_sweep_out out = { .req = req, .rows = rows, .nrows = nrows };
    out.threads = run_all(&w, threads_for(req, nrows));
    pthread_mutex_destroy(&w.lock);
    out.interrupted = atomic_load(&sweep_stop);
    out.baseline = w.baseline;
    out.has_baseline = w.has_baseline;
    out.capital = w.capital;
    for (size_t i = 0; i < nrows; i++) {
        out.failed += rows[i].state == JUTSU_SWEEP_FAILED;
        out.not_run += rows[i].state == JUTSU_SWEEP_NOT_RUN;
    }
    if (req->sort != JUTSU_SWEEP_BY_NONE) {
        sort_kpi = req->sort;
        qsort(rows, nrows, sizeof(*rows), by_kpi);
    }
    if (jutsu_sweep_print(cli, &out) != 0) {
        jutsu_cli_error("out of memory");
        rc = JUTSU_EXIT_FAILURE;
    } else {
        rc = out.interrupted ? 128 + out.interrupted
             : out.failed    ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
    }
done:
    for (size_t i = 0; i < nrows; i++)
        free(rows[i].error);
    free(rows);
    return rc;
}
