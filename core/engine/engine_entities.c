/*
 * core/engine/engine_entities.c — entities, a strategy's parameters and last state.
 *
 * The entities are the EOD job's (core/host/entities.h): every strategy
 * instance, then the baselines. A strategy's parameters are its file's
 * with the active overrides merged as the trading job merges them
 * (core/trading/params.h, the code under `jutsu config show`). Its last
 * state is what the trading job wrote at its last run: the newest
 * performance_snapshots row (or, once snapshots are pruned, the newest
 * daily_performance row), with the trader's record in system_state.
 *
 * Target weights: the trading job keeps the weights it last committed in
 * the strategy plugin's own saved state, by position in the plugin's
 * symbol list, which only the plugin reads. Until the trader's record
 * carries them by symbol ("targets": {SYMBOL: weight}, read when there),
 * they are the weights held at the last run's close: each position's
 * value over the equity (target_weights_from says which).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "base/tz.h"
#include "engine/engine_int.h"
#include "host/entities.h"
#include "store/data_api.h"
#include "store/store.h"
#include "trading/params.h"

#define MASK "********"

/* --- finding them ------------------------------------------------------------ */

static int load_entities(struct jutsu_app *app, struct jutsu_entities *e,
                         struct json_object **out)
{
    char err[512] = "";
    int rc = jutsu_entities_load(app, e, err, sizeof(err));
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "config_error", NULL, "%s",
                                 err[0] ? err : jutsu_strerror(rc));
    return 0;
}

/* "a, b, c" of the strategies, or "none". */
static void strategy_list(const struct jutsu_entities *e, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < e->nstrategies && used + 1 < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", e->v[i].id);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
    if (e->nstrategies == 0)
        snprintf(buf, n, "none");
}

/* The strategy `id` names: an instance of that name, else for "primary"
 * the first one (the original's primary strategy). */
static int find_strategy(const struct jutsu_entities *e, const char *id,
                         const struct jutsu_entity **x, struct json_object **out)
{
    char list[400];
    if (id == NULL || *id == '\0')
        return jutsu_engine_fail(out, JUTSU_EINVAL, "invalid", NULL, "id: required");
    *x = jutsu_entities_find(e, id, "strategy", NULL);
    if (*x == NULL && strcmp(id, "primary") == 0 && e->nstrategies > 0)
        *x = &e->v[0];
    if (*x != NULL)
        return 0;
    strategy_list(e, list, sizeof(list));
    if (jutsu_entities_find(e, id, "baseline", NULL) != NULL)
        return jutsu_engine_fail(out, JUTSU_ENOENT, "not_found", NULL,
                                 "%.64s is a baseline, not a strategy; strategies: %s", id, list);
    return jutsu_engine_fail(out, JUTSU_ENOENT, "not_found", NULL,
                             "no strategy \"%.64s\" in the config; strategies: %s", id, list);
}

/* --- entities ------------------------------------------------------------------ */

static json_object *entity_json(const struct jutsu_entities *e, const struct jutsu_entity *x)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    json_object_object_add(o, "id", json_object_new_string(x->id));
    json_object_object_add(o, "type", json_object_new_string(x->type_name));
    if (x->inst)
        json_object_object_add(o, "plugin",
                               json_object_new_string(jutsu_ctx_plugin(x->inst)->name));
    json_object_object_add(o, "mode", json_object_new_string(x->mode));
    if (x->symbol)
        json_object_object_add(o, "symbol", json_object_new_string(x->symbol));
    json_object_object_add(o, "primary", json_object_new_boolean(e->nstrategies > 0 &&
                                                                 x == &e->v[0]));
    json_object_object_add(o, "initial_capital", jutsu_json_money(x->initial_capital));
    return o;
}

int jutsu_engine_entities(jutsu_ctx *ctx, struct json_object **out)
{
    struct jutsu_entities e;
    int rc = load_entities(ctx->app, &e, out);
    if (rc != 0)
        return rc;
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr && i < e.n; i++) {
        json_object *o = entity_json(&e, &e.v[i]);
        if (o == NULL || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            json_object_put(arr);
            arr = NULL;
        }
    }
    jutsu_entities_free(&e);
    if (arr == NULL)
        return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
    *out = arr;
    return 0;
}

/* --- a strategy's parameters ---------------------------------------------------- */

static const char *type_name(const struct jutsu_cfg_key *k)
{
    const char *t = jutsu_params_value_type(k);
    if (t)
        return t;
    return k->type == JUTSU_CFG_LIST ? "list" : k->type == JUTSU_CFG_MAP ? "map" : "any";
}

/* A value given as text (a default, an override that no longer applies)
 * typed as its key reads it. */
static json_object *typed_text(const struct jutsu_cfg_key *k, const char *text)
{
    if (text == NULL)
        return NULL;
    if (k->flags & JUTSU_CFG_SECRET)
        return json_object_new_string(MASK);
    char *end = NULL;
    switch (k->type) {
    case JUTSU_CFG_INT: {
        long long v = strtoll(text, &end, 10);
        if (end != text && *end == '\0')
            return json_object_new_int64(v);
        break;
    }
    case JUTSU_CFG_DOUBLE: {
        double v = strtod(text, &end);
        if (end != text && *end == '\0' && isfinite(v))
            return json_object_new_double_s(v, text);
        break;
    }
    case JUTSU_CFG_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
            return json_object_new_boolean(text[0] == 't');
        break;
    default:
        break;
    }
    return json_object_new_string(text);
}

/* A copy of the member `key` of a JSON map (masked as the dump masks). */
static json_object *member(json_object *map, const char *key)
{
    json_object *v = NULL;
    if (map == NULL || !json_object_object_get_ex(map, key, &v))
        return NULL;
    json_object *c = NULL;
    return json_object_deep_copy(v, &c, NULL) == 0 ? c : NULL;
}

static json_object *override_json(const struct jutsu_cfg_key *k, const struct jutsu_params_ov *o,
                                  json_object *eff)
{
    json_object *x = json_object_new_object();
    if (x == NULL)
        return NULL;
    /* the value in effect reads as the config reads it, masked alike */
    json_object *v = o->eff ? member(eff, k->name) : typed_text(k, o->value);
    json_object_object_add(x, "value", v);
    json_object_object_add(x, "reason", o->reason ? json_object_new_string(o->reason) : NULL);
    json_object_object_add(x, "changed_by", o->by ? json_object_new_string(o->by) : NULL);
    json_object_object_add(x, "created_at", jutsu_json_time(o->at));
    json_object_object_add(x, "applies", json_object_new_boolean(o->eff != NULL));
    return x;
}

static json_object *param_json(const struct jutsu_ctx *inst, const struct jutsu_cfg_key *k,
                               const struct jutsu_params_inst *io, json_object *eff,
                               json_object *file)
{
    json_object *p = json_object_new_object();
    if (p == NULL)
        return NULL;
    jutsu_cfg_node *fn = jutsu_cfg_map_get(inst->yaml_config, k->name);
    json_object_object_add(p, "name", json_object_new_string(k->name));
    json_object_object_add(p, "type", json_object_new_string(type_name(k)));
    json_object_object_add(p, "overridable",
                           json_object_new_boolean(jutsu_params_value_type(k) != NULL));
    json_object_object_add(p, "value", member(eff, k->name));
    json_object_object_add(p, "file_value", fn && !fn->is_default ? member(file, k->name)
                                                                  : NULL);
    json_object_object_add(p, "default", typed_text(k, k->def));
    if (k->help)
        json_object_object_add(p, "help", json_object_new_string(k->help));
    for (size_t i = 0; io && i < io->n; i++)
        if (strcmp(io->v[i].param, k->name) == 0)
            json_object_object_add(p, "override", override_json(k, &io->v[i], eff));
    return p;
}

/* The instance's overrides as `config show` reads them; sh is left empty
 * when no database is configured (then the file is what runs). */
static int read_shown(struct jutsu_app *app, struct jutsu_params_shown *sh,
                      struct json_object **out)
{
    jutsu_dbs *s = NULL;
    memset(sh, 0, sizeof(*sh));
    int rc = jutsu_app_dbs_open(app, &s);
    if (rc == JUTSU_ENOENT)
        return 0;
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "database_unavailable", NULL,
                                 "cannot open a database session: %s", jutsu_strerror(rc));
    if ((rc = jutsu_params_shown_read(app, s, sh)) != 0)
        jutsu_engine_fail(out, rc, "database_error", NULL, "%s",
                          rc == JUTSU_ENOMEM ? "out of memory" : jutsu_dbs_error(s));
    jutsu_dbs_close(s);
    return rc;
}

static int strategy_answer(const struct jutsu_entities *e, const struct jutsu_entity *x,
                           const struct jutsu_params_inst *io, json_object **out)
{
    const struct jutsu_ctx *inst = x->inst;
    json_object *eff = NULL, *file = NULL, *params = json_object_new_array();
    json_object *o = entity_json(e, x);
    const jutsu_cfg_node *root = io && io->merged ? io->root : inst->yaml_config;
    int rc = o && params ? 0 : JUTSU_ENOMEM;
    if (rc == 0 && root)
        rc = jutsu_cfg_to_json(root, &eff);
    if (rc == 0 && inst->yaml_config)
        rc = jutsu_cfg_to_json(inst->yaml_config, &file);
    for (const struct jutsu_cfg_key *k = jutsu_ctx_plugin(inst)->schema; rc == 0 && k &&
         k->name; k++) {
        json_object *p = param_json(inst, k, io, eff, file);
        if (p == NULL || json_object_array_add(params, p) != 0) {
            json_object_put(p);
            rc = JUTSU_ENOMEM;
        }
    }
    json_object_put(eff);
    json_object_put(file);
    if (rc != 0) {
        json_object_put(params);
        json_object_put(o);
        return jutsu_engine_fail(out, rc, "internal", NULL, "%s", jutsu_strerror(rc));
    }
    json_object_object_add(o, "parameters", params);
    if (io && io->error[0])   /* the trading job refuses them: the file runs */
        json_object_object_add(o, "overrides_error", json_object_new_string(io->error));
    *out = o;
    return 0;
}

int jutsu_engine_strategy(jutsu_ctx *ctx, const char *id, struct json_object **out)
{
    struct jutsu_entities e;
    const struct jutsu_entity *x = NULL;
    struct jutsu_params_shown sh = { 0 };
    int rc = load_entities(ctx->app, &e, out);
    if (rc != 0)
        return rc;
    if ((rc = find_strategy(&e, id, &x, out)) == 0 && (rc = read_shown(ctx->app, &sh, out)) == 0) {
        const struct jutsu_params_inst *io = NULL;
        for (size_t i = 0; i < sh.n; i++)
            if (sh.v[i].inst == x->inst)
                io = &sh.v[i];
        rc = strategy_answer(&e, x, io, out);
    }
    jutsu_params_shown_free(&sh);
    jutsu_entities_free(&e);
    return rc;
}

/* --- a strategy's last state ------------------------------------------------------ */

/* What the last run left: the snapshot's fields, or the daily row's. */
struct last_run {
    const char   *from;                 /* "snapshot" or "daily_performance" */
    jutsu_date_t  date;
    jutsu_time_t  at;                   /* snapshots: the instant; else 0    */
    const char   *snapshot_source;
    jutsu_money_t equity, cash, positions_value, sma_fast, sma_slow;
    int32_t       cell;
    const char   *trend_state, *vol_state, *positions_json;
    double        t_norm, z_score;
};

static json_object *text_or_null(const char *t)
{
    return t && *t ? json_object_new_string(t) : NULL;
}

/* The weights held at the close: each position's value over the equity. */
static json_object *held_weights(json_object *positions, jutsu_money_t equity)
{
    json_object *w = json_object_new_object();
    size_t n = positions && json_object_is_type(positions, json_type_array)
             ? json_object_array_length(positions) : 0;
    for (size_t i = 0; w && i < n; i++) {
        json_object *p = json_object_array_get_idx(positions, i), *sym, *val;
        jutsu_money_t v;
        if (!json_object_object_get_ex(p, "symbol", &sym) ||
            !json_object_object_get_ex(p, "value", &val) ||
            jutsu_money_parse(json_object_get_string(val), -1, JUTSU_MONEY_EXACT, &v) != 0 ||
            equity <= 0)
            continue;
        json_object_object_add(w, json_object_get_string(sym),
                               jutsu_json_ratio((double)v / (double)equity, 6));
    }
    return w;
}

static json_object *state_json(const struct jutsu_entity *x, const struct last_run *r)
{
    json_object *o = json_object_new_object(), *ind = json_object_new_object();
    if (o == NULL || ind == NULL) {
        json_object_put(o);
        json_object_put(ind);
        return NULL;
    }
    json_object_object_add(o, "strategy", json_object_new_string(x->id));
    json_object_object_add(o, "mode", json_object_new_string(x->mode));
    json_object_object_add(o, "date", jutsu_json_date(r->date));
    json_object_object_add(o, "at", jutsu_json_time(r->at));
    json_object_object_add(o, "from", json_object_new_string(r->from));
    if (r->snapshot_source)
        json_object_object_add(o, "snapshot_source", text_or_null(r->snapshot_source));
    json_object_object_add(o, "cell", r->cell == JUTSU_INT_NULL ? NULL
                                                                : json_object_new_int(r->cell));
    json_object_object_add(o, "trend_state", text_or_null(r->trend_state));
    json_object_object_add(o, "vol_state", text_or_null(r->vol_state));
    json_object_object_add(o, "t_norm", jutsu_json_ratio(r->t_norm, 6));
    json_object_object_add(o, "z_score", jutsu_json_ratio(r->z_score, 6));
    json_object_object_add(ind, "sma_fast", jutsu_json_money(r->sma_fast));
    json_object_object_add(ind, "sma_slow", jutsu_json_money(r->sma_slow));
    json_object_object_add(o, "indicators", ind);
    json_object_object_add(o, "equity", jutsu_json_money(r->equity));
    json_object_object_add(o, "cash", jutsu_json_money(r->cash));
    json_object_object_add(o, "positions_value", jutsu_json_money(r->positions_value));
    json_object *pos = r->positions_json ? json_tokener_parse(r->positions_json) : NULL;
    if (pos && !json_object_is_type(pos, json_type_array)) {
        json_object_put(pos);
        pos = NULL;
    }
    json_object_object_add(o, "target_weights", held_weights(pos, r->equity));
    json_object_object_add(o, "target_weights_from", json_object_new_string("positions"));
    json_object_object_add(o, "positions", pos ? pos : json_object_new_array());
    return o;
}

/* The trader's record (system_state "strategy.<id>.<mode>"): the days it
 * covers, and the committed targets by symbol when it carries them. */
static int add_record(jutsu_dbs *s, const struct jutsu_entity *x, json_object *o)
{
    char key[160];
    int type;
    const char *text = NULL;
    snprintf(key, sizeof(key), "strategy.%s.%s", x->id, x->mode);
    int rc = jutsu_data_state_get(s, key, &type, &text);
    if (rc == JUTSU_ENOENT)
        return 0;
    if (rc != 0)
        return rc;
    json_object *rec = type == JUTSU_STATE_JSON && text ? json_tokener_parse(text) : NULL, *v;
    if (rec && json_object_is_type(rec, json_type_object)) {
        static const char *const days[] = { "first_date", "last_date" };
        for (size_t i = 0; i < 2; i++)
            if (json_object_object_get_ex(rec, days[i], &v))
                json_object_object_add(o, days[i], json_object_get(v));
        if (json_object_object_get_ex(rec, "targets", &v) &&
            json_object_is_type(v, json_type_object)) {
            json_object_object_add(o, "target_weights", json_object_get(v));
            json_object_object_add(o, "target_weights_from", json_object_new_string("strategy"));
        }
    }
    json_object_put(rec);
    return 0;
}

/* The newest snapshot, else the newest daily row: JUTSU_ENOENT when the
 * strategy never ran. *o made from it before the session reads again
 * (the row's text lives until then). */
static int last_run(struct jutsu_app *app, jutsu_dbs *s, const struct jutsu_entity *x,
                    json_object **o)
{
    struct jutsu_snapshot_row sn;
    struct last_run r = { .from = "snapshot" };
    int rc = jutsu_data_snapshot_latest(s, x->id, x->mode, INT64_MAX / 2, &sn);
    if (rc == 0) {
        r.at = sn.ts;
        if (jutsu_tz_local_date(app->tz, sn.ts, &r.date, NULL) != 0)
            r.date = jutsu_time_to_date(sn.ts);
        r.snapshot_source = sn.snapshot_source;
        r.equity = sn.total_equity;
        r.cash = sn.cash;
        r.positions_value = sn.positions_value;
        r.sma_fast = sn.sma_fast;
        r.sma_slow = sn.sma_slow;
        r.cell = sn.strategy_cell;
        r.trend_state = sn.trend_state;
        r.vol_state = sn.vol_state;
        r.positions_json = sn.positions_json;
        r.t_norm = sn.t_norm;
        r.z_score = sn.z_score;
    } else if (rc == JUTSU_ENOENT) {
        struct jutsu_daily_perf_row d;
        rc = jutsu_data_daily_perf_prev(s, "strategy", x->id, x->mode,
                                        jutsu_date_from_ymd(9999, 12, 31), &d);
        if (rc != 0)
            return rc;
        r.from = "daily_performance";
        r.date = d.trading_date;
        r.equity = d.total_equity;
        r.cash = d.cash;
        r.positions_value = d.positions_value;
        r.sma_fast = d.sma_fast;
        r.sma_slow = d.sma_slow;
        r.cell = d.strategy_cell;
        r.trend_state = d.trend_state;
        r.vol_state = d.vol_state;
        r.positions_json = d.positions_json;
        r.t_norm = d.t_norm;
        r.z_score = d.z_score;
    } else {
        return rc;
    }
    return (*o = state_json(x, &r)) ? 0 : JUTSU_ENOMEM;
}

int jutsu_engine_strategy_state(jutsu_ctx *ctx, const char *id, struct json_object **out)
{
    struct jutsu_entities e;
    const struct jutsu_entity *x = NULL;
    jutsu_dbs *s = NULL;
    json_object *o = NULL;
    int rc = load_entities(ctx->app, &e, out);
    if (rc != 0)
        return rc;
    if ((rc = find_strategy(&e, id, &x, out)) != 0)
        goto done;
    if ((rc = jutsu_app_dbs_open(ctx->app, &s)) != 0) {
        jutsu_engine_fail(out, rc, rc == JUTSU_ENOENT ? "no_database" : "database_unavailable",
                          NULL, "cannot open a database session: %s", jutsu_strerror(rc));
        goto done;
    }
    rc = last_run(ctx->app, s, x, &o);
    if (rc == 0)
        rc = add_record(s, x, o);
    if (rc == JUTSU_ENOENT)
        jutsu_engine_fail(out, rc, "not_found", "the trading job (`jutsu trade run`, or the "
                          "scheduler's trade slot) records a run",
                          "strategy %s (%s) has never run: no snapshot and no daily "
                          "performance row", x->id, x->mode);
    else if (rc == JUTSU_ENOMEM)
        jutsu_engine_fail(out, rc, "internal", NULL, "out of memory");
    else if (rc != 0)
        jutsu_engine_fail(out, rc, "database_error", NULL, "%s", jutsu_dbs_error(s));
    else
        *out = o;
    if (rc != 0)
        json_object_put(o);
done:
    jutsu_dbs_close(s);
    jutsu_entities_free(&e);
    return rc;
}
