/*
 * core/host/entities.h — what the EOD and trading jobs keep books for: the
 * strategy instances of the config, each with its mode and starting
 * capital, and the buy-and-hold baselines of eod.baselines.
 *
 * An entity is (entity_type, entity_id, mode), the key of its rows in
 * daily_performance. Strategies are every instance of a strategy plugin in
 * `plugins:` (mode: offline_mock unless the instance says online_live;
 * initial_capital: 10000 unless it says otherwise), whether or not the
 * running command started them: the EOD job reads what the trading job
 * wrote and never calls a strategy. Baselines are eod.baselines, or QQQ
 * with 10,000 in offline_mock when the key is absent (the seed's default;
 * `baselines: []` configures none).
 *
 * Read-only after jutsu_entities_load; strings point into the config and
 * live as long as the app.
 */
#ifndef JUTSU_CORE_ENTITIES_H
#define JUTSU_CORE_ENTITIES_H

#include <stddef.h>

#include "jutsu/money.h"
#include "host/app.h"

enum jutsu_entity_type { JUTSU_ENTITY_STRATEGY = 1, JUTSU_ENTITY_BASELINE = 2 };

#define JUTSU_DEFAULT_CAPITAL INT64_C(10000000000)   /* 10,000.000000 */

struct jutsu_entity {
    int               type;            /* enum jutsu_entity_type               */
    const char       *type_name;       /* "strategy" or "baseline"             */
    const char       *id;              /* instance name, or the baseline's id  */
    const char       *mode;            /* "offline_mock" or "online_live"      */
    jutsu_money_t     initial_capital;
    const char       *symbol;          /* baselines: the symbol held; else NULL */
    struct jutsu_ctx *inst;            /* strategies: the instance; else NULL  */
    struct jutsu_ctx *broker;          /* online_live strategies: the broker
                                          instance of its `broker:` key       */
    jutsu_date_t      paper_since;     /* offline_mock strategies: traded on every
                                          day from this one, past days replayed
                                          (jobs/paper.h); 0: none      */
};

struct jutsu_entities {
    struct jutsu_entity *v;            /* strategies first, in config order    */
    size_t               n;
    size_t               nstrategies, nbaselines;
};

/*
 * Collects the entities of `app` (config loaded, plugins loaded). Refuses
 * (JUTSU_ECONFIG, reason with file:line:col in err) a baseline id longer
 * than 50 characters, a symbol that is not 1-10 characters of [A-Z0-9.^-],
 * two baselines with the same id and mode, an online_live strategy without
 * a `broker:` naming a broker instance, and a `broker:` on an offline_mock
 * one (its fills are simulated), and a `paper_since` that is not a date or
 * belongs to an online_live strategy (a broker cannot fill in the past).
 * JUTSU_ENOMEM.
 */
int  jutsu_entities_load(struct jutsu_app *app, struct jutsu_entities *out, char *err,
                         size_t errsz);
void jutsu_entities_free(struct jutsu_entities *e);

/* The entity with this id (and type name, when not NULL); NULL if there is
 * none. *ambiguous (may be NULL) is set when type is NULL and both a
 * strategy and a baseline carry the id. */
const struct jutsu_entity *jutsu_entities_find(const struct jutsu_entities *e, const char *id,
                                               const char *type, int *ambiguous);

#endif
