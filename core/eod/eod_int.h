/*
 * core/eod/eod_int.h — the EOD job's internals: one entity's chain of rows
 * (core/eod/eod_chain.c), driven by the job (core/eod/eod.c). See eod.h.
 */
#ifndef JUTSU_CORE_EOD_INT_H
#define JUTSU_CORE_EOD_INT_H

#include <stddef.h>

#include "base/calendar.h"
#include "eod/eod.h"
#include "eod/kpi_host.h"
#include "market/prices.h"
#include "store/store.h"

/* Where a symbol's stored data ends, asked once per job. */
struct eod_newest {
    char         symbol[16];
    int          found;          /* 0: no bar at all                  */
    jutsu_date_t date;           /* jutsu_eod_newest_bar, when found  */
    int          waited;         /* an entity waited for it           */
};

/* What every chain of one job shares. */
struct eod_env {
    struct jutsu_app            *app;
    jutsu_dbs                   *s;
    /* where the bars are, for where their data ends (newest_of): NULL for
     * s, or the configured database when s is a scratch store */
    jutsu_dbs                   *market;
    const jutsu_calendar        *cal;
    const jutsu_tz              *tz;
    const struct jutsu_entities *ents;
    struct jutsu_kpi_set         kpis;
    struct eod_newest           *newest;   /* owned: free with jutsu_eod_env_free_newest */
    size_t                       nnewest;
    /* rows for a scratch store (the backtest's): kpi_state only on a chain's
     * last day, the one a later chain could go on from; the state itself is
     * carried in memory from day to day either way */
    int                          state_at_end;
    /* the session holds no row of the chains' entities: they are added
     * through the bulk writer (see jutsu_eod_chains_on) */
    int                          fresh;
};

/*
 * Computes `ent`'s rows for the ascending trading days days[0..n), each
 * from the one before (the stored row before days[0], then the chain's
 * own), and writes those that changed. Day i's outcome goes to
 * cells[i * stride]; its first problem, worded for a person, to
 * reps[i].error when that is empty (reps may be NULL; problems are logged
 * either way, waits are not: the job says them once), and the entity's
 * first one to note[JUTSU_EOD_NOTE_SZ] when that is empty (may be NULL):
 * "DAY: what is wrong", or for a wait "the newest QQQ bar is DAY".
 * Closes come from `prices`, which must cover the days. Returns 0, or a
 * storage error (message in the session): the caller rolls the
 * transaction back.
 */
int jutsu_eod_chain(struct eod_env *e, const struct jutsu_entity *ent, const jutsu_date_t *days,
                    size_t n, jutsu_prices *prices, struct jutsu_eod_cell *cells, size_t stride,
                    struct jutsu_eod_day *reps, char *note);

/*
 * Whether `ent` is going to wait for data on day d, asked before the day
 * runs (the day then gets no `running` marker): a baseline whose symbol's
 * data ends before d, a strategy whose newest snapshot by the end of d
 * holds such a symbol. The chain decides by the same rule. 0 (answer in
 * *waits) or a storage error.
 */
int jutsu_eod_entity_waits(struct eod_env *e, const struct jutsu_entity *ent, jutsu_date_t d,
                           int *waits);

/* Whether sync.symbols lists `symbol` (any case). */
int jutsu_eod_synced(struct jutsu_app *app, const char *symbol);

/* The symbols waited for (e->newest with `waited`) into r->waits, oldest
 * data end first; then frees e->newest. 0 or JUTSU_ENOMEM. */
int  jutsu_eod_collect_waits(struct eod_env *e, struct jutsu_eod_report *r);
void jutsu_eod_env_free_newest(struct eod_env *e);

/* The trading days of [from, to] into a new array (*out, caller frees). */
int jutsu_eod_trading_days(const jutsu_calendar *cal, jutsu_date_t from, jutsu_date_t to,
                           jutsu_date_t **out, size_t *n);

#endif
