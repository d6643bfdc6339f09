/*
 * core/host/app_reload.c — the config read again while the app runs (see
 * app_reload.h for what applies and what needs a restart).
 *
 * The running tree is never modified: the new one is built aside, the
 * sections that need a restart are taken over from the running tree by
 * pointing the new root at their nodes (a tree frees only the nodes it
 * made, so sharing is safe while both live: both are kept until the app
 * goes), and the new tree then replaces app->cfg whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/plugin.h"
#include "base/log.h"
#include "host/app_reload.h"

/* The top-level sections that the rooms read again at each use, so that
 * a new value takes effect without a restart. "plugins" is decided per
 * change (a strategy's config only). */
static const char *const live_sections[] = { "log", "scheduler", "sync", "eod", "trading", NULL };

static int is_live_section(const char *key)
{
    for (size_t i = 0; live_sections[i]; i++)
        if (strcmp(live_sections[i], key) == 0)
            return 1;
    return 0;
}

/* Whether two validated nodes hold the same config. */
static int same_node(const jutsu_cfg_node *a, const jutsu_cfg_node *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->kind != b->kind || a->n != b->n)
        return 0;
    if (a->kind == JUTSU_CFG_NODE_SCALAR)
        return a->is_null == b->is_null &&
               strcmp(a->text ? a->text : "", b->text ? b->text : "") == 0;
    for (size_t i = 0; i < a->n; i++) {
        const jutsu_cfg_node *other = a->kind == JUTSU_CFG_NODE_MAP
                                      ? jutsu_cfg_map_get(b, a->keys[i]) : b->items[i];
        if (!same_node(a->items[i], other))
            return 0;
    }
    return 1;
}

/* Appends one dotted key to a comma-separated list, ", ..." once full. */
static void list_add(char *buf, size_t size, int *count, const char *path)
{
    size_t len = strlen(buf);
    (*count)++;
    if (len >= 5 && strcmp(buf + len - 5, ", ...") == 0)
        return;
    int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", path);
    if (n < 0 || (size_t)n >= size - len) {
        buf[len] = '\0';
        if (size - len > 7)
            snprintf(buf + len, size - len, "%s...", len ? ", " : "");
    }
}

/* Every changed leaf under `path` (maps are walked, lists and scalars
 * are leaves) into the list. */
static void diff_into(const jutsu_cfg_node *a, const jutsu_cfg_node *b, const char *path,
                      char *buf, size_t size, int *count)
{
    char sub[256];
    if (same_node(a, b))
        return;
    if (a == NULL || b == NULL || a->kind != JUTSU_CFG_NODE_MAP || b->kind != a->kind) {
        list_add(buf, size, count, path);
        return;
    }
    for (size_t i = 0; i < a->n; i++) {
        snprintf(sub, sizeof(sub), "%s.%s", path, a->keys[i]);
        diff_into(a->items[i], jutsu_cfg_map_get(b, a->keys[i]), sub, buf, size, count);
    }
    for (size_t i = 0; i < b->n; i++)
        if (jutsu_cfg_map_get(a, b->keys[i]) == NULL) {
            snprintf(sub, sizeof(sub), "%s.%s", path, b->keys[i]);
            list_add(buf, size, count, sub);
        }
}

static const char *instance_name(const jutsu_cfg_node *decl)
{
    jutsu_cfg_node *n = jutsu_cfg_map_get(decl, "name");
    return n && n->kind == JUTSU_CFG_NODE_SCALAR && n->text ? n->text : "?";
}

static const jutsu_cfg_node *find_decl(const jutsu_cfg_node *list, const char *name, size_t *at)
{
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n; i++)
        if (strcmp(instance_name(list->items[i]), name) == 0) {
            *at = i;
            return list->items[i];
        }
    return NULL;
}

/* `plugins`: a strategy's config applies (the trading job re-initialises
 * it); any other change needs a restart, and then the strategies' changes
 * wait for it too, so that the list runs as one file wrote it. */
static void plan_plugins(struct jutsu_app *app, const jutsu_cfg_node *a,
                         const jutsu_cfg_node *b, struct jutsu_reload_plan *plan)
{
    char live[sizeof(plan->applied)] = "", path[256];
    int nlive = 0, nrestart = plan->nrestart;
    for (size_t i = 0; b && b->kind == JUTSU_CFG_NODE_SEQ && i < b->n; i++) {
        const char *name = instance_name(b->items[i]);
        size_t at = 0;
        const jutsu_cfg_node *old = find_decl(a, name, &at);
        snprintf(path, sizeof(path), "plugins.%s", name);
        if (old == NULL) {
            snprintf(path, sizeof(path), "plugins.%s (added)", name);
            list_add(plan->restart, sizeof(plan->restart), &plan->nrestart, path);
            continue;
        }
        if (at != i) {
            char moved[300];
            snprintf(moved, sizeof(moved), "%s (moved: the start order)", path);
            list_add(plan->restart, sizeof(plan->restart), &plan->nrestart, moved);
        }
        const struct jutsu_ctx *c = jutsu_app_find(app, name);
        int strategy = c && jutsu_ctx_plugin(c)->kind == JUTSU_KIND_STRATEGY;
        for (size_t k = 0; k < b->items[i]->n; k++) {
            const char *key = b->items[i]->keys[k];
            char sub[300];
            snprintf(sub, sizeof(sub), "%s.%s", path, key);
            const jutsu_cfg_node *o = jutsu_cfg_map_get(old, key), *n = b->items[i]->items[k];
            if (strategy && strcmp(key, "config") == 0)
                diff_into(o, n, sub, live, sizeof(live), &nlive);
            else
                diff_into(o, n, sub, plan->restart, sizeof(plan->restart), &plan->nrestart);
        }
        for (size_t k = 0; k < old->n; k++)
            if (jutsu_cfg_map_get(b->items[i], old->keys[k]) == NULL) {
                snprintf(path, sizeof(path), "plugins.%s.%s", name, old->keys[k]);
                list_add(plan->restart, sizeof(plan->restart), &plan->nrestart, path);
            }
    }
    for (size_t i = 0; a && a->kind == JUTSU_CFG_NODE_SEQ && i < a->n; i++) {
        size_t at;
        if (find_decl(b, instance_name(a->items[i]), &at) == NULL) {
            snprintf(path, sizeof(path), "plugins.%s (removed)", instance_name(a->items[i]));
            list_add(plan->restart, sizeof(plan->restart), &plan->nrestart, path);
        }
    }
    if (nlive == 0)
        return;
    if (plan->nrestart == nrestart) {
        plan->strategies = 1;
        list_add(plan->applied, sizeof(plan->applied), &plan->napplied, live);
        plan->napplied += nlive - 1;
    } else {
        list_add(plan->restart, sizeof(plan->restart), &plan->nrestart, live);
        plan->nrestart += nlive - 1;
    }
}

int jutsu_app_reload_plan(struct jutsu_app *app, struct jutsu_app *next,
                          struct jutsu_reload_plan *plan)
{
    const jutsu_cfg_node *a = jutsu_cfg_root(app->cfg), *b = jutsu_cfg_root(next->cfg);
    memset(plan, 0, sizeof(*plan));
    if (a == NULL || b == NULL || a->kind != JUTSU_CFG_NODE_MAP || b->kind != a->kind)
        return JUTSU_EINVAL;
    for (size_t i = 0; i < b->n; i++) {
        const char *key = b->keys[i];
        const jutsu_cfg_node *o = jutsu_cfg_map_get(a, key);
        if (strcmp(key, "plugins") == 0) {
            plan_plugins(app, o, b->items[i], plan);
        } else if (is_live_section(key)) {
            int before = plan->napplied;
            diff_into(o, b->items[i], key, plan->applied, sizeof(plan->applied),
                      &plan->napplied);
            if (strcmp(key, "scheduler") == 0 && plan->napplied != before)
                plan->scheduler = 1;
        } else {
            diff_into(o, b->items[i], key, plan->restart, sizeof(plan->restart),
                      &plan->nrestart);
        }
    }
    for (size_t i = 0; i < a->n; i++)
        if (jutsu_cfg_map_get(b, a->keys[i]) == NULL) {
            char path[256];
            snprintf(path, sizeof(path), "%s (removed)", a->keys[i]);
            if (is_live_section(a->keys[i]) && strcmp(a->keys[i], "plugins") != 0) {
                list_add(plan->applied, sizeof(plan->applied), &plan->napplied, path);
            } else {
                list_add(plan->restart, sizeof(plan->restart), &plan->nrestart, path);
                plan->stuck = 1;
            }
        }
    return 0;
}

/* The log as the app's settings say (the command line's pins win). */
static void configure_log(const struct jutsu_app *app)
{
    const struct jutsu_settings_log *set = &jutsu_app_settings(app)->log;
    int format = set->format;
    if (format < 0)
        jutsu_log_format_parse("auto", &format);
    jutsu_log_configure(set->level, format);
}

int jutsu_app_reload_read(struct jutsu_app *app, struct jutsu_app **next,
                          struct jutsu_diag *diag)
{
    struct jutsu_app *n = NULL;
    *next = NULL;
    int rc = jutsu_app_new(&n);
    if (rc != 0)
        return rc;
    n->clock = app->clock;
    n->clock_arg = app->clock_arg;
    rc = jutsu_app_load_config(n, app->config_path, diag);
    if (rc == 0)
        rc = jutsu_app_load_plugins(n, diag);
    configure_log(app);        /* the load set the log from the new file */
    if (rc != 0) {
        jutsu_app_free(n);
        return rc;
    }
    *next = n;
    return 0;
}

int jutsu_app_reload_apply(struct jutsu_app *app, struct jutsu_app *next,
                           const struct jutsu_reload_plan *plan)
{
    jutsu_cfg *cfg = next->cfg, *old = app->cfg;
    jutsu_cfg_node *root = jutsu_cfg_root(cfg), *oroot = jutsu_cfg_root(old);
    struct jutsu_settings *fresh = NULL;
    char err[256];
    if (plan->stuck)
        return JUTSU_EINVAL;
    jutsu_cfg **r = realloc(app->retired_cfg, (app->nretired_cfg + 1) * sizeof(*r));
    if (r == NULL)
        return JUTSU_ENOMEM;
    app->retired_cfg = r;
    struct jutsu_settings **rs = realloc(app->retired_settings,
                                         (app->nretired_settings + 1) * sizeof(*rs));
    if (rs == NULL)
        return JUTSU_ENOMEM;
    app->retired_settings = rs;
    /* what needs a restart keeps running as the running tree has it */
    for (size_t i = root->n; i-- > 0;) {
        const char *key = root->keys[i];
        int live = strcmp(key, "plugins") == 0 ? plan->strategies : is_live_section(key);
        if (live)
            continue;
        jutsu_cfg_node *o = jutsu_cfg_map_get(oroot, key);
        if (o)
            root->items[i] = o;
        else if (jutsu_cfg_unset(root, key) != 0)
            return JUTSU_EINVAL;
    }
    if ((fresh = malloc(sizeof(*fresh))) == NULL)
        return JUTSU_ENOMEM;
    if (jutsu_settings_fill(root, fresh, err, sizeof(err)) != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "reload: the settings: %s", err);
        free(fresh);
        return JUTSU_EINVAL;
    }
    next->cfg = NULL;
    app->retired_cfg[app->nretired_cfg++] = old;
    app->retired_settings[app->nretired_settings++] = app->settings;
    /* other threads may load the pointers meanwhile: either tree is whole,
     * and so is either copy of the settings (whose strings point into its
     * own tree: the settings go in after the tree) */
    __atomic_store_n(&app->cfg, cfg, __ATOMIC_RELEASE);
    __atomic_store_n(&app->settings, fresh, __ATOMIC_RELEASE);
    configure_log(app);
    for (size_t i = 0; plan->strategies && i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i], *nc = jutsu_app_find(next, c->name);
        if (nc == NULL || jutsu_ctx_plugin(c)->kind != JUTSU_KIND_STRATEGY ||
            same_node(c->yaml_config, nc->yaml_config))
            continue;
        /* the trading job merges the overrides over this and re-initialises
         * the strategy when the result differs from what it runs with */
        __atomic_store_n(&c->yaml_config, nc->yaml_config, __ATOMIC_RELEASE);
        c->decl = nc->decl;
        jutsu_log("jutsu", JUTSU_LOG_INFO, "reload: strategy \"%s\" takes its new parameters "
                  "at its next trading run", c->name);
    }
    return 0;
}
