/*
 * core/engine/engine_int.h — what the files of the engine share.
 *
 *   engine.c           the table, attach and detach, the error answer
 *   engine_entities.c  entities, strategy, strategy_state
 *   engine_market.c    market_summary
 *   engine_config.c    config, config_history, override_set/unset
 *   engine_sched.c     scheduler, scheduler_pause
 *   engine_jobs.c      job_start, job_get: runs on request
 *   engine_backtest.c  backtest
 *   engine_metrics.c   metric_add, metric_observe, metrics_text
 *
 * Every function takes the calling instance's ctx (ctx->app is the app)
 * and answers as jutsu/engine.h says.
 */
#ifndef JUTSU_CORE_ENGINE_INT_H
#define JUTSU_CORE_ENGINE_INT_H

#include <pthread.h>

#include <json-c/json.h>

#include "engine/engine.h"

struct jutsu_engine_runs;   /* engine_jobs.c */

struct jutsu_engine_state {
    struct jutsu_app         *app;
    pthread_mutex_t           lock;         /* the members below          */
    int                       backtests;    /* running now (engine_backtest.c) */
    struct jutsu_engine_runs *runs;         /* engine_jobs.c              */
};

/* The state of ctx's app (NULL when no engine is attached). */
struct jutsu_engine_state *jutsu_engine_state_of(jutsu_ctx *ctx);

/* Sets *out to {"code", "message", "hint"?} and returns rc; message is
 * printf-formatted. For every failing answer of the engine. */
int jutsu_engine_fail(struct json_object **out, int rc, const char *code, const char *hint,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* engine_jobs.c: made and freed with the state */
int  jutsu_engine_runs_new(struct jutsu_engine_state *st);
void jutsu_engine_runs_free(struct jutsu_engine_state *st);   /* waits for running jobs */

int jutsu_engine_entities(jutsu_ctx *ctx, struct json_object **out);
int jutsu_engine_strategy(jutsu_ctx *ctx, const char *id, struct json_object **out);
int jutsu_engine_strategy_state(jutsu_ctx *ctx, const char *id, struct json_object **out);
int jutsu_engine_market_summary(jutsu_ctx *ctx, struct json_object **out);
int jutsu_engine_scheduler(jutsu_ctx *ctx, struct json_object **out);
int jutsu_engine_scheduler_pause(jutsu_ctx *ctx, const char *job, int paused, const char *by,
                                 struct json_object **out);
int jutsu_engine_config(jutsu_ctx *ctx, struct json_object **out);
int jutsu_engine_config_history(jutsu_ctx *ctx, const char *strategy, int64_t offset,
                                int64_t limit, struct json_object **out);
int jutsu_engine_override_set(jutsu_ctx *ctx, const char *strategy, const char *parameter,
                              const char *value, const char *reason, const char *by,
                              struct json_object **out);
int jutsu_engine_override_unset(jutsu_ctx *ctx, const char *strategy, const char *parameter,
                                const char *reason, const char *by, struct json_object **out);
int jutsu_engine_job_start(jutsu_ctx *ctx, const char *name, struct json_object *args,
                           const char *by, struct json_object **out);
int jutsu_engine_job_get(jutsu_ctx *ctx, const char *id, struct json_object **out);
int jutsu_engine_backtest(jutsu_ctx *ctx, struct json_object *request,
                          struct json_object **out);
void jutsu_engine_metric_add(jutsu_ctx *ctx, const char *name, const char *labels,
                             int64_t delta);
void jutsu_engine_metric_observe(jutsu_ctx *ctx, const char *name, const char *labels,
                                 int64_t micros);
int  jutsu_engine_metrics_text(jutsu_ctx *ctx, struct jutsu_buf *out);

#endif
