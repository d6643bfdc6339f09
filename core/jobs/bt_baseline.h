/*
 * core/jobs/bt_baseline.h — a backtest's baseline valued on a thread of
 * its own.
 *
 * A baseline's EOD chain needs nothing of the strategy's run: only its
 * symbol's closes. A backtest alone on the machine (the CLI's) runs it
 * beside the trading, in a store in memory of its own, and reads its rows
 * from there: the chain is the EOD code's, unchanged, and the rows are the
 * ones the run would have written in the strategy's store (a test compares
 * the two). On two cores that takes the baseline's half of the EOD pass
 * off the run's time.
 *
 * The thread touches no session of the caller's: its closes come from a
 * detached copy of the run's price book (jutsu_prices_copy) holding the
 * symbol's series,
 * and the caller starts it only when that series has a bar on every
 * trading day of the range, so the chain never asks the database where
 * the symbol's data ends.
 */
#ifndef JUTSU_CORE_JOBS_BT_BASELINE_H
#define JUTSU_CORE_JOBS_BT_BASELINE_H

#include <stddef.h>

#include "eod/eod.h"
#include "host/app.h"
#include "host/entities.h"
#include "market/prices.h"

struct jutsu_bt_baseline;

/*
 * Whether the baseline `base` can run on its own: `book` (over at least
 * [from, to]) has a close of its symbol on every trading day of [from, to].
 */
int jutsu_bt_baseline_ready(struct jutsu_app *app, const struct jutsu_entity *base,
                            jutsu_prices *book, jutsu_date_t from, jutsu_date_t to);

/*
 * Starts the chain of `base` (copied; its strings must outlive the join)
 * over the trading days of [from, to] on a new thread, with the closes of
 * `book`, a detached copy (jutsu_prices_copy) that it takes (freed with
 * the baseline, also when this fails). 0 with *out running, or an error in
 * err (nothing runs).
 */
int jutsu_bt_baseline_start(struct jutsu_app *app, const struct jutsu_entity *base,
                            jutsu_date_t from, jutsu_date_t to, jutsu_prices *book,
                            struct jutsu_bt_baseline **out, char *err, size_t errsz);

/*
 * Waits for the chain. Returns what jutsu_eod_chains_on returned, or the
 * store's failure; *report is its EOD report (the days' problems and the
 * error, for the caller's message; valid until _free).
 */
int jutsu_bt_baseline_join(struct jutsu_bt_baseline *b, const struct jutsu_eod_report **report);

/* After the join: the session of its store, with the baseline's rows
 * (valid until _free). */
jutsu_dbs *jutsu_bt_baseline_session(const struct jutsu_bt_baseline *b);

/* Joins it if the caller did not, and frees its store, book and report. */
void jutsu_bt_baseline_free(struct jutsu_bt_baseline *b);

#endif
