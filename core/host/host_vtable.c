/*
 * core/host/host_vtable.c — the host vtable: what each plugin instance can ask of us.
 *
 * Every slot takes the instance (jutsu_ctx) first and answers from the
 * app the instance belongs to, so one vtable serves all instances, and
 * the harness gets test doubles simply by configuring its app (manual bus,
 * fixed clock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "auth/auth.h"
#include "host/app.h"
#include "base/log.h"
#include "store/store.h"

static const char *h_instance_name(jutsu_ctx *ctx)
{
    return ctx->name;
}

static void JUTSU_PRINTF(2, 3)
h_set_error(jutsu_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
    va_end(ap);
}

static void JUTSU_PRINTF(3, 0)
h_vlog(jutsu_ctx *ctx, int level, const char *fmt, va_list ap)
{
    jutsu_logv(ctx->name, level, fmt, ap);
}

static void JUTSU_PRINTF(3, 4)
h_log(jutsu_ctx *ctx, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jutsu_logv(ctx->name, level, fmt, ap);
    va_end(ap);
}

static int h_log_enabled(jutsu_ctx *ctx, int level)
{
    return jutsu_log_enabled(level);
}

static int h_cfg_str(jutsu_ctx *ctx, const char *path, const char **out)
{
    return jutsu_cfg_str(ctx->config, path, out);
}

static int h_cfg_int(jutsu_ctx *ctx, const char *path, int64_t *out)
{
    return jutsu_cfg_int(ctx->config, path, out);
}

static int h_cfg_bool(jutsu_ctx *ctx, const char *path, int *out)
{
    return jutsu_cfg_bool(ctx->config, path, out);
}

static int h_cfg_double(jutsu_ctx *ctx, const char *path, double *out)
{
    return jutsu_cfg_double(ctx->config, path, out);
}

static int h_cfg_money(jutsu_ctx *ctx, const char *path, jutsu_money_t *out)
{
    return jutsu_cfg_money(ctx->config, path, out);
}

static int h_cfg_count(jutsu_ctx *ctx, const char *path)
{
    jutsu_cfg_node *n = path && *path ? jutsu_cfg_get(ctx->config, path) : ctx->config;
    if (n == NULL)
        return JUTSU_ENOENT;
    if (n->kind == JUTSU_CFG_NODE_SCALAR)
        return JUTSU_EINVAL;
    return (int)n->n;
}

static int h_cfg_key_at(jutsu_ctx *ctx, const char *path, int idx, const char **key)
{
    jutsu_cfg_node *n = path && *path ? jutsu_cfg_get(ctx->config, path) : ctx->config;
    if (n == NULL)
        return JUTSU_ENOENT;
    if (n->kind != JUTSU_CFG_NODE_MAP || idx < 0)
        return JUTSU_EINVAL;
    if ((size_t)idx >= n->n)
        return JUTSU_ENOENT;
    *key = n->keys[idx];
    return 0;
}

static int h_cfg_fill(jutsu_ctx *ctx, void *conf)
{
    char why[sizeof(ctx->error)];
    int rc = jutsu_cfg_fill(ctx->config, ctx->module->desc->schema, conf, why, sizeof(why));
    if (rc != 0)
        snprintf(ctx->error, sizeof(ctx->error), "%s", why);
    return rc;
}

/* The answer lives in a per-thread buffer until the next call on the
 * same thread: enough for building one message. */
static const char *h_cfg_where(jutsu_ctx *ctx, const char *path)
{
    static _Thread_local char buf[256];
    jutsu_cfg_node *n = path && *path ? jutsu_cfg_get(ctx->config, path) : ctx->config;
    return jutsu_cfg_where(n ? n : ctx->decl, buf, sizeof(buf));
}

/* A default has no line of its own: the instance's declaration is where
 * the person can act (set the key there). */
static int JUTSU_PRINTF(3, 4)
h_cfg_error(jutsu_ctx *ctx, const char *key, const char *fmt, ...)
{
    va_list ap;
    char where[256];
    jutsu_cfg_node *node = key && *key ? jutsu_cfg_get(ctx->config, key) : ctx->config;
    if (node == NULL || node->is_default)
        node = ctx->decl;
    int n = snprintf(ctx->error, sizeof(ctx->error), "%s: ",
                     jutsu_cfg_where(node, where, sizeof(where)));
    if (n > 0 && (size_t)n < sizeof(ctx->error)) {
        va_start(ap, fmt);
        vsnprintf(ctx->error + n, sizeof(ctx->error) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return JUTSU_ECONFIG;
}

static int h_publish(jutsu_ctx *ctx, const char *topic, struct json_object *payload)
{
    return jutsu_bus_publish(ctx->app->bus, ctx->name, topic, payload);
}

static int remember_sub(jutsu_ctx *ctx, jutsu_sub_id id)
{
    int rc = 0;
    pthread_mutex_lock(&ctx->sub_lock);
    if (ctx->nsubs == ctx->capsubs) {
        size_t cap = ctx->capsubs ? ctx->capsubs * 2 : 8;
        jutsu_sub_id *s = realloc(ctx->subs, cap * sizeof(*s));
        if (s == NULL)
            rc = JUTSU_ENOMEM;
        else {
            ctx->subs = s;
            ctx->capsubs = cap;
        }
    }
    if (rc == 0)
        ctx->subs[ctx->nsubs++] = id;
    pthread_mutex_unlock(&ctx->sub_lock);
    return rc;
}

static int forget_sub(jutsu_ctx *ctx, jutsu_sub_id id)
{
    int found = 0;
    pthread_mutex_lock(&ctx->sub_lock);
    for (size_t i = 0; i < ctx->nsubs; i++) {
        if (ctx->subs[i] == id) {
            ctx->subs[i] = ctx->subs[--ctx->nsubs];
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&ctx->sub_lock);
    return found;
}

static int h_subscribe(jutsu_ctx *ctx, const char *pattern, jutsu_bus_fn fn, void *arg,
                       jutsu_sub_id *id)
{
    jutsu_sub_id sid = 0;
    int rc = jutsu_bus_subscribe(ctx->app->bus, ctx->name, pattern, fn, arg, &sid);
    if (rc != 0)
        return rc;
    if ((rc = remember_sub(ctx, sid)) != 0) {
        jutsu_bus_unsubscribe(ctx->app->bus, sid);
        return rc;
    }
    if (id)
        *id = sid;
    return 0;
}

static int h_unsubscribe(jutsu_ctx *ctx, jutsu_sub_id id)
{
    /* an instance may only drop its own subscriptions */
    if (!forget_sub(ctx, id))
        return JUTSU_ENOENT;
    return jutsu_bus_unsubscribe(ctx->app->bus, id);
}

void jutsu_host_drop_subscriptions(jutsu_ctx *ctx)
{
    pthread_mutex_lock(&ctx->sub_lock);
    jutsu_sub_id *subs = ctx->subs;
    size_t n = ctx->nsubs;
    ctx->subs = NULL;
    ctx->nsubs = ctx->capsubs = 0;
    pthread_mutex_unlock(&ctx->sub_lock);
    for (size_t i = 0; i < n; i++)
        jutsu_bus_unsubscribe(ctx->app->bus, subs[i]);
    free(subs);
}

static jutsu_time_t h_now(jutsu_ctx *ctx)
{
    return jutsu_app_now(ctx->app);
}

static int h_exchange_date(jutsu_ctx *ctx, jutsu_time_t t, jutsu_date_t *out)
{
    int sec;
    if (ctx->app->tz == NULL)
        return JUTSU_ESTATE;
    return jutsu_tz_local_date(ctx->app->tz, t, out, &sec);
}

static int h_exchange_time(jutsu_ctx *ctx, jutsu_date_t d, int hour, int minute,
                           jutsu_time_t *out)
{
    if (ctx->app->tz == NULL)
        return JUTSU_ESTATE;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59)
        return JUTSU_EINVAL;
    return jutsu_tz_to_utc(ctx->app->tz, d, hour, minute, 0, out);
}

static const struct jutsu_data *h_data(jutsu_ctx *ctx)
{
    struct jutsu_store store;
    return jutsu_app_store(ctx->app, &store) == 0 ? jutsu_data_vtable() : NULL;
}

static int h_seal(jutsu_ctx *ctx, const char *aad, const void *plain, size_t len, char *out,
                  size_t outsz)
{
    return jutsu_auth_seal(ctx->app->auth, aad, plain, len, out, outsz);
}

static int h_unseal(jutsu_ctx *ctx, const char *aad, const char *sealed, void *plain,
                    size_t plainsz, size_t *len)
{
    return jutsu_auth_unseal(ctx->app->auth, aad, sealed, plain, plainsz, len);
}

static const struct jutsu_sessions *h_sessions(jutsu_ctx *ctx)
{
    struct jutsu_store store;
    return jutsu_app_store(ctx->app, &store) == 0 ? jutsu_sessions_vtable() : NULL;
}

static const struct jutsu_engine *h_engine(jutsu_ctx *ctx)
{
    return ctx->app->engine;
}

void jutsu_host_init(struct jutsu_host *h)
{
    memset(h, 0, sizeof(*h));
    h->size          = sizeof(*h);
    h->abi_major     = JUTSU_ABI_MAJOR;
    h->abi_minor     = JUTSU_ABI_MINOR;
    h->instance_name = h_instance_name;
    h->set_error     = h_set_error;
    h->log           = h_log;
    h->vlog          = h_vlog;
    h->log_enabled   = h_log_enabled;
    h->cfg_str       = h_cfg_str;
    h->cfg_int       = h_cfg_int;
    h->cfg_bool      = h_cfg_bool;
    h->cfg_double    = h_cfg_double;
    h->cfg_money     = h_cfg_money;
    h->cfg_count     = h_cfg_count;
    h->cfg_key_at    = h_cfg_key_at;
    h->cfg_where     = h_cfg_where;
    h->cfg_error     = h_cfg_error;
    h->seal          = h_seal;
    h->unseal        = h_unseal;
    h->sessions      = h_sessions;
    h->engine        = h_engine;
    h->publish       = h_publish;
    h->subscribe     = h_subscribe;
    h->unsubscribe   = h_unsubscribe;
    h->event_topic   = jutsu_event_topic;
    h->event_payload = jutsu_event_payload;
    h->event_json    = jutsu_event_json;
    h->event_time    = jutsu_event_time;
    h->event_source  = jutsu_event_source;
    h->event_ref     = jutsu_event_ref;
    h->event_unref   = jutsu_event_unref;
    h->now           = h_now;
    h->exchange_date = h_exchange_date;
    h->exchange_time = h_exchange_time;
    h->data          = h_data;
    h->cfg_fill      = h_cfg_fill;
}
