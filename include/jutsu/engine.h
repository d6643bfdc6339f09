/*
 * jutsu/engine.h — what the host knows and can do beyond the tables: the
 * configured entities, a strategy's parameters and last state, the market
 * data's shape, the scheduler, the effective config, jobs run on request,
 * backtests, and the metrics registry. A frontend turns these into routes;
 * the CLI calls the same functions underneath (one code path).
 *
 * A frontend gets the table from host->engine(ctx) (ABI 1.3); NULL when the
 * host runs without an engine (`config check`, the plugin test harness).
 *
 * Answers, as in jutsu/session.h: every call that takes `out` sets *out
 * (the caller puts it) on return: on success the body to send, on failure
 * an error object {"code", "message", "hint"?}. Return codes map to HTTP:
 * 0 (200), JUTSU_EINVAL (400, the message names the parameter),
 * JUTSU_ENOENT (404), JUTSU_EBUSY (409: a run of that job is going),
 * JUTSU_EFULL (429/503: too many backtests at once), JUTSU_ETIMEDOUT
 * (a backtest ran past its bound), others (500).
 *
 * Values in answers: money as exact decimal strings ("12345.678900"),
 * ratios as numbers rounded to their column's precision, dates
 * "YYYY-MM-DD", instants RFC 3339 UTC ("2025-01-09T21:15:00Z").
 *
 * `by` names the caller for the audit trail (config_history.changed_by,
 * job runs): a username, or "cli".
 *
 * Threading: every call may be made from any thread at once; each opens
 * the data sessions it needs.
 */
#ifndef JUTSU_ENGINE_H
#define JUTSU_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/buf.h"
#include "jutsu/plugin.h"

struct json_object;

struct jutsu_engine {
    uint32_t size;

    /* --- what the config declares --------------------------------------- */

    /* [{id, type: "strategy"|"baseline", plugin?, mode?, symbol?,
     *   primary: bool, initial_capital}] in config order; the primary
     * strategy is the first strategy instance (the original's "primary"). */
    int (*entities)(jutsu_ctx *ctx, struct json_object **out);
    /* {id, plugin, mode, primary, initial_capital, parameters: [{name,
     * type, value (in effect), file_value, override?: {value, reason,
     * created_at}}]}. id "primary" names the primary strategy. */
    int (*strategy)(jutsu_ctx *ctx, const char *id, struct json_object **out);
    /* The last run's state of a strategy (from its newest snapshot or
     * daily_performance row): {strategy, mode, date, cell, trend_state,
     * vol_state, t_norm, z_score, indicators: {sma_fast, sma_slow, ...},
     * target_weights: {SYMBOL: weight}, positions}. JUTSU_ENOENT when it
     * has never run. */
    int (*strategy_state)(jutsu_ctx *ctx, const char *id, struct json_object **out);

    /* --- market data ----------------------------------------------------- */

    /* [{symbol, timeframe, first, last, count, gaps, last_sync, source}],
     * one per stored symbol and timeframe; gaps counts the trading days
     * of the calendar between first and last without a bar. */
    int (*market_summary)(jutsu_ctx *ctx, struct json_object **out);

    /* --- the scheduler --------------------------------------------------- */

    /* {enabled, running: bool (a scheduler runs in this process),
     * grace_minutes, jobs: [{name, enabled, paused, at, early_close_at,
     * days, catch_up, next?, last?: {date, at, status, finished_at,
     * error?}, running: bool}]}. */
    int (*scheduler)(jutsu_ctx *ctx, struct json_object **out);
    /* Pauses (paused 1) or resumes a scheduled job: a paused job's slots
     * pass without running (recorded "skipped") until it is resumed. Kept
     * in system_state, so a restart keeps it. {name, paused}. */
    int (*scheduler_pause)(jutsu_ctx *ctx, const char *job, int paused, const char *by,
                           struct json_object **out);

    /* --- config ---------------------------------------------------------- */

    /* The effective config as JSON, overrides applied, every secret
     * (passwords, keys, tokens, DSN passwords) replaced by "********". */
    int (*config)(jutsu_ctx *ctx, struct json_object **out);
    /* config_history rows, newest first: [{id, strategy, parameter,
     * old_value, new_value, change_type, changed_by, reason, at}];
     * strategy NULL for all; at most `limit` rows after skipping `offset`. */
    int (*config_history)(jutsu_ctx *ctx, const char *strategy, int64_t offset, int64_t limit,
                          struct json_object **out);
    /* The CLI's override rules (`jutsu config override set`): the strategy
     * and parameter must exist, the value must parse as the parameter's
     * type and pass its schema; the change and its config_history row go
     * in one transaction; config.changed is published. {strategy,
     * parameter, value, previous}. */
    int (*override_set)(jutsu_ctx *ctx, const char *strategy, const char *parameter,
                        const char *value, const char *reason, const char *by,
                        struct json_object **out);
    int (*override_unset)(jutsu_ctx *ctx, const char *strategy, const char *parameter,
                          const char *reason, const char *by, struct json_object **out);

    /* --- jobs on request ------------------------------------------------- */

    /* Starts job `name` ("sync", "eod", "trade") in the background with
     * `args` (may be NULL): eod {date?}, trade {strategy?, date?}, sync
     * {symbols?}. The job function is the CLI's and the scheduler's, under
     * the same job lock. At most one run of a job at a time: JUTSU_EBUSY
     * while one is queued or running (here or, through the lock, in
     * another process). {id, job, status: "queued", args}. */
    int (*job_start)(jutsu_ctx *ctx, const char *name, struct json_object *args,
                     const char *by, struct json_object **out);
    /* A run started by job_start: {id, job, status: queued|running|ok|
     * failed, by, args, queued_at, started_at?, finished_at?, error?,
     * result?}. Runs are kept in memory (the last 256). */
    int (*job_get)(jutsu_ctx *ctx, const char *id, struct json_object **out);

    /* --- backtests ------------------------------------------------------- */

    /* The CLI's backtest (nothing kept): request {strategy, from, to,
     * capital?, parameters?: {name: value}}; answer {strategy: {summary},
     * baseline: {summary}, from, to, capital, parameters, years: [{year,
     * strategy_return, baseline_return}], daily: [{date, equity,
     * baseline_equity, drawdown, baseline_drawdown}], trades: [...]}.
     * Bounded: at most settings backtest.max_concurrent at once
     * (JUTSU_EFULL beyond) and backtest.max_seconds each
     * (JUTSU_ETIMEDOUT). */
    int (*backtest)(jutsu_ctx *ctx, struct json_object *request, struct json_object **out);

    /* --- metrics --------------------------------------------------------- */

    /* Counters and histograms in one registry, rendered in the Prometheus
     * text format. `name` is a metric name ([a-z_:][a-z0-9_:]*), `labels`
     * the label set as Prometheus writes it without braces
     * ("route=\"/api/trades\",status=\"200\"") or NULL. A name is a
     * counter or a histogram, decided by its first use. Cheap enough to
     * call per request. */
    void (*metric_add)(jutsu_ctx *ctx, const char *name, const char *labels, int64_t delta);
    /* One observation of a duration in microseconds, into the histogram
     * `name` (buckets 0.5 ms .. 10 s, rendered in seconds). */
    void (*metric_observe)(jutsu_ctx *ctx, const char *name, const char *labels,
                           int64_t micros);
    /* Appends every metric (with # HELP and # TYPE lines) to out, host
     * gauges included: bus published/delivered/dropped per topic, jobs,
     * sync bars, EOD rows, database sessions, auth failures and lockouts,
     * process RSS and open files. 0 or JUTSU_ENOMEM. */
    int (*metrics_text)(jutsu_ctx *ctx, struct jutsu_buf *out);
};

/* The table's size at ABI 1.3, frozen (through metrics_text). */
#define JUTSU_ENGINE_SIZE_1_3 JUTSU_SIZE_THROUGH(jutsu_engine, metrics_text)

#endif
