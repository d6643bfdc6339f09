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

/* What every chain of one job shares. */
struct eod_env {
    struct jutsu_app            *app;
    jutsu_dbs                   *s;
    const jutsu_calendar        *cal;
    const jutsu_tz              *tz;
    const struct jutsu_entities *ents;
    struct jutsu_kpi_set         kpis;
};

/*
 * Computes `ent`'s rows for the ascending trading days days[0..n), each
 * from the one before (the stored row before days[0], then the chain's
 * own), and writes those that changed. Day i's outcome goes to
 * cells[i * stride]; its first problem, worded for a person, to
 * reps[i].error when that is empty (reps may be NULL; problems are logged
 * either way). Closes come from `prices`, which must cover the days.
 * Returns 0, or a storage error (message in the session): the caller
 * rolls the transaction back.
 */
int jutsu_eod_chain(struct eod_env *e, const struct jutsu_entity *ent, const jutsu_date_t *days,
                    size_t n, jutsu_prices *prices, struct jutsu_eod_cell *cells, size_t stride,
                    struct jutsu_eod_day *reps);

/* The trading days of [from, to] into a new array (*out, caller frees). */
int jutsu_eod_trading_days(const jutsu_calendar *cal, jutsu_date_t from, jutsu_date_t to,
                           jutsu_date_t **out, size_t *n);

#endif
