/*
 * core/host/entities.c — strategies and baselines (see entities.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/symbol.h"
#include "host/entities.h"

/* The instance's own map in `plugins:` (mode and initial_capital live
 * there, beside name and plugin). */
static jutsu_cfg_node *instance_decl(struct jutsu_app *app, const char *name)
{
    jutsu_cfg_node *list = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "plugins");
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n; i++) {
        const char *n;
        if (jutsu_cfg_str(list->items[i], "name", &n) == 0 && strcmp(n, name) == 0)
            return list->items[i];
    }
    return NULL;
}

/* online_live trades through a broker instance, named explicitly: never
 * by default, never for a simulated strategy. */
static int resolve_broker(struct jutsu_app *app, struct jutsu_entity *x, jutsu_cfg_node *decl,
                          char *err, size_t errsz)
{
    const char *name = NULL;
    char where[128] = "";
    if (decl && jutsu_cfg_str(decl, "broker", &name) == 0)
        jutsu_cfg_where(jutsu_cfg_map_get(decl, "broker"), where, sizeof(where));
    else if (decl)
        jutsu_cfg_where(decl, where, sizeof(where));
    int live = strcmp(x->mode, "online_live") == 0;
    if (!live && name) {
        snprintf(err, errsz, "%s: strategy %s is offline_mock (simulated fills): its broker "
                 "\"%s\" would never be used; remove broker, or set mode: online_live", where,
                 x->id, name);
        return JUTSU_ECONFIG;
    }
    if (!live)
        return 0;
    if (name == NULL) {
        snprintf(err, errsz, "%s: strategy %s is online_live but names no broker: add "
                 "`broker: INSTANCE` (a broker plugin instance, e.g. broker-schwab)", where, x->id);
        return JUTSU_ECONFIG;
    }
    struct jutsu_ctx *b = jutsu_app_find(app, name);
    if (b == NULL || jutsu_ctx_plugin(b)->kind != JUTSU_KIND_BROKER) {
        snprintf(err, errsz, "%s: broker \"%s\" of strategy %s is not a broker instance of "
                 "this config", where, name, x->id);
        return JUTSU_ECONFIG;
    }
    x->broker = b;
    return 0;
}

/* paper_since: a date, and only where fills are simulated. */
static int resolve_paper(struct jutsu_entity *x, jutsu_cfg_node *decl, char *err, size_t errsz)
{
    const char *text;
    char where[128];
    if (decl == NULL || jutsu_cfg_str(decl, "paper_since", &text) != 0)
        return 0;
    jutsu_cfg_where(jutsu_cfg_map_get(decl, "paper_since"), where, sizeof(where));
    if (jutsu_date_parse(text, -1, &x->paper_since) != 0) {
        snprintf(err, errsz, "%s: paper_since of strategy %s: \"%.40s\" is not a date "
                 "(YYYY-MM-DD)", where, x->id, text);
        return JUTSU_ECONFIG;
    }
    if (strcmp(x->mode, "online_live") == 0) {
        snprintf(err, errsz, "%s: strategy %s is online_live: its broker cannot fill orders "
                 "in the past, so paper_since does not apply; remove it, or set mode: "
                 "offline_mock", where, x->id);
        return JUTSU_ECONFIG;
    }
    return 0;
}

static int add_strategies(struct jutsu_app *app, struct jutsu_entities *e, char *err,
                          size_t errsz)
{
    for (size_t i = 0; i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        if (jutsu_ctx_plugin(c)->kind != JUTSU_KIND_STRATEGY)
            continue;
        struct jutsu_entity *x = &e->v[e->n++];
        jutsu_cfg_node *decl = instance_decl(app, c->name);
        x->type = JUTSU_ENTITY_STRATEGY;
        x->type_name = "strategy";
        x->id = c->name;
        x->inst = c;
        x->mode = "offline_mock";
        x->initial_capital = JUTSU_DEFAULT_CAPITAL;
        if (decl) {
            jutsu_cfg_str(decl, "mode", &x->mode);
            jutsu_cfg_money(decl, "initial_capital", &x->initial_capital);
        }
        e->nstrategies++;
        int rc = resolve_paper(x, decl, err, errsz);
        if (rc == 0)
            rc = resolve_broker(app, x, decl, err, errsz);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int add_baseline(struct jutsu_entities *e, jutsu_cfg_node *b, char *err, size_t errsz)
{
    struct jutsu_entity *x = &e->v[e->n];
    char where[128];
    memset(x, 0, sizeof(*x));
    x->type = JUTSU_ENTITY_BASELINE;
    x->type_name = "baseline";
    x->mode = "offline_mock";
    x->initial_capital = JUTSU_DEFAULT_CAPITAL;
    if (jutsu_cfg_str(b, "id", &x->id) != 0)
        return JUTSU_ECONFIG;   /* reported by the host schema */
    x->symbol = x->id;
    jutsu_cfg_str(b, "symbol", &x->symbol);
    jutsu_cfg_str(b, "mode", &x->mode);
    jutsu_cfg_money(b, "initial_capital", &x->initial_capital);
    jutsu_cfg_where(b, where, sizeof(where));
    if (strlen(x->id) > 50) {
        snprintf(err, errsz, "%s: baseline id \"%.60s...\" is longer than 50 characters", where,
                 x->id);
        return JUTSU_ECONFIG;
    }
    if (!jutsu_symbol_valid(x->symbol)) {
        snprintf(err, errsz, "%s: baseline %s: \"%.40s\" is not a symbol (" JUTSU_SYMBOL_RULE ")",
                 where, x->id, x->symbol);
        return JUTSU_ECONFIG;
    }
    if (x->initial_capital <= 0) {
        snprintf(err, errsz, "%s: baseline %s: initial_capital must be positive", where, x->id);
        return JUTSU_ECONFIG;
    }
    for (size_t i = e->nstrategies; i < e->n; i++)
        if (strcmp(e->v[i].id, x->id) == 0 && strcmp(e->v[i].mode, x->mode) == 0) {
            snprintf(err, errsz, "%s: baseline %s is configured twice for mode %s", where,
                     x->id, x->mode);
            return JUTSU_ECONFIG;
        }
    e->n++;
    e->nbaselines++;
    return 0;
}

int jutsu_entities_load(struct jutsu_app *app, struct jutsu_entities *out, char *err,
                        size_t errsz)
{
    static struct jutsu_entity qqq = {
        .type = JUTSU_ENTITY_BASELINE, .type_name = "baseline", .id = "QQQ",
        .mode = "offline_mock", .initial_capital = JUTSU_DEFAULT_CAPITAL, .symbol = "QQQ",
    };
    memset(out, 0, sizeof(*out));
    jutsu_cfg_node *list = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "eod.baselines");
    size_t nb = list && list->kind == JUTSU_CFG_NODE_SEQ ? list->n : list ? 0 : 1;
    if ((out->v = calloc(app->ninst + nb + 1, sizeof(*out->v))) == NULL)
        return JUTSU_ENOMEM;
    int rc = add_strategies(app, out, err, errsz);
    if (rc != 0) {
        jutsu_entities_free(out);
        return rc;
    }
    if (list == NULL) {
        out->v[out->n++] = qqq;
        out->nbaselines = 1;
        return 0;
    }
    for (size_t i = 0; i < nb; i++) {
        rc = add_baseline(out, list->items[i], err, errsz);
        if (rc != 0) {
            jutsu_entities_free(out);
            return rc;
        }
    }
    return 0;
}

void jutsu_entities_free(struct jutsu_entities *e)
{
    free(e->v);
    memset(e, 0, sizeof(*e));
}

const struct jutsu_entity *jutsu_entities_find(const struct jutsu_entities *e, const char *id,
                                               const char *type, int *ambiguous)
{
    const struct jutsu_entity *found = NULL;
    int n = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (strcmp(e->v[i].id, id) != 0 || (type && strcmp(e->v[i].type_name, type) != 0))
            continue;
        if (found == NULL || found->type != e->v[i].type)
            n++;
        if (found == NULL)
            found = &e->v[i];
    }
    if (ambiguous)
        *ambiguous = n > 1;
    return found;
}
