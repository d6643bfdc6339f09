/*
 * core/engine/engine_backtest.c — backtests on request (POST /api/backtest):
 * the CLI's backtest (core/jobs/backtest.h) behind a checked request, at
 * most backtest.max_concurrent at once and backtest.max_seconds each.
 *
 * The request is checked whole before anything runs, so that every
 * refusal names the member at fault: a 400 costs nothing, a run costs a
 * database transaction and a strategy instance. The bound on concurrency
 * is a counter under the engine's lock, taken before the run and given
 * back after it; a request beyond it is refused at once (no queue: a
 * client retries), so a burst of requests cannot pile up runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "base/clock.h"
#include "engine/engine_int.h"
#include "host/entities.h"
#include "jobs/backtest.h"
#include "trading/params.h"

/* A request names at most this many parameters, each value this long. */
#define BT_MAX_PARAMS    64
#define BT_MAX_VALUE_LEN 256

struct bt_request {
    struct jutsu_backtest_opts o;
    struct jutsu_param         params[BT_MAX_PARAMS];
    char                       values[BT_MAX_PARAMS][BT_MAX_VALUE_LEN + 1];
    char                       strategy[64];
};

/* A 400 whose message starts with the member at fault. */
static int invalid(json_object **out, const char *fmt, ...) JUTSU_PRINTF(2, 3);
static int invalid(json_object **out, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return jutsu_engine_fail(out, JUTSU_EINVAL, "invalid_request", NULL, "%s", msg);
}

static int date_member(json_object *req, const char *key, jutsu_date_t *d, json_object **out)
{
    json_object *v;
    if (!json_object_object_get_ex(req, key, &v) || v == NULL)
        return invalid(out, "%s: required, a date YYYY-MM-DD", key);
    if (!json_object_is_type(v, json_type_string))
        return invalid(out, "%s: a date YYYY-MM-DD as a string, not %s", key,
                       jutsu_json_type_name(v));
    if (jutsu_date_parse(json_object_get_string(v), json_object_get_string_len(v), d) != 0)
        return invalid(out, "%s: \"%s\" is not a date that exists (YYYY-MM-DD)", key,
                       json_object_get_string(v));
    return 0;
}

/* capital: "10000.50" or 10000.5, > 0, exact to the micro-unit. A number
 * is read from its JSON text (json-c keeps it), never through a double. */
static int capital_member(json_object *req, jutsu_money_t *m, json_object **out)
{
    json_object *v;
    *m = 0;
    if (!json_object_object_get_ex(req, "capital", &v) || v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int) &&
        !json_object_is_type(v, json_type_double))
        return invalid(out, "%s: an amount (\"10000\" or 10000), not %s", "capital",
                       jutsu_json_type_name(v));
    const char *text = json_object_get_string(v);
    if (jutsu_money_parse(text, -1, JUTSU_MONEY_EXACT, m) != 0 || *m <= 0)
        return invalid(out, "%s: \"%s\" is not a positive amount with at most 6 decimals",
                       "capital", text);
    return 0;
}

/* strategy: a strategy instance of the config whose instance runs. */
static int strategy_member(struct jutsu_app *app, json_object *req, struct bt_request *b,
                           const struct jutsu_entity **ent, struct jutsu_entities *ents,
                           json_object **out)
{
    json_object *v;
    char err[512] = "", list[256] = "";
    if (!json_object_object_get_ex(req, "strategy", &v) || v == NULL)
        return invalid(out, "strategy: required, the id of a strategy instance");
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0 ||
        json_object_get_string_len(v) >= (int)sizeof(b->strategy))
        return invalid(out, "%s: a strategy instance's id (a string of 1 to 63 characters), "
                       "not %s", "strategy", jutsu_json_type_name(v));
    snprintf(b->strategy, sizeof(b->strategy), "%s", json_object_get_string(v));
    int rc = jutsu_entities_load(app, ents, err, sizeof(err));
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "config", NULL, "the config's entities: %s",
                                 err[0] ? err : jutsu_strerror(rc));
    *ent = jutsu_entities_find(ents, b->strategy, "strategy", NULL);
    if (*ent != NULL)
        return 0;
    size_t used = 0;
    for (size_t i = 0; i < ents->nstrategies && used < sizeof(list); i++) {
        int k = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
                         ents->v[i].id);
        used += k > 0 ? (size_t)k : 0;
    }
    return invalid(out, "strategy: no strategy instance \"%s\" in the config; strategy "
                   "instances: %s", b->strategy, used ? list : "none");
}

/* parameters: {name: value} of the strategy's plugin, as `jutsu config
 * override set` takes them; checked now against the plugin's schema. */
static int params_member(json_object *req, const struct jutsu_entity *ent, struct bt_request *b,
                         json_object **out)
{
    json_object *p;
    if (!json_object_object_get_ex(req, "parameters", &p) || p == NULL)
        return 0;
    if (!json_object_is_type(p, json_type_object))
        return invalid(out, "%s: an object {name: value}, not %s", "parameters",
                       jutsu_json_type_name(p));
    if (json_object_object_length(p) > BT_MAX_PARAMS)
        return invalid(out, "parameters: at most %d", BT_MAX_PARAMS);
    json_object_object_foreach(p, name, v) {
        char member[96];
        snprintf(member, sizeof(member), "parameters.%.64s", name);
        const struct jutsu_cfg_key *k = jutsu_params_key(ent->inst, name);
        if (k == NULL || jutsu_params_value_type(k) == NULL)
            return invalid(out, "%s: not a parameter of %s that can be set", member,
                           ent->id);
        if (v == NULL || json_object_is_type(v, json_type_object) ||
            json_object_is_type(v, json_type_array))
            return invalid(out, "%s: a string, number or boolean, not %s", member,
                           jutsu_json_type_name(v));
        const char *text = json_object_get_string(v);
        if (strlen(text) > BT_MAX_VALUE_LEN)
            return invalid(out, "%s: a value longer than %d characters", member,
                       BT_MAX_VALUE_LEN);
        snprintf(b->values[b->o.nparams], sizeof(b->values[0]), "%s", text);
        b->params[b->o.nparams].name = k->name;   /* the schema's: outlives the request */
        b->params[b->o.nparams].value = b->values[b->o.nparams];
        b->o.nparams++;
    }
    b->o.params = b->params;
    /* the values against their types, as the run will merge them */
    jutsu_cfg *cfg = NULL;
    jutsu_cfg_node *root = NULL;
    char err[512] = "";
    int rc = jutsu_params_merge(ent->inst, b->params, b->o.nparams, &cfg, &root, err,
                                sizeof(err));
    jutsu_cfg_free(cfg);
    if (rc == JUTSU_ECONFIG)
        return invalid(out, "%s: %s", "parameters", err);
    return rc ? jutsu_engine_fail(out, rc, "internal", NULL, "%s", jutsu_strerror(rc)) : 0;
}

static const char *const members[] = { "strategy", "from", "to", "capital", "parameters", NULL };

static int check_request(struct jutsu_app *app, json_object *req, struct bt_request *b,
                         struct jutsu_entities *ents, json_object **out)
{
    const struct jutsu_entity *ent = NULL;
    int rc;
    if (req == NULL || !json_object_is_type(req, json_type_object))
        return invalid(out, "%s: the request must be a JSON object, not %s", "body",
                       jutsu_json_type_name(req));
    json_object_object_foreach(req, key, val) {
        size_t i = 0;
        (void)val;
        while (members[i] && strcmp(members[i], key) != 0)
            i++;
        if (members[i] == NULL)
            return invalid(out, "%.64s: not a member of a backtest request (strategy, from, "
                           "to, capital, parameters)", key);
    }
    if ((rc = strategy_member(app, req, b, &ent, ents, out)) != 0 ||
        (rc = date_member(req, "from", &b->o.from, out)) != 0 ||
        (rc = date_member(req, "to", &b->o.to, out)) != 0)
        return rc;
    if (b->o.from > b->o.to)
        return invalid(out, "from: after to");
    if ((rc = capital_member(req, &b->o.capital, out)) != 0)
        return rc;
    if (ent->inst == NULL || !ent->inst->inited)
        return jutsu_engine_fail(out, JUTSU_ESTATE, "not_running", NULL,
                                 "strategy %s is not running (its init failed?)", ent->id);
    return params_member(req, ent, b, out);
}

/* A place among the running backtests, or JUTSU_EFULL. */
static int take_slot(struct jutsu_engine_state *st, int64_t max)
{
    int rc = 0;
    pthread_mutex_lock(&st->lock);
    if (st->backtests >= max)
        rc = JUTSU_EFULL;
    else
        st->backtests++;
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static void give_slot(struct jutsu_engine_state *st)
{
    pthread_mutex_lock(&st->lock);
    st->backtests--;
    pthread_mutex_unlock(&st->lock);
}

static int refused(int rc, const struct jutsu_backtest *r, json_object **out)
{
    switch (rc) {
    case JUTSU_EINVAL:
        return jutsu_engine_fail(out, rc, "invalid_request", NULL, "%s", r->error);
    case JUTSU_ENOENT:   /* the config changed under the request */
        return jutsu_engine_fail(out, JUTSU_EINVAL, "invalid_request", NULL, "strategy: %s",
                                 r->error);
    case JUTSU_ETIMEDOUT:
        return jutsu_engine_fail(out, rc, "timed_out", "a shorter range, or a larger "
                                 "backtest.max_seconds", "%s", r->error);
    case JUTSU_EPLUGIN:
        return jutsu_engine_fail(out, rc, "strategy_failed", NULL, "%s", r->error);
    default:
        return jutsu_engine_fail(out, rc, "backtest_failed", NULL, "%s",
                                 r->error[0] ? r->error : jutsu_strerror(rc));
    }
}

int jutsu_engine_backtest(jutsu_ctx *ctx, struct json_object *request,
                          struct json_object **out)
{
    struct jutsu_engine_state *st = jutsu_engine_state_of(ctx);
    *out = NULL;
    if (st == NULL)
        return jutsu_engine_fail(out, JUTSU_ESTATE, "no_engine", NULL, "no engine is attached");
    struct jutsu_app *app = st->app;
    struct bt_request *b = calloc(1, sizeof(*b));
    struct jutsu_backtest *r = calloc(1, sizeof(*r));
    struct jutsu_entities ents = { 0 };
    int rc;
    if (b == NULL || r == NULL) {
        rc = jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
        goto done;
    }
    if ((rc = check_request(app, request, b, &ents, out)) != 0)
        goto done;
    b->o.strategy = b->strategy;
    b->o.series = 1;
    const struct jutsu_settings_backtest *set = &jutsu_app_settings(app)->backtest;
    if ((rc = take_slot(st, set->max_concurrent)) != 0) {
        rc = jutsu_engine_fail(out, rc, "too_many_backtests", "retry when one has ended",
                               "%lld backtest(s) already running (settings "
                               "backtest.max_concurrent)",
                               (long long)set->max_concurrent);
        goto done;
    }
    /* the bound counts from here: waiting for the slot was not running */
    b->o.deadline_us = jutsu_clock_mono_us() + set->max_seconds * 1000000;
    rc = jutsu_backtest_run(app, &b->o, r);
    give_slot(st);
    if (rc != 0) {
        rc = refused(rc, r, out);
        goto done;
    }
    if ((*out = jutsu_backtest_json(r, b->params, b->o.nparams)) == NULL)
        rc = jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
done:
    if (r)
        jutsu_backtest_free(r);
    jutsu_entities_free(&ents);
    free(r);
    free(b);
    return rc;
}
