/*
 * core/jobs/paper.h — paper history: a strategy instance with
 * `paper_since: DATE` (offline_mock only) is traded on every trading day
 * from that date, the past ones included.
 *
 * A fresh install has bars back to 2010 but no strategy history, and a
 * trader opening the dashboard wants a curve, not an empty chart. The days
 * from paper_since up to the newest day whose bars every symbol of the
 * strategy has (and no later than the newest closed session) are run through the trading job's own code (trade_int.h: the
 * same jutsu_trader_day, simulated fills, the configured costs), each day
 * in its own transaction with the strategy's record: a kill loses at most
 * the day in flight, and the next replay resumes after the last day
 * committed. Snapshots of replayed days say source 'backtest' (the
 * schema's word for a simulated run on past data). A strategy that already
 * ran later than paper_since resumes after its last day; days it ran are
 * never redone.
 *
 * Then the EOD job recomputes the replayed range for every entity
 * (jutsu_eod_backfill), baselines included, so the strategies and their
 * baselines have daily rows over the same days.
 *
 * The caller holds the "trading" and "eod" job locks (jutsu_sched_lock).
 */
#ifndef JUTSU_CORE_PAPER_H
#define JUTSU_CORE_PAPER_H

#include <stddef.h>

#include "host/app.h"
#include "host/entities.h"
#include "sched/scheduler.h"

struct jutsu_paper_result {
    const struct jutsu_entity *ent;
    jutsu_date_t from, to;        /* the days to replay; from 0: none (up to date)  */
    jutsu_date_t last;            /* the last day committed; 0: none                */
    int32_t      days;            /* trading days run                               */
    int32_t      traded_days;     /* ... on which orders filled                     */
    int32_t      fills;
    char         error[512];      /* why the replay stopped, or ""                  */
};

struct jutsu_paper_report {
    struct jutsu_entities      ents;
    struct jutsu_paper_result *v;      /* one per strategy with paper_since */
    size_t                     n;
    jutsu_date_t               eod_from, eod_to;  /* the range finalised; 0: none */
    int32_t                    eod_days_completed;
    char                       error[512];
};

/*
 * Replays every strategy with paper_since (or only `strategy`) up to the
 * day before `before` (0: the day after the newest trading day whose
 * session has closed), then backfills the EOD
 * rows of the replayed range. Returns 0, JUTSU_EPLUGIN when a strategy or
 * an EOD day failed (reasons in the report), JUTSU_ENOENT for an unknown
 * strategy or one without paper_since, or a setup/storage error (r->error).
 */
int  jutsu_paper_run(struct jutsu_app *app, jutsu_date_t before, const char *strategy,
                       struct jutsu_paper_report *r);
void jutsu_paper_report_free(struct jutsu_paper_report *r);

/* The paper job as the scheduler runs it (core/jobs/paper_job.c): 16:10,
 * after the sync, before the EOD job; a catch-up job. */
extern const struct jutsu_sched_job jutsu_paper_job;

#endif
