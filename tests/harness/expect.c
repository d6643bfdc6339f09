/*
 * tests/harness/expect.c — what each check of the harness expects, in
 * words for the plugin's author. The report prints it beside what the
 * check found (harness.h), so that a failure reads "expected X; got Y".
 *
 * One row per check name, declared once: a suite that adds a check adds
 * its row here. tests/cli/harness.sh fails on a check the table lacks.
 */
#include <string.h>

#include "harness.h"

static const struct {
    const char *name;
    const char *expected;
} expectations[] = {
    /* the fixture (harness_fixture.c) */
    { "load", "the file opens and passes the loader's checks (descriptor, ops, schema)" },
    { "kind", "a plugin of the kind named by --kind-suite" },
    { "descriptor", "a name, a version and a description" },
    { "config", "the settings (-c FILE) valid against the plugin's schema" },
    { "tz", "the America/New_York zone loads from the system tz database" },
    { "app", "the host's app is made and adopts the module" },
    { "instances", "two instances of the plugin (one for a singleton) are made" },
    { "init+start", "init() and start() of every instance return 0" },
    { "per-instance state", "two instances of one file get separate states" },
    { "bus", "what start() published is delivered, nothing dropped" },
    { "conformance", "the conformance suite of the plugin's kind" },
    { "stop", "stop() releases every bus subscription the instance took" },
    { "destroy", "stop and destroy log no error" },

    /* storage (suite_storage.c) */
    { "storage.connect", "a connection to the empty test database opens" },
    { "storage.migrate.up", "every schema revision applies to an empty database" },
    { "storage.migrate.down", "every revision's downgrade runs, newest first" },
    { "storage.schema.gone", "no table is left after downgrading to base" },
    { "storage.insert", "market_data rows of every value type are inserted" },
    { "storage.roundtrip", "every value reads back exactly as written" },
    { "storage.date", "DATE values before and after the epoch read back in order" },
    { "storage.null", "NULLs read as NULL; DATE and NUMERIC(10,6) exact" },
    { "storage.bytes", "BYTES with NUL and every byte value read back exactly" },
    { "storage.changes", "an UPDATE reports how many rows it changed" },
    { "storage.rollback", "a rolled-back row is gone" },
    { "storage.commit", "a committed row is kept" },
    { "storage.savepoint", "rollback_to undoes only what followed the savepoint" },
    { "storage.savepoint.name", "a savepoint name that is not an identifier is refused "
                                "(JUTSU_EINVAL)" },
    { "storage.bulk", "a bulk load inserts new rows and skips stored and repeated keys" },
    { "storage.bulk.reload", "the same bulk load again inserts nothing" },
    { "storage.bulk.values", "a bulk-loaded row reads back" },
    { "storage.last_error", "a failed statement leaves a message and a 5-character SQLSTATE" },
    { "storage.insert.trade", "a valid live_trades row is accepted" },
    { "storage.err.unique", "a duplicate key fails with SQLSTATE 23505 naming the constraint" },
    { "storage.err.check", "a CHECK violation fails with SQLSTATE 23514 naming the constraint" },
    { "storage.err.length", "a value longer than its column is refused, naming the column "
                            "(SQLSTATE 22001 on PostgreSQL)" },
    { "storage.err.fk", "a missing foreign key fails with SQLSTATE 23503 naming the table" },
    { "storage.err.notnull", "a NULL in a NOT NULL column fails with SQLSTATE 23502 naming "
                             "the column" },
    { "storage.order.money", "ORDER BY a DECIMAL column sorts by value" },
    { "storage.order.time", "ORDER BY a TIME column sorts by instant" },
    { "storage.reset", "a statement reset and rebound gives the rows of its new values" },
    { "storage.describe", "describe() names the database without its password" },

    /* source (suite_source.c) */
    { "source.caps", "caps() returns 0" },
    { "source.timeframes", "at least one timeframe, each one of 1D, 1H, 5m, 15m" },
    { "source.limits", "history_days and requests_per_minute not below 0" },
    { "source.flags", "only known flags; JUTSU_SOURCE_FILES set exactly when read_file "
                      "is provided" },
    { "source.unknown_symbol", "fetch of an unknown symbol returns JUTSU_ENOTFOUND and no bar" },
    { "source.empty_range", "fetch of a reversed range returns 0 or JUTSU_ENOTFOUND and no bar" },
    { "source.fetch", "fetch of a known symbol over all time returns 0 and some bars, none "
                      "rejected" },
    { "source.order", "bars oldest first, all inside the range asked for" },
    { "source.values", "every price above 0, no volume below 0" },
    { "source.symbol", "every batch names the symbol asked for" },
    { "source.range", "fetch with from = to gives exactly the bar at that instant" },
    { "source.stop", "fetch stops and returns the receiver's nonzero answer at once" },
    { "source.list_symbols", "list_symbols returns 0 and only valid upper-case symbols" },

    /* kpi (suite_kpi.c) */
    { "kpi.columns", "0 to JUTSU_KPI_MAX_COLUMNS columns declared, at least one column "
                     "or metric" },
    { "kpi.column_names", "only columns a KPI may fill (jutsu/kpi.h), none twice" },
    { "kpi.first_day", "fold with no previous state returns a state and no "
                      "infinite value" },
    { "kpi.series", "every day of a series folds, its state through JSON text each day" },
    { "kpi.deterministic", "the same day and state fold to the same state and values" },
    { "kpi.prev_untouched", "fold leaves the previous state unchanged" },
    { "kpi.finite", "no infinite value (a KPI reports NULL, never inf)" },

    /* strategy (suite_strategy.c) */
    { "strategy.needs", "needs() names valid symbols, a warmup and a timeframe" },
    { "strategy.series", "every day of a series is fed without an error" },
    { "strategy.signal", "weights finite and not below 0; state names terminated" },
    { "strategy.warmup", "not warm before warmup_bars days; warm by the last day" },
    { "strategy.deterministic", "a second instance fed the same days gives the same signals "
                                "and state" },
    { "strategy.save_restore", "a state saved mid-series and restored into another instance "
                               "gives the same signals to the end" },
    { "strategy.reset", "reset() and a replay give the same signals as the first run" },
    { "strategy.no_bars", "a day with no bar returns 0, or an error with a reason" },
    { "strategy.garbage", "restore refuses every text that is not a saved state" },
    { "strategy.after_refusal", "after a refused restore the instance runs as after init" },
};

const char *harness_expected(const char *name)
{
    for (size_t i = 0; i < sizeof(expectations) / sizeof(expectations[0]); i++)
        if (strcmp(expectations[i].name, name) == 0)
            return expectations[i].expected;
    return NULL;
}
