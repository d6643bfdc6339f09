/*
 * core/host/app_auth.c — wires the sessions engine (core/auth) to the app:
 * its storage, its clock, its bus, and the auth plugin instance serving
 * each factor. The engine itself knows nothing of the app.
 */
#include <json-c/json.h>
#include <string.h>

#include "jutsu/auth.h"
#include "jutsu/error.h"
#include "jutsu/frontend.h"
#include "auth/auth.h"
#include "bus/bus.h"
#include "host/app.h"

static int env_store(void *arg, struct jutsu_store *out)
{
    return jutsu_app_store(arg, out);
}

static const char *env_why(void *arg)
{
    return ((struct jutsu_ctx *)arg)->error;
}

static int env_factor(void *arg, const char *factor, struct jutsu_auth_factor *out)
{
    struct jutsu_app *app = arg;
    for (size_t i = 0; i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        const struct jutsu_auth_ops *ops = jutsu_ctx_auth(c);
        if (ops == NULL || !c->inited || ops->factor == NULL || strcmp(ops->factor, factor) != 0)
            continue;
        out->ops = ops;
        out->state = c->state;
        out->instance = c->name;
        out->why = env_why;
        out->why_arg = c;
        return 0;
    }
    return JUTSU_ENOENT;
}

static const char *env_base_url(void *arg)
{
    struct jutsu_app *app = arg;
    for (size_t i = 0; i < app->ninst; i++) {
        const struct jutsu_frontend_ops *ops = jutsu_ctx_frontend(app->inst[i]);
        if (app->inst[i]->inited && JUTSU_OPS_HAS(ops, jutsu_frontend_ops, endpoint))
            return ops->endpoint(app->inst[i]->state);
    }
    return NULL;
}

static jutsu_time_t env_now(void *arg)
{
    return jutsu_app_now(arg);
}

static int env_publish(void *arg, const char *topic, json_object *payload)
{
    struct jutsu_app *app = arg;
    if (app->bus == NULL) {
        json_object_put(payload);
        return 0;
    }
    return jutsu_bus_publish(app->bus, "host", topic, payload);
}

/* Auth keeps a pointer to the first copy of the settings: the config's
 * load fills that copy in place (core/host/app.c), and `auth` is a section
 * a reload does not apply (app_reload.h), so the copy stays right. Were it
 * made reloadable, auth would have to read jutsu_app_settings() at each use. */
int jutsu_app_auth_new(struct jutsu_app *app)
{
    struct jutsu_auth_env env = {
        .settings = &jutsu_app_settings(app)->auth,
        .store    = env_store,
        .factor   = env_factor,
        .base_url = env_base_url,
        .now      = env_now,
        .publish  = env_publish,
        .arg      = app,
    };
    return jutsu_auth_new(&env, &app->auth);
}
