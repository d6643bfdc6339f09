/*
 * core/engine/engine.h — the engine: what host->engine() hands a frontend
 * (jutsu/engine.h), over the rooms below it (jobs, eod, trading, market,
 * sched, store). The CLI calls the same functions (one code path).
 *
 * jutsu_engine_attach makes the engine's state for an app and publishes
 * the table through app->engine; `jutsu serve` and the tests call it after
 * jutsu_app_start (and after setting app->sched, when a scheduler runs).
 * jutsu_engine_detach waits for the runs it started and frees the state;
 * call it before jutsu_app_stop. Both from the main thread.
 */
#ifndef JUTSU_CORE_ENGINE_H
#define JUTSU_CORE_ENGINE_H

#include "jutsu/engine.h"
#include "host/app.h"

/* 0, JUTSU_ENOMEM, JUTSU_ESTATE (already attached). */
int  jutsu_engine_attach(struct jutsu_app *app);
/* Idempotent; NULL-safe. */
void jutsu_engine_detach(struct jutsu_app *app);
/* The table itself (static). */
const struct jutsu_engine *jutsu_engine_vtable(void);

#endif
