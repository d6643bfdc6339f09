/*
 * core/cli/cmd_config.c — `jutsu config check` and `jutsu config show`.
 *
 * `config show` prints what runs: the file with its defaults, and over a
 * strategy's parameters the active overrides of the database
 * (config_overrides, `jutsu config override`), each marked with the file's
 * value, who set it and when: a YAML comment, or `overrides` beside the
 * instance's `config` in JSON.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "jobs/jobs.h"
#include "sched/scheduler.h"
#include "store/data_api.h"
#include "store/store.h"
#include "trading/params.h"

static json_object *instances_json(struct jutsu_app *app)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr && i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_object_add(o, "plugin", json_object_new_string(jutsu_ctx_plugin(c)->name));
        json_object_object_add(o, "kind",
                               json_object_new_string(jutsu_kind_name(jutsu_ctx_plugin(c)->kind)));
        json_object_object_add(o, "required", json_object_new_boolean(c->required));
        json_object_array_add(arr, o);
    }
    return arr;
}

/* The scheduler's times (scheduler.jobs.*.at) are checked against the real
 * job table by building a scheduler, which touches no database. */
static int check_scheduler(struct jutsu_app *app, struct jutsu_diag *diag)
{
    jutsu_sched *s = NULL;
    int rc = jutsu_jobs_sched(app, diag, &s);
    jutsu_sched_free(s);
    return rc;
}

int jutsu_cmd_config_check(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_no_args(cli);
    if (rc != 0)
        return rc;

    struct jutsu_diag diag;
    jutsu_diag_init(&diag);
    rc = jutsu_cli_load(cli, &diag);
    if (rc == 0)
        rc = check_scheduler(cli->app, &diag);
    int exit_code = rc == 0 ? JUTSU_EXIT_OK
                  : rc == JUTSU_ENOMEM ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_CONFIG;

    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = json_object_new_object();
        json_object *errs = json_object_new_array();
        for (size_t i = 0; i < jutsu_diag_count(&diag); i++)
            json_object_array_add(errs, json_object_new_string(jutsu_diag_line(&diag, i)));
        json_object_object_add(o, "file", json_object_new_string(cli->config_path));
        json_object_object_add(o, "ok", json_object_new_boolean(rc == 0));
        json_object_object_add(o, "errors", errs);
        if (rc == 0)
            json_object_object_add(o, "instances", instances_json(cli->app));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else if (rc == 0) {
        printf("%s: OK, %zu plugin instance%s\n", cli->config_path, cli->app->ninst,
               cli->app->ninst == 1 ? "" : "s");
        for (size_t i = 0; i < cli->app->ninst; i++) {
            struct jutsu_ctx *c = cli->app->inst[i];
            printf("  %-16s %-18s %s%s\n", c->name, jutsu_ctx_plugin(c)->name,
                   jutsu_kind_name(jutsu_ctx_plugin(c)->kind), c->required ? "" : " (optional)");
        }
    } else {
        jutsu_diag_print(&diag, stderr, "jutsu: error: ");
        if (jutsu_diag_count(&diag) == 0)
            jutsu_cli_error("%s: %s", cli->config_path, jutsu_strerror(rc));
        fprintf(stderr, "jutsu: %s: %zu problem%s found\n", cli->config_path,
                jutsu_diag_count(&diag), jutsu_diag_count(&diag) == 1 ? "" : "s");
    }
    jutsu_diag_free(&diag);
    return exit_code;
}

/* --- config show: the file's values, and the active overrides over them ----- */

/* One active override (config_overrides), with who set it (config_history). */
struct ov {
    char           *param, *value, *by, *reason;
    jutsu_time_t    at;
    jutsu_cfg_node *eff;        /* its value in the merged config; NULL if it does not apply */
};

/* A strategy instance's active overrides, merged over its file config as
 * the trading job merges them (core/trading/params.h). */
struct inst_ov {
    struct jutsu_ctx *inst;
    struct ov        *v;
    size_t            n;
    jutsu_cfg        *merged;     /* owns the eff nodes */
    char              error[600]; /* why they do not apply to this config, or "" */
};

struct shown {
    struct inst_ov *v;
    size_t          n;
};

static void shown_free(struct shown *sh)
{
    for (size_t i = 0; sh->v && i < sh->n; i++) {
        for (size_t k = 0; k < sh->v[i].n; k++) {
            struct ov *o = &sh->v[i].v[k];
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

static int take_override(const void *row, void *arg)
{
    const struct jutsu_override_row *r = row;
    struct inst_ov *io = arg;
    struct ov *v = realloc(io->v, (io->n + 1) * sizeof(*v));
    int oom = 0;
    if (v == NULL)
        return JUTSU_ENOMEM;
    io->v = v;
    struct ov *o = &v[io->n++];
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
    struct ov *o = arg;
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
static int read_instance(jutsu_dbs *s, struct inst_ov *io)
{
    int rc = jutsu_data_overrides_active(s, io->inst->name, take_override, io);
    for (size_t k = 0; rc == 0 && k < io->n; k++)
        rc = jutsu_data_history_range(s, io->inst->name, io->v[k].param, take_by, &io->v[k]);
    if (rc != 0 || io->n == 0)
        return rc;
    struct jutsu_param *p = calloc(io->n, sizeof(*p));
    if (p == NULL)
        return JUTSU_ENOMEM;
    for (size_t k = 0; k < io->n; k++)
        p[k] = (struct jutsu_param){ io->v[k].param, io->v[k].value };
    jutsu_cfg_node *root = NULL;
    /* what the trading job would refuse is shown as refused */
    if (jutsu_params_merge(io->inst, p, io->n, &io->merged, &root, io->error,
                           sizeof(io->error)) == 0)
        for (size_t k = 0; k < io->n; k++)
            io->v[k].eff = jutsu_cfg_map_get(root, io->v[k].param);
    free(p);
    return 0;
}

/* A session on the database when it may hold overrides; NULL (and 0) when
 * the config names none, a SQLite file that does not exist yet (`config
 * show` creates nothing), or a database without the schema. */
static int overrides_db(struct jutsu_cli *cli, jutsu_dbs **s, char *why, size_t n)
{
    jutsu_cfg_node *root = jutsu_cfg_root(cli->app->cfg);
    jutsu_cfg_node *type = jutsu_cfg_get(root, "database.type");
    jutsu_cfg_node *path = jutsu_cfg_get(root, "database.sqlite.path");
    struct stat st;
    struct jutsu_migrate_state ms;
    int strategies = 0;
    *s = NULL;
    for (size_t i = 0; i < cli->app->ninst; i++)
        strategies += jutsu_ctx_plugin(cli->app->inst[i])->kind == JUTSU_KIND_STRATEGY;
    if (strategies == 0 || jutsu_app_find(cli->app, JUTSU_STORAGE_INSTANCE) == NULL)
        return 0;   /* nothing to override, or nowhere to keep it */
    if (type && type->text && strcmp(type->text, "sqlite") == 0 &&
        (path == NULL || path->text == NULL || stat(path->text, &st) != 0))
        return 0;
    int rc = jutsu_app_start_kinds(cli->app, 1u << JUTSU_KIND_STORAGE);
    if (rc != 0)
        snprintf(why, n, "the database did not start: %s", jutsu_strerror(rc));
    else if ((rc = jutsu_app_dbs_open(cli->app, s)) != 0)
        snprintf(why, n, "cannot connect to the database: %s", jutsu_strerror(rc));
    else if ((rc = jutsu_migrate_state(*s, &ms)) != 0)
        snprintf(why, n, "%s", jutsu_dbs_error_line(*s));
    if (rc == 0 && ms.n_applied > 0)
        return 0;
    jutsu_dbs_close(*s);   /* no schema: no override */
    *s = NULL;
    return rc;
}

/* Every strategy instance's active overrides. 0, or an error said in why. */
static int read_overrides(struct jutsu_cli *cli, struct shown *sh, char *why, size_t n)
{
    jutsu_dbs *s = NULL;
    int rc = overrides_db(cli, &s, why, n);
    if (rc != 0 || s == NULL)
        return rc;
    if ((sh->v = calloc(cli->app->ninst + 1, sizeof(*sh->v))) == NULL)
        rc = JUTSU_ENOMEM;
    for (size_t i = 0; rc == 0 && i < cli->app->ninst; i++) {
        struct jutsu_ctx *c = cli->app->inst[i];
        if (jutsu_ctx_plugin(c)->kind != JUTSU_KIND_STRATEGY)
            continue;
        sh->v[sh->n].inst = c;
        rc = read_instance(s, &sh->v[sh->n++]);
    }
    if (rc != 0)
        snprintf(why, n, "%s", rc == JUTSU_ENOMEM ? "out of memory" : jutsu_dbs_error_line(s));
    jutsu_dbs_close(s);
    return rc;
}

/* The instance's `config:` map in the tree `config show` prints (NULL if
 * it has none), and its index among plugins: (SIZE_MAX if not there). */
static jutsu_cfg_node *tree_config(jutsu_cfg_node *root, const char *name, size_t *index)
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

static void one_line(char *p)
{
    for (; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* A scalar's text for a comment: one line, a secret hidden. */
static void comment_value(const jutsu_cfg_node *n, char *buf, size_t size)
{
    if (n == NULL || n->kind != JUTSU_CFG_NODE_SCALAR)
        snprintf(buf, size, "none");
    else if (n->flags & JUTSU_CFG_SECRET)
        snprintf(buf, size, "********");
    else
        snprintf(buf, size, "%s", n->is_null ? "null" : n->text);
    one_line(buf);
}

/* "override (file: 1.2), by alice at 2026-12-06T16:20:00Z" and the reason. */
static void note_of(const struct ov *o, const jutsu_cfg_node *file, char *buf, size_t size)
{
    char was[128], when[JUTSU_TIME_BUFSZ], reason[160] = "";
    comment_value(file, was, sizeof(was));
    jutsu_time_format(o->at - o->at % JUTSU_USEC_PER_SEC, when);
    if (o->reason)
        snprintf(reason, sizeof(reason), ", reason: %s", o->reason);
    snprintf(buf, size, "override (%s: %s), by %s at %s%s",
             file == NULL ? "file: none, default" : file->is_default ? "default" : "file", was,
             o->by ? o->by : "an unknown user", when, reason);
    one_line(buf);
}

/* The key that marks an overridden entry in the dump, then taken out. */
#define MARK "__jutsu_override_"

/* A map entry swapped for the dump: its key marked, its value the
 * override's; put back by unswap. */
struct swap {
    jutsu_cfg_node *map;
    size_t          i;
    char           *key;        /* the file's */
    jutsu_cfg_node *value;      /* the file's */
    char            note[512];
    int             above;      /* the value spans lines: the note goes above */
};

/* Marks each override's entry in the tree (the tree's own strings and
 * nodes are kept aside, not freed). */
static int swap_in(jutsu_cfg_node *root, const struct shown *sh, struct swap *sw, size_t *nsw)
{
    size_t idx, at;
    *nsw = 0;
    for (size_t i = 0; i < sh->n; i++) {
        const struct inst_ov *io = &sh->v[i];
        jutsu_cfg_node *map = tree_config(root, io->inst->name, &idx);
        for (size_t k = 0; k < io->n; k++) {
            const struct ov *o = &io->v[k];
            char *key = NULL;
            if (o->eff == NULL || !map_index(map, o->param, &at))
                continue;   /* said in the header */
            if (asprintf(&key, "%s" MARK "%zu__", o->param, *nsw) < 0)
                return JUTSU_ENOMEM;
            struct swap *x = &sw[(*nsw)++];
            note_of(o, map->items[at], x->note, sizeof(x->note));
            x->map = map;
            x->i = at;
            x->key = map->keys[at];
            x->value = map->items[at];
            x->above = o->eff->text && strpbrk(o->eff->text, "\n\r") != NULL;
            map->keys[at] = key;
            /* the override came as text: written as its type reads, a
             * number stays a number when the dump is loaded again */
            if (o->eff->type == JUTSU_CFG_INT || o->eff->type == JUTSU_CFG_DOUBLE ||
                o->eff->type == JUTSU_CFG_BOOL)
                o->eff->quoted = 0;
            if (!(x->value->flags & JUTSU_CFG_SECRET))   /* a secret stays masked */
                map->items[at] = o->eff;
        }
    }
    return 0;
}

static void unswap(struct swap *sw, size_t nsw)
{
    for (size_t k = 0; k < nsw; k++) {
        free(sw[k].map->keys[sw[k].i]);
        sw[k].map->keys[sw[k].i] = sw[k].key;
        sw[k].map->items[sw[k].i] = sw[k].value;
    }
}

/* The dump with each marked key's note: after its value, or on a line of
 * its own above a value that spans lines. */
static void print_marked(const char *yaml, const struct swap *sw, size_t nsw)
{
    const size_t ml = strlen(MARK);
    for (const char *line = yaml; *line;) {
        const char *end = strchr(line, '\n'), *m = strstr(line, MARK), *close = NULL;
        size_t len = end ? (size_t)(end - line) : strlen(line), k = nsw;
        if (m && m < line + len && sscanf(m + ml, "%zu", &k) == 1 && k < nsw)
            close = strstr(m + ml, "__");
        if (close == NULL || close > line + len) {
            printf("%.*s\n", (int)len, line);
        } else {
            const char *rest = close + 2;
            if (sw[k].above)
                printf("%*s# %s\n", (int)strspn(line, " -"), "", sw[k].note);
            printf("%.*s%.*s%s%s\n", (int)(m - line), line, (int)(line + len - rest), rest,
                   sw[k].above ? "" : "  # ", sw[k].above ? "" : sw[k].note);
        }
        line += len + (end != NULL);
    }
}

/* The header's lines on the overrides the tree cannot show in place. */
static void header_notes(jutsu_cfg_node *root, const struct shown *sh)
{
    size_t idx, at;
    for (size_t i = 0; i < sh->n; i++) {
        const struct inst_ov *io = &sh->v[i];
        jutsu_cfg_node *map = tree_config(root, io->inst->name, &idx);
        char err[sizeof(io->error)];
        snprintf(err, sizeof(err), "%s", io->error);
        one_line(err);
        if (io->n && io->error[0])
            printf("# %s: %zu active override%s that the trading job would refuse (shown "
                   "without them): %s\n", io->inst->name, io->n, io->n == 1 ? "" : "s", err);
        for (size_t k = 0; !io->error[0] && k < io->n; k++) {
            char note[512], val[128];
            if (io->v[k].eff == NULL || map_index(map, io->v[k].param, &at))
                continue;
            note_of(&io->v[k], NULL, note, sizeof(note));
            comment_value(io->v[k].eff, val, sizeof(val));
            printf("# %s.config.%s: %s  # %s\n", io->inst->name, io->v[k].param, val, note);
        }
    }
}

static int show_yaml(struct jutsu_cli *cli, const struct shown *sh, const char *unread)
{
    jutsu_cfg_node *root = jutsu_cfg_root(cli->app->cfg);
    size_t nsw = 0, len = 0, cap = 1;
    char *buf = NULL;
    for (size_t i = 0; i < sh->n; i++)
        cap += sh->v[i].n;
    struct swap *sw = calloc(cap, sizeof(*sw));
    FILE *f = sw ? open_memstream(&buf, &len) : NULL;
    int rc = f ? swap_in(root, sh, sw, &nsw) : JUTSU_ENOMEM;
    if (rc == 0)
        rc = jutsu_cfg_dump_yaml(root, f);
    if (f && fclose(f) != 0 && rc == 0)
        rc = JUTSU_EIO;
    unswap(sw, nsw);   /* the tree as it was loaded, whatever happened */
    if (rc == 0) {
        printf("# effective configuration of %s (defaults filled in; active overrides "
               "applied, each marked `# override` with the file's value)\n", cli->config_path);
        if (unread[0])
            printf("# the active overrides could not be read: %s\n", unread);
        header_notes(root, sh);
        print_marked(buf ? buf : "", sw, nsw);
    }
    free(buf);
    free(sw);
    return rc;
}

/* The override's JSON beside its instance's config. */
static json_object *override_json(const struct ov *o, const jutsu_cfg_node *file)
{
    json_object *x = json_object_new_object(), *v = NULL, *f = NULL;
    char when[JUTSU_TIME_BUFSZ];
    if (x == NULL)
        return NULL;
    jutsu_time_format(o->at - o->at % JUTSU_USEC_PER_SEC, when);
    if (o->eff == NULL || jutsu_cfg_to_json(o->eff, &v) != 0)
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
static void add_overrides_json(jutsu_cfg_node *root, json_object *o, const struct shown *sh)
{
    json_object *plugins = NULL, *item, *conf = NULL;
    size_t idx, at;
    if (!json_object_object_get_ex(o, "plugins", &plugins))
        return;
    for (size_t i = 0; i < sh->n; i++) {
        const struct inst_ov *io = &sh->v[i];
        jutsu_cfg_node *map = tree_config(root, io->inst->name, &idx);
        if (io->n == 0 || idx == SIZE_MAX ||
            (item = json_object_array_get_idx(plugins, idx)) == NULL)
            continue;
        if (!json_object_object_get_ex(item, "config", &conf)) {
            conf = json_object_new_object();
            json_object_object_add(item, "config", conf);
        }
        json_object *ovs = json_object_new_object();
        for (size_t k = 0; k < io->n; k++) {
            const struct ov *ov = &io->v[k];
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

int jutsu_cmd_config_show(struct jutsu_cli *cli)
{
    struct shown sh = { 0 };
    char why[600] = "";
    int rc = jutsu_cli_no_args(cli);
    if (rc != 0)
        return rc;
    if ((rc = jutsu_cli_load_or_report(cli)) != 0)
        return rc;
    /* the file alone is not what runs: the overrides are the database's */
    int read = read_overrides(cli, &sh, why, sizeof(why));
    if (read != 0)
        fprintf(stderr, "jutsu: warning: the active overrides (config_overrides) could not be "
                "read, so the strategies' parameters are shown as the file has them: %s\n", why);
    jutsu_cfg_node *root = jutsu_cfg_root(cli->app->cfg);
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = NULL;
        rc = jutsu_cfg_to_json(root, &o);
        if (rc == 0) {
            add_overrides_json(root, o, &sh);
            puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(o);
        }
    } else {
        rc = show_yaml(cli, &sh, why);
    }
    shown_free(&sh);
    return rc != 0 || read != 0 ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}
