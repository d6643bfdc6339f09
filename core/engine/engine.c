/*
 * core/engine/engine.c — the engine's table, its state's life, and the
 * one shape of its failing answers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "jutsu/error.h"
#include "engine/engine_int.h"

static const struct jutsu_engine engine_table = {
    .size             = sizeof(struct jutsu_engine),
    .entities         = jutsu_engine_entities,
    .strategy         = jutsu_engine_strategy,
    .strategy_state   = jutsu_engine_strategy_state,
    .market_summary   = jutsu_engine_market_summary,
    .scheduler        = jutsu_engine_scheduler,
    .scheduler_pause  = jutsu_engine_scheduler_pause,
    .config           = jutsu_engine_config,
    .config_history   = jutsu_engine_config_history,
    .override_set     = jutsu_engine_override_set,
    .override_unset   = jutsu_engine_override_unset,
    .job_start        = jutsu_engine_job_start,
    .job_get          = jutsu_engine_job_get,
    .backtest         = jutsu_engine_backtest,
    .metric_add       = jutsu_engine_metric_add,
    .metric_observe   = jutsu_engine_metric_observe,
    .metrics_text     = jutsu_engine_metrics_text,
};

const struct jutsu_engine *jutsu_engine_vtable(void)
{
    return &engine_table;
}

struct jutsu_engine_state *jutsu_engine_state_of(jutsu_ctx *ctx)
{
    return ctx && ctx->app ? ctx->app->engine_state : NULL;
}

int jutsu_engine_attach(struct jutsu_app *app)
{
    if (app->engine_state)
        return JUTSU_ESTATE;
    struct jutsu_engine_state *st = calloc(1, sizeof(*st));
    if (!st)
        return JUTSU_ENOMEM;
    st->app = app;
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        free(st);
        return JUTSU_ENOMEM;
    }
    int rc = jutsu_engine_runs_new(st);
    if (rc != 0) {
        pthread_mutex_destroy(&st->lock);
        free(st);
        return rc;
    }
    app->engine_state = st;
    app->engine = &engine_table;
    return 0;
}

void jutsu_engine_detach(struct jutsu_app *app)
{
    if (!app || !app->engine_state)
        return;
    struct jutsu_engine_state *st = app->engine_state;
    /* no new calls reach the state once the table is gone; the runs it
     * started finish before it is freed */
    app->engine = NULL;
    jutsu_engine_runs_free(st);
    pthread_mutex_destroy(&st->lock);
    free(st);
    app->engine_state = NULL;
}

int jutsu_engine_fail(struct json_object **out, int rc, const char *code, const char *hint,
                      const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_object *e = json_object_new_object();
    if (e) {
        json_object_object_add(e, "code", json_object_new_string(code));
        json_object_object_add(e, "message", json_object_new_string(msg));
        if (hint)
            json_object_object_add(e, "hint", json_object_new_string(hint));
    }
    *out = e;
    return rc;
}
