/*
 * core/engine/engine_config.c — the effective config, its history, overrides.
 *
 * Each is the CLI's code underneath: the config is what `jutsu config show
 * --format json` prints (core/trading/params.h: jutsu_params_config_json,
 * secrets masked by core/config/cfg_dump.c), and set/unset are the rules
 * of `jutsu config override` (jutsu_params_override_set/_unset), which
 * write config_history and publish config.changed.
 */
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "engine/engine_int.h"
#include "store/data_summary.h"
#include "store/store.h"
#include "trading/params.h"

/* Free-text inputs of the API are bounded before anything reads them: the
 * columns they land in are shorter still (the data layer names those). */
#define MAX_NAME   64
#define MAX_VALUE  512
#define MAX_REASON 1024

static int open_session(struct jutsu_app *app, jutsu_dbs **s, struct json_object **out)
{
    int rc = jutsu_app_dbs_open(app, s);
    if (rc == JUTSU_ENOENT)
        return jutsu_engine_fail(out, rc, "no_database", "configure database: in the YAML",
                                 "no database is configured");
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "database_unavailable", NULL,
                                 "cannot open a database session: %s", jutsu_strerror(rc));
    return 0;
}

/* The session's failure as an answer; closes the session. */
static int db_fail(jutsu_dbs *s, int rc, struct json_object **out)
{
    const char *hint = *jutsu_dbs_error_hint(s) ? jutsu_dbs_error_hint(s) : NULL;
    const char *code = rc == JUTSU_EINVAL ? "invalid" : rc == JUTSU_ENOENT ? "not_found"
                                                                           : "database_error";
    rc = jutsu_engine_fail(out, rc, code, hint, "%s", jutsu_dbs_error(s));
    jutsu_dbs_close(s);
    return rc;
}

int jutsu_engine_config(jutsu_ctx *ctx, struct json_object **out)
{
    struct jutsu_app *app = ctx->app;
    struct jutsu_params_shown sh = { 0 };
    jutsu_dbs *s = NULL;
    int have = 0, rc = jutsu_app_dbs_open(app, &s);
    /* without a database there is no override: the file is what runs; a
     * database that cannot be read is not shown as "no override" */
    if (rc != 0 && rc != JUTSU_ENOENT)
        return jutsu_engine_fail(out, rc, "database_unavailable", NULL,
                                 "the active overrides cannot be read: %s", jutsu_strerror(rc));
    if (rc == 0) {
        if ((rc = jutsu_params_shown_read(app, s, &sh)) != 0)
            return db_fail(s, rc, out);
        jutsu_dbs_close(s);
        have = 1;
    }
    rc = jutsu_params_config_json(app, have ? &sh : NULL, out);
    jutsu_params_shown_free(&sh);
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "internal", NULL, "the config cannot be shown: %s",
                                 jutsu_strerror(rc));
    return 0;
}

struct history_out {
    json_object *arr;
    int          oom;
};

static json_object *str_or_null(const char *v)
{
    return v ? json_object_new_string(v) : NULL;
}

static int take_history(const void *row, void *arg)
{
    const struct jutsu_history_row *h = row;
    struct history_out *x = arg;
    json_object *o = json_object_new_object();
    if (o == NULL || json_object_array_add(x->arr, o) != 0) {
        json_object_put(o);
        x->oom = 1;
        return JUTSU_ENOMEM;
    }
    json_object_object_add(o, "id", json_object_new_int64(h->id));
    json_object_object_add(o, "strategy", str_or_null(h->strategy_id));
    json_object_object_add(o, "parameter", str_or_null(h->parameter_name));
    json_object_object_add(o, "old_value", str_or_null(h->old_value));
    json_object_object_add(o, "new_value", str_or_null(h->new_value));
    json_object_object_add(o, "change_type", str_or_null(h->change_type));
    json_object_object_add(o, "changed_by", str_or_null(h->changed_by));
    json_object_object_add(o, "reason", str_or_null(h->reason));
    json_object_object_add(o, "at", jutsu_json_time(h->ts));
    return 0;
}

int jutsu_engine_config_history(jutsu_ctx *ctx, const char *strategy, int64_t offset,
                                int64_t limit, struct json_object **out)
{
    if (offset < 0)
        return jutsu_engine_fail(out, JUTSU_EINVAL, "invalid", NULL,
                                 "offset: %lld is negative", (long long)offset);
    if (limit < 1)
        return jutsu_engine_fail(out, JUTSU_EINVAL, "invalid", NULL,
                                 "limit: %lld is not a positive count", (long long)limit);
    if (strategy && strlen(strategy) > MAX_NAME)
        return jutsu_engine_fail(out, JUTSU_EINVAL, "invalid", NULL,
                                 "strategy: longer than %d characters", MAX_NAME);
    jutsu_dbs *s = NULL;
    int rc = open_session(ctx->app, &s, out);
    if (rc != 0)
        return rc;
    struct history_out x = { .arr = json_object_new_array() };
    rc = x.arr ? jutsu_data_history_page(s, strategy, offset, limit, take_history, &x)
               : JUTSU_ENOMEM;
    if (rc != 0) {
        json_object_put(x.arr);
        if (x.oom || rc == JUTSU_ENOMEM) {
            jutsu_dbs_close(s);
            return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
        }
        return db_fail(s, rc, out);
    }
    jutsu_dbs_close(s);
    *out = x.arr;
    return 0;
}

/* The inputs of a change: present and bounded, each named when it is not. */
static int check_inputs(const char *strategy, const char *parameter, const char *value,
                        int want_value, const char *reason, const char *by,
                        struct json_object **out)
{
    const struct { const char *name, *v; size_t max; int required; } in[] = {
        { "strategy", strategy, MAX_NAME, 1 }, { "parameter", parameter, MAX_NAME, 1 },
        { "value", value, MAX_VALUE, want_value }, { "reason", reason, MAX_REASON, 0 },
        { "by", by, MAX_NAME, 0 },
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        if (in[i].v == NULL ? in[i].required : strlen(in[i].v) > in[i].max)
            return jutsu_engine_fail(out, JUTSU_EINVAL, "invalid", NULL, in[i].v == NULL
                                     ? "%s: required" : "%s: longer than %zu characters",
                                     in[i].name, in[i].max);
    }
    return 0;
}

/* A change's answer: {strategy, parameter, value, previous}; value is null
 * once an override is unset (the file's value applies: `file_value`). */
static json_object *change_json(const struct jutsu_override_change *c)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    json_object_object_add(o, "strategy", json_object_new_string(c->strategy));
    json_object_object_add(o, "parameter", json_object_new_string(c->parameter));
    json_object_object_add(o, "value", c->is_override ? json_object_new_string(c->value)
                                                      : NULL);
    if (!c->is_override)
        json_object_object_add(o, "file_value", json_object_new_string(c->value));
    json_object_object_add(o, "previous", json_object_new_string(c->previous));
    json_object_object_add(o, "previous_was_override",
                           json_object_new_boolean(c->was_override));
    return o;
}

/* The answer of a change that failed: ours (err), or the session's. */
static int change_failed(jutsu_dbs *s, int rc, const char *err, struct json_object **out)
{
    if (err[0] == '\0')
        return db_fail(s, rc, out);
    jutsu_dbs_close(s);
    return jutsu_engine_fail(out, rc, rc == JUTSU_EINVAL ? "invalid" : rc == JUTSU_ENOENT
                             ? "not_found" : "internal", NULL, "%s", err);
}

static int change_done(jutsu_dbs *s, const struct jutsu_override_change *c,
                       struct json_object **out)
{
    jutsu_dbs_close(s);
    if ((*out = change_json(c)) == NULL)
        return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
    return 0;
}

int jutsu_engine_override_set(jutsu_ctx *ctx, const char *strategy, const char *parameter,
                              const char *value, const char *reason, const char *by,
                              struct json_object **out)
{
    int rc = check_inputs(strategy, parameter, value, 1, reason, by, out);
    jutsu_dbs *s = NULL;
    if (rc != 0 || (rc = open_session(ctx->app, &s, out)) != 0)
        return rc;
    struct jutsu_override_change c;
    char err[600];
    rc = jutsu_params_override_set(ctx->app, s, strategy, parameter, value, reason,
                                   by ? by : "api", &c, err, sizeof(err));
    return rc != 0 ? change_failed(s, rc, err, out) : change_done(s, &c, out);
}

int jutsu_engine_override_unset(jutsu_ctx *ctx, const char *strategy, const char *parameter,
                                const char *reason, const char *by, struct json_object **out)
{
    int rc = check_inputs(strategy, parameter, NULL, 0, reason, by, out);
    jutsu_dbs *s = NULL;
    if (rc != 0 || (rc = open_session(ctx->app, &s, out)) != 0)
        return rc;
    struct jutsu_override_change c;
    char err[600];
    rc = jutsu_params_override_unset(ctx->app, s, strategy, parameter, reason,
                                     by ? by : "api", &c, err, sizeof(err));
    return rc != 0 ? change_failed(s, rc, err, out) : change_done(s, &c, out);
}
