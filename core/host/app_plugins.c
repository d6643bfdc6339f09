/*
 * core/host/app_plugins.c — from the config's instance list to validated
 * instances: find each plugin file, open and check it, check each
 * instance's config against its plugin's schema. Nothing of a plugin but
 * its descriptor is touched here.
 */
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "host/app.h"

/* Names of every *.so in the search path, for "unknown plugin" hints. */
struct name_list {
    char   buf[1024];
    size_t len;
};

static int collect_name(const char *path, void *arg)
{
    struct name_list *l = arg;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int n = (int)strlen(base) - 3;  /* without ".so" */
    if (l->len < sizeof(l->buf))
        l->len += (size_t)snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s%.*s",
                                   l->len ? ", " : "", n, base);
    return 0;
}

static void describe_search_path(struct jutsu_app *app, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < app->nplugin_dirs && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ":" : "", app->plugin_dirs[i]);
}

static struct jutsu_module *find_loaded(struct jutsu_app *app, const char *name)
{
    for (size_t i = 0; i < app->nmodules; i++)
        if (strcmp(app->modules[i]->desc->name, name) == 0)
            return app->modules[i];
    return NULL;
}

/* Opens plugin `name` once; later instances share the module. */
static int open_plugin(struct jutsu_app *app, const char *name, const char *where,
                       struct jutsu_module **out, struct jutsu_diag *diag)
{
    if ((*out = find_loaded(app, name)) != NULL)
        return 0;
    char *path = NULL;
    int rc = jutsu_module_find(app->plugin_dirs, app->nplugin_dirs, name, &path);
    if (rc == JUTSU_ENOENT) {
        struct name_list avail = { .len = 0 };
        char dirs[1024];
        jutsu_module_scan(app->plugin_dirs, app->nplugin_dirs, collect_name, &avail);
        describe_search_path(app, dirs, sizeof(dirs));
        jutsu_diag_add(diag, "%s: unknown plugin \"%s\": no %s.so in %s; available: %s",
                       where, name, name, dirs, avail.len ? avail.buf : "none");
        return JUTSU_ECONFIG;
    }
    if (rc != 0)
        return rc;
    struct jutsu_module *m = NULL;
    rc = jutsu_module_open(path, &m, diag);
    free(path);
    if (rc != 0) {
        jutsu_diag_add(diag, "%s: plugin \"%s\" was refused (see above)", where, name);
        return rc;
    }
    if (strcmp(m->desc->name, name) != 0) {
        jutsu_diag_add(diag, "%s: file %s declares plugin \"%s\", not \"%s\"",
                       where, m->path, m->desc->name, name);
        jutsu_module_close(m);
        return JUTSU_ECONFIG;
    }
    if ((rc = jutsu_app_adopt_module(app, m)) != 0) {
        jutsu_module_close(m);
        return rc;
    }
    *out = m;
    return 0;
}

int jutsu_app_adopt_module(struct jutsu_app *app, struct jutsu_module *m)
{
    struct jutsu_module **mods = realloc(app->modules, (app->nmodules + 1) * sizeof(*mods));
    if (mods == NULL)
        return JUTSU_ENOMEM;
    app->modules = mods;
    app->modules[app->nmodules++] = m;
    return 0;
}

int jutsu_app_add_instance(struct jutsu_app *app, const char *name, struct jutsu_module *m,
                           jutsu_cfg_node *config, jutsu_cfg_node *decl, int required)
{
    struct jutsu_ctx *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return JUTSU_ENOMEM;
    if ((c->name = strdup(name)) == NULL || pthread_mutex_init(&c->sub_lock, NULL) != 0) {
        free(c->name);
        free(c);
        return JUTSU_ENOMEM;
    }
    struct jutsu_ctx **inst = realloc(app->inst, (app->ninst + 1) * sizeof(*inst));
    if (inst == NULL) {
        pthread_mutex_destroy(&c->sub_lock);
        free(c->name);
        free(c);
        return JUTSU_ENOMEM;
    }
    c->app = app;
    c->module = m;
    c->config = c->yaml_config = config;
    c->decl = decl;
    c->required = required;
    m->instances++;
    app->inst = inst;
    app->inst[app->ninst++] = c;
    return 0;
}

/* Validates one instance's config map (creating an empty one if absent). */
static int check_instance_config(struct jutsu_app *app, struct jutsu_module *m,
                                 const char *inst, jutsu_cfg_node *parent, const char *key,
                                 jutsu_cfg_node **config, struct jutsu_diag *diag)
{
    jutsu_cfg_node *c = jutsu_cfg_map_get(parent, key);
    char where[128], what[256];
    if (c == NULL || (c->kind == JUTSU_CFG_NODE_SCALAR && c->is_null)) {
        jutsu_cfg_node *map = jutsu_cfg_new_map(app->cfg, parent->file, parent->line, parent->col);
        if (map == NULL)
            return JUTSU_ENOMEM;
        if (c != NULL)
            jutsu_cfg_unset(parent, key);
        /* attach it so `config show` prints the defaults */
        int rc = jutsu_cfg_set(app->cfg, parent, key, "", parent->file);
        if (rc != 0)
            return rc;
        jutsu_cfg_node *slot = jutsu_cfg_map_get(parent, key);
        for (size_t i = 0; i < parent->n; i++)
            if (parent->items[i] == slot)
                parent->items[i] = map;
        c = map;
    }
    if (c->kind != JUTSU_CFG_NODE_MAP) {
        jutsu_diag_add(diag, "%s: the config of instance \"%s\" must be a map of settings",
                       jutsu_cfg_where(c, where, sizeof(where)), inst);
        return JUTSU_ECONFIG;
    }
    snprintf(what, sizeof(what), "instance \"%s\" (plugin %s)", inst, m->desc->name);
    if (m->desc->schema == NULL) {
        if (c->n > 0) {
            jutsu_diag_add(diag, "%s: plugin %s takes no settings, but %s has \"%s\"",
                           jutsu_cfg_where(c, where, sizeof(where)), m->desc->name, what,
                           c->keys[0]);
            return JUTSU_ECONFIG;
        }
    } else if (jutsu_cfg_validate(app->cfg, c, m->desc->schema, what, diag) != 0) {
        return JUTSU_ECONFIG;
    }
    *config = c;
    return 0;
}

static const char *storage_plugin_for(const char *type)
{
    if (strcmp(type, "sqlite") == 0)
        return "storage-sqlite";
    if (strcmp(type, "postgresql") == 0 || strcmp(type, "postgres") == 0)
        return "storage-postgres";
    return NULL;
}

static int load_storage(struct jutsu_app *app, struct jutsu_diag *diag)
{
    jutsu_cfg_node *db = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "database");
    jutsu_cfg_node *type = db ? jutsu_cfg_map_get(db, "type") : NULL;
    char where[128];
    if (type == NULL || type->kind != JUTSU_CFG_NODE_SCALAR || type->is_null)
        return 0;   /* no storage configured */
    jutsu_cfg_where(type, where, sizeof(where));
    const char *plugin = storage_plugin_for(type->text);
    if (plugin == NULL) {
        jutsu_diag_add(diag, "%s: database type \"%s\" is not one of: sqlite, postgresql",
                       where, type->text);
        return JUTSU_ECONFIG;
    }
    struct jutsu_module *m;
    int rc = open_plugin(app, plugin, where, &m, diag);
    if (rc != 0)
        return rc;
    if (m->desc->kind != JUTSU_KIND_STORAGE) {
        jutsu_diag_add(diag, "%s: plugin %s is a %s plugin, not storage", where, plugin,
                       jutsu_kind_name(m->desc->kind));
        return JUTSU_ECONFIG;
    }
    const char *key = strcmp(plugin, "storage-sqlite") == 0 ? "sqlite" : "postgresql";
    jutsu_cfg_node *config;
    if ((rc = check_instance_config(app, m, JUTSU_STORAGE_INSTANCE, db, key, &config, diag)) != 0)
        return rc;
    return jutsu_app_add_instance(app, JUTSU_STORAGE_INSTANCE, m, config, type, 1);
}

/* The `name` node of an earlier declaration of `name` in the list, or
 * NULL. Checked on the declarations, not on the instances made, so that a
 * duplicate is reported even when the first one had other errors. */
static jutsu_cfg_node *first_declaration(jutsu_cfg_node *list, size_t upto, const char *name)
{
    for (size_t j = 0; j < upto; j++) {
        const char *other;
        if (list->items[j]->kind == JUTSU_CFG_NODE_MAP &&
            jutsu_cfg_str(list->items[j], "name", &other) == 0 && strcmp(other, name) == 0)
            return jutsu_cfg_map_get(list->items[j], "name");
    }
    return NULL;
}

/* mode, initial_capital, broker and paper_since belong to strategies (the trading and
 * EOD jobs read them); on any other instance they would be silently
 * ignored. */
static int refuse_strategy_keys(jutsu_cfg_node *decl, const struct jutsu_plugin *d,
                                struct jutsu_diag *diag)
{
    static const char *const keys[] = { "mode", "initial_capital", "broker", "paper_since",
                                        NULL };
    int bad = 0;
    for (const char *const *k = keys; *k; k++) {
        jutsu_cfg_node *n = jutsu_cfg_map_get(decl, *k);
        if (n == NULL)
            continue;
        char where[128];
        jutsu_diag_add(diag, "%s: %s applies to strategy instances only, and %s is a %s "
                       "plugin: remove it", jutsu_cfg_where(n, where, sizeof(where)), *k,
                       d->name, jutsu_kind_name(d->kind));
        bad++;
    }
    return bad;
}

static int load_listed(struct jutsu_app *app, struct jutsu_diag *diag)
{
    jutsu_cfg_node *list = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "plugins");
    int bad = 0;
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n; i++) {
        jutsu_cfg_node *decl = list->items[i];
        const char *name, *plugin;
        int required = 1;
        char where[128];
        if (decl->kind != JUTSU_CFG_NODE_MAP ||
            jutsu_cfg_str(decl, "name", &name) != 0 || jutsu_cfg_str(decl, "plugin", &plugin) != 0)
            continue;  /* already reported by host-schema validation */
        jutsu_cfg_bool(decl, "required", &required);
        jutsu_cfg_where(jutsu_cfg_map_get(decl, "name"), where, sizeof(where));

        if (strcmp(name, JUTSU_STORAGE_INSTANCE) == 0) {
            jutsu_diag_add(diag, "%s: the instance name \"%s\" is reserved for the storage "
                           "driver configured under database:", where, name);
            bad++;
            continue;
        }
        jutsu_cfg_node *first = first_declaration(list, i, name);
        if (first != NULL) {
            char at[128];
            jutsu_diag_add(diag, "%s: duplicate instance name \"%s\" (first declared at %s)",
                           where, name, jutsu_cfg_where(first, at, sizeof(at)));
            bad++;
            continue;
        }
        jutsu_cfg_where(jutsu_cfg_map_get(decl, "plugin"), where, sizeof(where));
        struct jutsu_module *m;
        int rc = open_plugin(app, plugin, where, &m, diag);
        if (rc == JUTSU_ENOMEM)
            return rc;
        if (rc != 0) {
            bad++;
            continue;
        }
        if (m->desc->kind == JUTSU_KIND_STORAGE) {
            jutsu_diag_add(diag, "%s: %s is a storage driver: configure it under database:, "
                           "not as a plugin instance", where, plugin);
            bad++;
            continue;
        }
        if (m->desc->kind != JUTSU_KIND_STRATEGY && refuse_strategy_keys(decl, m->desc, diag)) {
            bad++;
            continue;
        }
        if ((m->desc->flags & JUTSU_PLUGIN_SINGLETON) && m->instances > 0) {
            jutsu_diag_add(diag, "%s: plugin %s can be instantiated only once", where, plugin);
            bad++;
            continue;
        }
        jutsu_cfg_node *config;
        rc = check_instance_config(app, m, name, decl, "config", &config, diag);
        if (rc == JUTSU_ENOMEM)
            return rc;
        if (rc != 0) {
            bad++;
            continue;
        }
        jutsu_cfg_node *name_node = jutsu_cfg_map_get(decl, "name");
        if ((rc = jutsu_app_add_instance(app, name, m, config, name_node, required)) != 0)
            return rc;
    }
    return bad ? JUTSU_ECONFIG : 0;
}

/* Storage first, frontends last, the rest in file order: a frontend must
 * not serve before what it shows is up. A stable partition. */
static void order_instances(struct jutsu_app *app)
{
    if (app->ninst < 2)
        return;
    struct jutsu_ctx **sorted = malloc(app->ninst * sizeof(*sorted));
    size_t k = 0;
    if (sorted == NULL)
        return;  /* file order is a valid order too */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < app->ninst; i++) {
            uint32_t kind = app->inst[i]->module->desc->kind;
            int rank = kind == JUTSU_KIND_STORAGE ? 0 : kind == JUTSU_KIND_FRONTEND ? 2 : 1;
            if (rank == pass)
                sorted[k++] = app->inst[i];
        }
    memcpy(app->inst, sorted, app->ninst * sizeof(*sorted));
    free(sorted);
}

int jutsu_app_load_plugins(struct jutsu_app *app, struct jutsu_diag *diag)
{
    int rc = load_storage(app, diag);
    int rc2 = rc == JUTSU_ENOMEM ? rc : load_listed(app, diag);
    if (rc == 0)
        rc = rc2;
    if (rc == 0)
        order_instances(app);
    return rc;
}

const void *jutsu_ctx_ops(const struct jutsu_ctx *ctx, uint32_t kind)
{
    if (ctx == NULL || ctx->module->desc->kind != kind)
        return NULL;
    return ctx->module->desc->ops;
}

struct jutsu_ctx *jutsu_app_find(struct jutsu_app *app, const char *name)
{
    for (size_t i = 0; i < app->ninst; i++)
        if (strcmp(app->inst[i]->name, name) == 0)
            return app->inst[i];
    return NULL;
}
