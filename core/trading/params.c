/*
 * core/trading/params.c — a strategy instance's parameters (see params.h).
 */
#include <json-c/json.h>
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
