/*
 * core/trading/params.c — a strategy instance's parameters (see params.h).
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "base/log.h"
#include "trading/params.h"

const char *jutsu_params_value_type(const struct jutsu_cfg_key *key)
{
    switch (key->type) {
    case JUTSU_CFG_INT:    return "int";
    case JUTSU_CFG_DOUBLE: return "float";
    case JUTSU_CFG_MONEY:  return "decimal";
    case JUTSU_CFG_BOOL:   return "bool";
    case JUTSU_CFG_STR:
    case JUTSU_CFG_ENUM:   return "str";
    default:               return NULL;
    }
}

const struct jutsu_cfg_key *jutsu_params_key(const struct jutsu_ctx *inst, const char *name)
{
    for (const struct jutsu_cfg_key *k = jutsu_ctx_plugin(inst)->schema; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static void allowed(const struct jutsu_ctx *inst, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const struct jutsu_cfg_key *k = jutsu_ctx_plugin(inst)->schema; k && k->name; k++) {
        if (jutsu_params_value_type(k) == NULL)
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", k->name);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

int jutsu_params_merge(const struct jutsu_ctx *inst, const struct jutsu_param *over, size_t n,
                       jutsu_cfg **out, jutsu_cfg_node **root_out, char *err, size_t errsz)
{
    const struct jutsu_plugin *d = jutsu_ctx_plugin(inst);
    jutsu_cfg *cfg = NULL;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct jutsu_cfg_key *k = jutsu_params_key(inst, over[i].name);
        if (k == NULL || jutsu_params_value_type(k) == NULL) {
            char list[600];
            allowed(inst, list, sizeof(list));
            snprintf(err, errsz, "%s is not a parameter of %s (plugin %s)%s; parameters: %s",
                     over[i].name, inst->name, d->name, k ? " that can be overridden" : "",
                     list);
            return JUTSU_ECONFIG;
        }
    }
    int rc = jutsu_cfg_new(&cfg);
    if (rc != 0)
        return rc;
    jutsu_cfg_node *root = jutsu_cfg_root(cfg), *yaml = inst->yaml_config;
    /* the file's own values (not the defaults: validation fills those) */
    for (size_t i = 0; rc == 0 && yaml && i < yaml->n; i++) {
        const jutsu_cfg_node *v = yaml->items[i];
        if (v->is_default)
            continue;
        if (v->kind != JUTSU_CFG_NODE_SCALAR) {
            snprintf(err, errsz, "%s: config key %s is not a plain value; parameters can only "
                     "be overridden in a config of plain values", inst->name, yaml->keys[i]);
            rc = JUTSU_ECONFIG;
            break;
        }
        rc = jutsu_cfg_set(cfg, root, yaml->keys[i], v->is_null ? "" : v->text, v->file);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = jutsu_cfg_set(cfg, root, over[i].name, over[i].value, "config_overrides");
    if (rc == 0) {
        struct jutsu_diag diag;
        char what[160];
        jutsu_diag_init(&diag);
        snprintf(what, sizeof(what), "strategy %s (plugin %s)", inst->name, d->name);
        rc = jutsu_cfg_validate(cfg, root, d->schema, what, &diag);
        if (rc != 0)
            snprintf(err, errsz, "%s", jutsu_diag_count(&diag) ? jutsu_diag_line(&diag, 0)
                                                               : jutsu_strerror(rc));
        jutsu_diag_free(&diag);
    } else if (err[0] == '\0') {
        snprintf(err, errsz, "%s", jutsu_strerror(rc));
    }
    if (rc != 0) {
        jutsu_cfg_free(cfg);
        return rc;
    }
    *out = cfg;
    *root_out = root;
    return 0;
}

struct collect {
    struct jutsu_param *v;
    size_t n, cap;
    int oom;
};

static int take_override(const void *row, void *arg)
{
    const struct jutsu_override_row *o = row;
    struct collect *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct jutsu_param *v = realloc(c->v, cap * sizeof(*v));
        if (v == NULL) {
            c->oom = 1;
            return JUTSU_ENOMEM;
        }
        c->v = v;
        c->cap = cap;
    }
    struct jutsu_param *p = &c->v[c->n];
    p->name = strdup(o->parameter_name);
    p->value = strdup(o->override_value ? o->override_value : "");
    c->n++;
    if (p->name == NULL || p->value == NULL) {
        c->oom = 1;
        return JUTSU_ENOMEM;
    }
    return 0;
}

int jutsu_params_active(jutsu_dbs *s, const char *strategy, struct jutsu_param **over, size_t *n)
{
    struct collect c = { 0 };
    int rc = jutsu_data_overrides_active(s, strategy, take_override, &c);
    if (c.oom)
        rc = JUTSU_ENOMEM;
    if (rc != 0) {
        jutsu_params_free(c.v, c.n);
        return rc;
    }
    *over = c.v;
    *n = c.n;
    return 0;
}

void jutsu_params_free(struct jutsu_param *over, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)over[i].name);
        free((char *)over[i].value);
    }
    free(over);
}

char *jutsu_params_json(const jutsu_cfg_node *root)
{
    json_object *o = NULL;
    if (jutsu_cfg_to_json(root, &o) != 0)
        return NULL;
    char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

int jutsu_params_reinit(struct jutsu_ctx *inst, jutsu_cfg *cfg, jutsu_cfg_node *root,
                        char *err, size_t errsz)
{
    const struct jutsu_plugin *d = jutsu_ctx_plugin(inst);
    jutsu_cfg_node *old = inst->config;
    if (inst->inited) {
        if (inst->started && d->stop)
            d->stop(inst->state);
        d->destroy(inst->state);
        inst->state = NULL;
        inst->inited = inst->started = 0;
    }
    inst->config = root;
    inst->error[0] = '\0';
    int rc = d->init(&inst->app->host, inst, &inst->state);
    if (rc == 0 && d->start && (rc = d->start(inst->state)) != 0)
        d->destroy(inst->state);
    if (rc == 0) {
        inst->inited = inst->started = 1;
        jutsu_cfg_free(inst->own_cfg);
        inst->own_cfg = cfg;
        return 0;
    }
    snprintf(err, errsz, "%s (plugin %s) refused its new parameters: %s", inst->name, d->name,
             inst->error[0] ? inst->error : jutsu_strerror(rc));
    jutsu_cfg_free(cfg);
    /* back to what it ran with */
    inst->config = old;
    inst->state = NULL;
    if (d->init(&inst->app->host, inst, &inst->state) == 0 &&
        (d->start == NULL || d->start(inst->state) == 0))
        inst->inited = inst->started = 1;
    else
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "%s could not be restarted with its previous "
                  "parameters either", inst->name);
    return rc;
}

/* --- changing overrides ----------------------------------------------------- */

struct jutsu_ctx *jutsu_params_strategy(struct jutsu_app *app, const char *name, char *err,
                                        size_t errsz)
{
    struct jutsu_ctx *c = jutsu_app_find(app, name);
    if (c && jutsu_ctx_plugin(c)->kind == JUTSU_KIND_STRATEGY)
        return c;
    size_t used = 0;
    int w = snprintf(err, errsz, "\"%s\" is not a strategy instance of %s; strategy "
                     "instances: ", name, app->config_path ? app->config_path : "the config");
    used = w > 0 && (size_t)w < errsz ? (size_t)w : errsz - 1;
    int any = 0;
    for (size_t i = 0; i < app->ninst && used + 1 < errsz; i++) {
        if (jutsu_ctx_plugin(app->inst[i])->kind != JUTSU_KIND_STRATEGY)
            continue;
        w = snprintf(err + used, errsz - used, "%s%s", any++ ? ", " : "", app->inst[i]->name);
        used = w > 0 && (size_t)w < errsz - used ? used + (size_t)w : errsz - 1;
    }
    if (!any && used + 1 < errsz)
        snprintf(err + used, errsz - used, "none");
    return NULL;
}

const char *jutsu_params_file_value(const struct jutsu_ctx *inst, const char *param)
{
    jutsu_cfg_node *n = jutsu_cfg_map_get(inst->yaml_config, param);
    if (n && n->kind == JUTSU_CFG_NODE_SCALAR && !n->is_null)
        return n->text;
    const struct jutsu_cfg_key *k = jutsu_params_key(inst, param);
    return k && k->def ? k->def : "";
}

/* The validated value in its canonical spelling (true/false, digits). */
static void canonical(const jutsu_cfg_node *root, const char *param, char *out, size_t n)
{
    jutsu_cfg_node *v = jutsu_cfg_map_get(root, param);
    if (v == NULL) {
        out[0] = '\0';
        return;
    }
    switch (v->type) {
    case JUTSU_CFG_BOOL: snprintf(out, n, "%s", v->i ? "true" : "false"); break;
    case JUTSU_CFG_INT:  snprintf(out, n, "%lld", (long long)v->i); break;
    case JUTSU_CFG_MONEY: {
        char buf[JUTSU_MONEY_BUFSZ];
        jutsu_money_format_short(v->m, buf);
        snprintf(out, n, "%s", buf);
        break;
    }
    default: snprintf(out, n, "%s", v->text ? v->text : "");
    }
}

/* config.changed: the field names of docs/events.md (strategy_id, old,
 * new, changed_by) and the REST issue's (strategy, value: the override
 * in effect after the change, null once unset; by). */
static void publish_changed(struct jutsu_app *app, const struct jutsu_override_change *c,
                            const char *by, const char *reason)
{
    if (app->bus == NULL)
        return;
    json_object *p = json_object_new_object();
    if (p == NULL)
        return;
    json_object_object_add(p, "strategy_id", json_object_new_string(c->strategy));
    json_object_object_add(p, "strategy", json_object_new_string(c->strategy));
    json_object_object_add(p, "parameter", json_object_new_string(c->parameter));
    json_object_object_add(p, "old", json_object_new_string(c->previous));
    json_object_object_add(p, "new", json_object_new_string(c->value));
    json_object_object_add(p, "value", c->is_override ? json_object_new_string(c->value) : NULL);
    json_object_object_add(p, "changed_by", by ? json_object_new_string(by) : NULL);
    json_object_object_add(p, "by", by ? json_object_new_string(by) : NULL);
    json_object_object_add(p, "reason", reason ? json_object_new_string(reason) : NULL);
    int rc = jutsu_bus_publish(app->bus, "host", "config.changed", p);
    if (rc != 0)
        jutsu_log("jutsu", JUTSU_LOG_WARN, "config.changed of %s.%s not published: %s",
                  c->strategy, c->parameter, jutsu_strerror(rc));
}

/* The active override of param among over[0..n), or NULL. */
static const char *active_value(const struct jutsu_param *over, size_t n, const char *param)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(over[i].name, param) == 0)
            return over[i].value;
    return NULL;
}

/* A refusal of the data layer's checks is the caller's input; the rest is
 * the database's. */
static int db_code(int rc)
{
    return rc == JUTSU_ERANGE ? JUTSU_EINVAL : rc;
}

/*
 * The merged config handed to a scratch instance of the plugin, as the YAML's
 * is at start: the host schema cannot say every range (a DOUBLE key carries
 * none; strategy-regime's upper_z is -100..100 only in its own table), so
 * the plugin's init is the one judge of the rest. Without this, an override
 * the schema lets through is refused by every later trade run and backtest
 * instead (issue 15, defect 7). The scratch context shares the instance's
 * name, module and declaration, so the plugin's message reads as the live
 * one's would; it is destroyed at once and never started.
 */
static int trial_init(const struct jutsu_ctx *inst, jutsu_cfg_node *root, const char *param,
                      const char *value, char *err, size_t errsz)
{
    const struct jutsu_plugin *d = jutsu_ctx_plugin(inst);
    struct jutsu_ctx t = {
        .app = inst->app, .name = inst->name, .module = inst->module, .config = root,
        .yaml_config = inst->yaml_config, .decl = inst->decl, .required = inst->required,
    };
    void *state = NULL;
    if (pthread_mutex_init(&t.sub_lock, NULL) != 0) {
        snprintf(err, errsz, "cannot check %s.%s: out of resources", inst->name, param);
        return JUTSU_ENOMEM;
    }
    int rc = d->init(&inst->app->host, &t, &state);
    if (rc == 0)
        d->destroy(state);
    /* what init subscribed to goes with it (a strategy usually holds none) */
    jutsu_host_drop_subscriptions(&t);
    pthread_mutex_destroy(&t.sub_lock);
    if (rc == 0)
        return 0;
    if (rc == JUTSU_ENOMEM) {
        snprintf(err, errsz, "out of memory checking %s.%s", inst->name, param);
        return rc;
    }
    snprintf(err, errsz, "%s (override %s = %s of strategy %s (plugin %s): refused as the "
             "same value in the YAML file would be)", t.error[0] ? t.error : jutsu_strerror(rc),
             param, value, inst->name, d->name);
    return JUTSU_EINVAL;
}

/* The change checked against the others: the merged config must be valid,
 * to the schema and to the plugin; its canonical spelling into canon. */
static int check_merged(const struct jutsu_ctx *inst, const struct jutsu_param *over, size_t n,
                        const char *param, const char *value, char *canon, size_t canonsz,
                        char *err, size_t errsz)
{
    /* the others as they are, this one new or in place of its old value
     * (borrowed pointers: `over` keeps owning the strings) */
    struct jutsu_param *all = calloc(n + 1, sizeof(*all));
    if (all == NULL) {
        snprintf(err, errsz, "out of memory");
        return JUTSU_ENOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(over[i].name, param) != 0)
            all[m++] = over[i];
    all[m++] = (struct jutsu_param){ param, value };
    jutsu_cfg *cfg = NULL;
    jutsu_cfg_node *root = NULL;
    int rc = jutsu_params_merge(inst, all, m, &cfg, &root, err, errsz);
    free(all);
    if (rc != 0)
        return rc == JUTSU_ENOMEM ? rc : JUTSU_EINVAL;
    rc = trial_init(inst, root, param, value, err, errsz);
    if (rc == 0)
        canonical(root, param, canon, canonsz);
    jutsu_cfg_free(cfg);
    return rc;
}

int jutsu_params_override_set(struct jutsu_app *app, jutsu_dbs *s, const char *strategy,
                              const char *param, const char *value, const char *reason,
                              const char *by, struct jutsu_override_change *out, char *err,
                              size_t errsz)
{
    struct jutsu_param *over = NULL;
    size_t n = 0;
    char canon[128];
    err[0] = '\0';
    memset(out, 0, sizeof(*out));
    struct jutsu_ctx *inst = jutsu_params_strategy(app, strategy, err, errsz);
    if (inst == NULL)
        return JUTSU_ENOENT;
    int rc = jutsu_params_active(s, inst->name, &over, &n);
    if (rc != 0)
        return rc;
    const char *old = active_value(over, n, param), *file = jutsu_params_file_value(inst, param);
    snprintf(out->strategy, sizeof(out->strategy), "%s", inst->name);
    snprintf(out->parameter, sizeof(out->parameter), "%s", param);
    snprintf(out->previous, sizeof(out->previous), "%s", old ? old : file);
    out->was_override = old != NULL;
    rc = check_merged(inst, over, n, param, value, canon, sizeof(canon), err, errsz);
    jutsu_params_free(over, n);
    if (rc != 0)
        return rc;
    struct jutsu_override_row row = {
        .strategy_id = inst->name, .parameter_name = param, .original_value = file,
        .override_value = canon, .value_type = jutsu_params_value_type(jutsu_params_key(inst,
                                                                                      param)),
        .is_active = 1, .reason = reason,
    };
    if ((rc = jutsu_data_override_set(s, &row, by)) != 0)
        return db_code(rc);
    snprintf(out->value, sizeof(out->value), "%s", canon);
    out->is_override = 1;
    publish_changed(app, out, by, reason);
    return 0;
}

int jutsu_params_override_unset(struct jutsu_app *app, jutsu_dbs *s, const char *strategy,
                                const char *param, const char *reason, const char *by,
                                struct jutsu_override_change *out, char *err, size_t errsz)
{
    struct jutsu_param *over = NULL;
    size_t n = 0;
    err[0] = '\0';
    memset(out, 0, sizeof(*out));
    struct jutsu_ctx *inst = jutsu_params_strategy(app, strategy, err, errsz);
    if (inst == NULL)
        return JUTSU_ENOENT;
    int rc = jutsu_params_active(s, inst->name, &over, &n);
    if (rc != 0)
        return rc;
    const char *old = active_value(over, n, param);
    snprintf(out->strategy, sizeof(out->strategy), "%s", inst->name);
    snprintf(out->parameter, sizeof(out->parameter), "%s", param);
    snprintf(out->previous, sizeof(out->previous), "%s", old ? old : "");
    snprintf(out->value, sizeof(out->value), "%s", jutsu_params_file_value(inst, param));
    out->was_override = old != NULL;
    jutsu_params_free(over, n);
    /* the data layer says "no active override" itself, in the session */
    if ((rc = jutsu_data_override_unset(s, inst->name, param, by, reason)) != 0)
        return db_code(rc);
    publish_changed(app, out, by, reason);
    return 0;
}

/* --- the effective config ----------------------------------------------------- */

void jutsu_params_shown_free(struct jutsu_params_shown *sh)
{
    for (size_t i = 0; sh->v && i < sh->n; i++) {
        for (size_t k = 0; k < sh->v[i].n; k++) {
            struct jutsu_params_ov *o = &sh->v[i].v[k];
            free(o->param);
            free(o->value);
            free(o->by);
            free(o->reason);
        }
        free(sh->v[i].v);
        jutsu_cfg_free(sh->v[i].merged);
    }
    free(sh->v);
    memset(sh, 0, sizeof(*sh));
}

static char *dup_or_null(const char *t, int *oom)
{
    char *c = t ? strdup(t) : NULL;
    *oom |= t && c == NULL;
    return c;
}

static int take_shown(const void *row, void *arg)
{
    const struct jutsu_override_row *r = row;
    struct jutsu_params_inst *io = arg;
    struct jutsu_params_ov *v = realloc(io->v, (io->n + 1) * sizeof(*v));
    int oom = 0;
    if (v == NULL)
        return JUTSU_ENOMEM;
    io->v = v;
    struct jutsu_params_ov *o = &v[io->n++];
    memset(o, 0, sizeof(*o));
    o->param = dup_or_null(r->parameter_name, &oom);
    o->value = dup_or_null(r->override_value, &oom);
    o->reason = dup_or_null(r->reason, &oom);
    o->at = r->created_at;
    return oom || o->param == NULL || o->value == NULL ? JUTSU_ENOMEM : 0;
}

/* Who set the override: the last `override` change of its parameter to
 * its value. */
static int take_by(const void *row, void *arg)
{
    const struct jutsu_history_row *h = row;
    struct jutsu_params_ov *o = arg;
    if (h->change_type == NULL || strcmp(h->change_type, "override") != 0 ||
        h->new_value == NULL || strcmp(h->new_value, o->value) != 0)
        return 0;
    free(o->by);
    o->by = h->changed_by ? strdup(h->changed_by) : NULL;
    if (h->changed_by && o->by == NULL)
        return JUTSU_ENOMEM;
    o->at = h->ts;
    return 0;
}

/* One instance's overrides, and its config with them merged in. */
static int read_instance(jutsu_dbs *s, struct jutsu_params_inst *io)
{
    int rc = jutsu_data_overrides_active(s, io->inst->name, take_shown, io);
    for (size_t k = 0; rc == 0 && k < io->n; k++)
        rc = jutsu_data_history_range(s, io->inst->name, io->v[k].param, take_by, &io->v[k]);
    if (rc != 0 || io->n == 0)
        return rc;
    struct jutsu_param *p = calloc(io->n, sizeof(*p));
    if (p == NULL)
        return JUTSU_ENOMEM;
    for (size_t k = 0; k < io->n; k++)
        p[k] = (struct jutsu_param){ io->v[k].param, io->v[k].value };
    /* what the trading job would refuse is shown as refused */
    if (jutsu_params_merge(io->inst, p, io->n, &io->merged, &io->root, io->error,
                           sizeof(io->error)) == 0)
        for (size_t k = 0; k < io->n; k++)
            io->v[k].eff = jutsu_cfg_map_get(io->root, io->v[k].param);
    free(p);
    return 0;
}

int jutsu_params_shown_read(struct jutsu_app *app, jutsu_dbs *s, struct jutsu_params_shown *sh)
{
    int rc = 0;
    memset(sh, 0, sizeof(*sh));
    if ((sh->v = calloc(app->ninst + 1, sizeof(*sh->v))) == NULL)
        return JUTSU_ENOMEM;
    for (size_t i = 0; rc == 0 && i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        if (jutsu_ctx_plugin(c)->kind != JUTSU_KIND_STRATEGY)
            continue;
        sh->v[sh->n].inst = c;
        rc = read_instance(s, &sh->v[sh->n++]);
    }
    if (rc != 0)
        jutsu_params_shown_free(sh);
    return rc;
}

jutsu_cfg_node *jutsu_params_tree_config(jutsu_cfg_node *root, const char *name, size_t *index)
{
    jutsu_cfg_node *list = jutsu_cfg_get(root, "plugins");
    *index = SIZE_MAX;
    for (size_t k = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && k < list->n; k++) {
        jutsu_cfg_node *it = list->items[k], *nm;
        if (it->kind != JUTSU_CFG_NODE_MAP || (nm = jutsu_cfg_map_get(it, "name")) == NULL ||
            nm->text == NULL || strcmp(nm->text, name) != 0)
            continue;
        *index = k;
        jutsu_cfg_node *c = jutsu_cfg_map_get(it, "config");
        return c && c->kind == JUTSU_CFG_NODE_MAP ? c : NULL;
    }
    return NULL;
}

static int map_index(const jutsu_cfg_node *map, const char *key, size_t *i)
{
    for (*i = 0; map && *i < map->n; (*i)++)
        if (strcmp(map->keys[*i], key) == 0)
            return 1;
    return 0;
}

/* The override's JSON beside its instance's config. */
static json_object *override_json(const struct jutsu_params_ov *o, const jutsu_cfg_node *file)
{
    json_object *x = json_object_new_object(), *v = NULL, *f = NULL;
    char when[JUTSU_TIME_BUFSZ];
    if (x == NULL)
        return NULL;
    jutsu_time_format(o->at - o->at % JUTSU_USEC_PER_SEC, when);
    int secret = file && (file->flags & JUTSU_CFG_SECRET);
    if (secret)
        v = json_object_new_string("********");
    else if (o->eff == NULL || jutsu_cfg_to_json(o->eff, &v) != 0)
        v = json_object_new_string(o->value);
    if (file && jutsu_cfg_to_json(file, &f) != 0)
        f = NULL;
    json_object_object_add(x, "value", v);
    json_object_object_add(x, "file", f);
    json_object_object_add(x, "default", json_object_new_boolean(file == NULL ||
                                                                 file->is_default));
    json_object_object_add(x, "changed_by", o->by ? json_object_new_string(o->by) : NULL);
    json_object_object_add(x, "since", json_object_new_string(when));
    json_object_object_add(x, "reason", o->reason ? json_object_new_string(o->reason) : NULL);
    json_object_object_add(x, "applies", json_object_new_boolean(o->eff != NULL));
    return x;
}

/* Each instance with overrides: its config's values made the overrides',
 * and `overrides` beside `config` with the file's value of each. */
static void add_overrides_json(jutsu_cfg_node *root, json_object *o,
                               const struct jutsu_params_shown *sh)
{
    json_object *plugins = NULL, *item, *conf = NULL;
    size_t idx, at;
    if (!json_object_object_get_ex(o, "plugins", &plugins))
        return;
    for (size_t i = 0; i < sh->n; i++) {
        const struct jutsu_params_inst *io = &sh->v[i];
        jutsu_cfg_node *map = jutsu_params_tree_config(root, io->inst->name, &idx);
        if (io->n == 0 || idx == SIZE_MAX ||
            (item = json_object_array_get_idx(plugins, idx)) == NULL)
            continue;
        if (!json_object_object_get_ex(item, "config", &conf)) {
            conf = json_object_new_object();
            json_object_object_add(item, "config", conf);
        }
        json_object *ovs = json_object_new_object();
        for (size_t k = 0; k < io->n; k++) {
            const struct jutsu_params_ov *ov = &io->v[k];
            const jutsu_cfg_node *file = map_index(map, ov->param, &at) ? map->items[at] : NULL;
            json_object *v = NULL;
            if (ov->eff && !(file && (file->flags & JUTSU_CFG_SECRET)) &&
                jutsu_cfg_to_json(ov->eff, &v) == 0)
                json_object_object_add(conf, ov->param, v);
            json_object_object_add(ovs, ov->param, override_json(ov, file));
        }
        json_object_object_add(item, "overrides", ovs);
        if (io->error[0])
            json_object_object_add(item, "overrides_error", json_object_new_string(io->error));
    }
}

int jutsu_params_config_json(struct jutsu_app *app, const struct jutsu_params_shown *sh,
                             struct json_object **out)
{
    jutsu_cfg_node *root = jutsu_cfg_root(app->cfg);
    json_object *o = NULL;
    int rc = jutsu_cfg_to_json(root, &o);
    if (rc != 0)
        return rc;
    if (sh)
        add_overrides_json(root, o, sh);
    *out = o;
    return 0;
}
