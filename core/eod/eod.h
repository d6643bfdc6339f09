/*
 * core/eod/eod.h — the end-of-day job: one daily_performance row per trading
 * day per entity (strategy instance or baseline) per mode, with its KPIs.
 *
 * For a trading day D and an entity, the row holds:
 *   total_equity     baseline: initial_capital x close_D / close_first (the
 *                    close on its first day; fractional shares, no costs),
 *                    exact to the micro-unit (half to even); strategy: the
 *                    positions of its last snapshot at or before the end of
 *                    D, each valued at D's close (or, for a symbol without a
 *                    bar that day, its newest earlier close), plus the
 *                    snapshot's cash
 *   daily_return     E_D / E_prev - 1 over the previous row (0 on day one)
 *   cumulative_return, high_water_mark (initial capital is the first peak),
 *   drawdown         E_D / HWM - 1
 *   trade statistics strategies: cumulative trades, and winning / losing
 *                    sells by live_trades.realized_pnl; NULL for baselines
 *   regime and indicators   copied from the strategy's last snapshot of D
 *   days_since_previous     trading days since the previous row (1, more
 *                           after a day without data), is_first_day
 *   KPIs             every KPI instance's fold of the day (kpi_host.h) over
 *                    the state kept in the previous row: O(1) per day
 *
 * An entity is not finalised on D (and the day is `partial`) when a
 * baseline's symbol has no valid bar on D, or a strategy holds a symbol
 * that never had one; a strategy without any snapshot yet has not started
 * and is skipped without blame. An entity that needs a close of D, where D
 * is after the newest bar stored of that symbol (valid or not: the data
 * ends before D), *waits for data*: no blame either, and the day, unless
 * something else is wrong with it, is `waiting`. A waiting day gets no
 * eod_job_status row (the table knows running, completed, failed and
 * partial; a missing row is what makes the next run's lookback take the
 * day again), and the job does not fail for it.
 *
 * Rows are computed as a chain: each from the one before it. One pass over
 * a range of days reads the entity's previous row once, its snapshots,
 * trades and closes of the range once, and writes each row (O(days), not
 * O(days^2)). `run` and `backfill` share that code:
 *
 *   run(D)        finalises D, after the missed, failed, partial or stuck
 *                 days among the eod.lookback_days trading days before it,
 *                 oldest first, by recomputing every day from the oldest
 *                 due one to D (days that do not change are left alone)
 *   backfill      recomputes [from, to] (one entity or all)
 *
 * When a recomputed row differs from the stored one and the entity has
 * rows after the range, those are recomputed too: they were derived from
 * it. A row recomputed to the same values is not written at all, so
 * running a day or a backfill twice changes nothing.
 *
 * eod_job_status: a day being run is marked `running` first (in its own
 * transaction, so a crash is visible; not a day that is going to wait, which
 * gets no row); then every row of the day and its final status
 * (`completed`, `partial`, or `failed` with the error and retry_count)
 * commit together: the database holds all of a day or none of it. A
 * backfill writes the whole range in one transaction and sets each day's
 * status when it covers every entity. eod.finalized is published per day
 * after the commit.
 *
 * The caller holds the job's lock (jutsu_sched_lock "eod"); these functions
 * run on the calling thread with their own data session.
 */
#ifndef JUTSU_CORE_EOD_H
#define JUTSU_CORE_EOD_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "host/app.h"
#include "host/entities.h"
#include "sched/scheduler.h"

enum jutsu_eod_outcome {
    JUTSU_EOD_NOT_RUN     = 0,   /* not computed: not selected, or its day rolled back */
    JUTSU_EOD_DONE        = 1,   /* the row is computed (and written if it changed) */
    JUTSU_EOD_NOT_STARTED = 2,   /* a strategy with no snapshot yet: nothing to do  */
    JUTSU_EOD_NO_DATA     = 3,   /* a close it needs is missing: not finalised      */
    JUTSU_EOD_FAILED      = 4,   /* a KPI failed, a snapshot is unreadable ...      */
    JUTSU_EOD_WAITING     = 5    /* a close it needs is after the data's end        */
};

/* One entity on one day. */
struct jutsu_eod_cell {
    uint8_t       outcome;       /* enum jutsu_eod_outcome */
    uint8_t       changed;       /* the row was inserted or updated */
    jutsu_money_t equity;        /* when DONE */
};

struct jutsu_eod_day {
    jutsu_date_t date;
    char         status[12];     /* completed, partial, failed, waiting (never stored);
                                    "" when not set (backfill of one entity) */
    int32_t      strategies_total, strategies_processed;
    int32_t      baselines_total, baselines_processed;
    int32_t      rows_changed;
    int32_t      retry_count;
    int          was_due;        /* run: a missed, failed, partial or stuck day redone */
    char         error[512];     /* the first problem of the day, or "" */
};

/* A symbol an entity waited for: the days after `newest` wait for data. */
struct jutsu_eod_wait {
    char         symbol[16];
    jutsu_date_t newest;         /* its newest stored 1D bar */
};

#define JUTSU_EOD_NOTE_SZ 256

struct jutsu_eod_report {
    struct jutsu_entities ents;  /* the entities, in column order of cells */
    struct jutsu_eod_day *days;  /* ascending */
    size_t                ndays;
    struct jutsu_eod_cell *cells; /* ndays x ents.n, row-major by day */
    char                (*notes)[JUTSU_EOD_NOTE_SZ]; /* per entity: its first problem
                                                        (or wait) of the days, or "" */
    struct jutsu_eod_wait *waits; /* the symbols waited for, oldest data end first */
    size_t                nwaits;
    int64_t               rows_changed;
    int64_t               cascaded;   /* later rows recomputed because an earlier one changed */
    int                   failed;     /* days that ended failed or partial */
    int                   waiting;    /* days that wait for data */
    char                  error[512]; /* why the job as a whole failed, or "" */
};

#define JUTSU_EOD_CELL(r, day, ent) (&(r)->cells[(size_t)(day) * (r)->ents.n + (size_t)(ent)])

/* The newest trading day whose session has closed at `now` (exchange
 * calendar, early closes included). JUTSU_ESTATE without a calendar. */
int  jutsu_eod_latest_day(struct jutsu_app *app, jutsu_time_t now, jutsu_date_t *out);

/*
 * Finalises the trading day `date` (0: jutsu_eod_latest_day at now) as
 * described above. Returns 0 when every day ended completed or waiting
 * (r->waiting counts those), JUTSU_EPLUGIN when some ended partial or
 * failed (see the report), JUTSU_EINVAL for a
 * date that is not a trading day or whose session has not closed (reason
 * in r->error), or a setup/storage error (r->error).
 */
int  jutsu_eod_run(struct jutsu_app *app, jutsu_date_t date, struct jutsu_eod_report *r);

/*
 * Recomputes the trading days of [from, to] for every entity, or only the
 * one with id `entity` (of type `type` when not NULL), in one pass and one
 * transaction. Same returns as run; JUTSU_ENOENT for an unknown entity.
 */
int  jutsu_eod_backfill(struct jutsu_app *app, jutsu_date_t from, jutsu_date_t to,
                        const char *entity, const char *type, struct jutsu_eod_report *r);

/*
 * Computes the rows of the caller's entities (copied into r->ents) over
 * the trading days of [from, to] through session `s`, joining its
 * transaction, with closes from `prices` (which must cover the range) and
 * where each symbol's data ends read through `market` (the configured
 * database, where the bars are; may be s): no status, no event, no
 * cascade. The backtest's EOD, on its own entities in a store it throws
 * away: so each chain's rows carry kpi_state only on its
 * last day (the KPI state goes from day to day in memory; no later chain
 * continues from a middle row). Same returns as run, except that a day that
 * waits for data is JUTSU_EPLUGIN too: a backtest has no later run.
 * `fresh`: s holds no daily_performance row of these entities (a store
 * just made), so their rows are added many per statement rather than
 * upserted one by one, inside s's open transaction (JUTSU_ESTATE without
 * one); a row that exists after all fails the run.
 */
struct jutsu_prices;
int  jutsu_eod_chains_on(struct jutsu_app *app, jutsu_dbs *s, jutsu_dbs *market, int fresh,
                         const struct jutsu_entities *ents, jutsu_date_t from, jutsu_date_t to,
                         struct jutsu_prices *prices, struct jutsu_eod_report *r);
/* The same with the bars on s (market = s), upserting (fresh = 0). */
int  jutsu_eod_chains(struct jutsu_app *app, jutsu_dbs *s, const struct jutsu_entities *ents,
                      jutsu_date_t from, jutsu_date_t to, struct jutsu_prices *prices,
                      struct jutsu_eod_report *r);

void jutsu_eod_report_free(struct jutsu_eod_report *r);

/* "done", "not_started", "no_data", "failed", "waiting". */
const char *jutsu_eod_outcome_name(int outcome);

/*
 * The newest stored 1D bar of `symbol` through session `s`, valid or not
 * (data_metadata's last bar, or the newest valid bar when it has none):
 * what "the data ends there" means. 0, JUTSU_ENOENT (no bar at all), or a
 * storage error (message in the session).
 */
int  jutsu_eod_newest_bar(jutsu_dbs *s, const char *symbol, jutsu_date_t *newest);

/*
 * The one line that says which days of report `r` wait for data, into buf
 * (no trailing newline): "2026-05-14 .. 2026-12-04 wait for data: the
 * newest QQQ bar is 2026-05-13", then what would bring the bars, worked out
 * from the config (a source that fetches: `jutsu sync`; sources that read
 * files only: which file ends there; a symbol no sync fetches: add it to
 * sync.symbols) and, when the range starts before what `eod run` looks back
 * at, the backfill that finalises those days once the bars are in. The
 * range starts on the trading day after the oldest data end. Returns 0
 * when no day of r waits (buf is then "").
 */
int  jutsu_eod_wait_line(struct jutsu_app *app, const struct jutsu_eod_report *r, char *buf,
                         size_t size);

/* What one entity came to over a report's days (for `eod run|backfill`). */
struct jutsu_eod_tally {
    int32_t      rows, written;             /* days done; rows inserted or updated */
    jutsu_date_t from, to;                  /* its first and last day done; 0: none */
    int32_t      not_started, waiting, not_final;   /* days of each outcome */
};
void jutsu_eod_entity_tally(const struct jutsu_eod_report *r, size_t ent,
                            struct jutsu_eod_tally *out);

/* The entities of report day `day` as a JSON array of {type, id, mode,
 * outcome, equity (when done), changed (when asked)}: the payload of
 * eod.finalized and of `eod run --format json`. Owned by the caller. */
struct json_object;
struct json_object *jutsu_eod_entities_json(const struct jutsu_eod_report *r, size_t day,
                                            int changed);

/* The EOD job as the scheduler runs it (core/eod/eod_job.c). */
extern const struct jutsu_sched_job jutsu_eod_job;

#endif
