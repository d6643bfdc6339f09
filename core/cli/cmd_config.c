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
#include "host/entities.h"
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

/* The strategies' and baselines' own keys (mode, broker, paper_since,
 * baselines' symbols) are read by the jobs, not by a schema: checked here
 * too, so that a config check finds what a job would refuse later. */
static int check_entities(struct jutsu_app *app, struct jutsu_diag *diag)
{
    struct jutsu_entities e;
    char err[512];
    int rc = jutsu_entities_load(app, &e, err, sizeof(err));
    if (rc == 0)
        jutsu_entities_free(&e);
    else
        jutsu_diag_add(diag, "%s", err);
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
    if (rc == 0)
        rc = check_entities(cli->app, &diag);
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
static int read_overrides(struct jutsu_cli *cli, struct jutsu_params_shown *sh, char *why,
                          size_t n)
{
    jutsu_dbs *s = NULL;
    int rc = overrides_db(cli, &s, why, n);
    if (rc != 0 || s == NULL)
        return rc;
    if ((rc = jutsu_params_shown_read(cli->app, s, sh)) != 0)
        snprintf(why, n, "%s", rc == JUTSU_ENOMEM ? "out of memory" : jutsu_dbs_error_line(s));
    jutsu_dbs_close(s);
    return rc;
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
static void note_of(const struct jutsu_params_ov *o, const jutsu_cfg_node *file, char *buf,
                    size_t size)
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
static int swap_in(jutsu_cfg_node *root, const struct jutsu_params_shown *sh, struct swap *sw,
                   size_t *nsw)
{
    size_t idx, at;
    *nsw = 0;
    for (size_t i = 0; i < sh->n; i++) {
        const struct jutsu_params_inst *io = &sh->v[i];
        jutsu_cfg_node *map = jutsu_params_tree_config(root, io->inst->name, &idx);
        for (size_t k = 0; k < io->n; k++) {
            const struct jutsu_params_ov *o = &io->v[k];
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
        /* NOLINTNEXTLINE(cert-err34-c): our own marker's index, range-checked after */
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
static void header_notes(jutsu_cfg_node *root, const struct jutsu_params_shown *sh)
{
    size_t idx, at;
    for (size_t i = 0; i < sh->n; i++) {
        const struct jutsu_params_inst *io = &sh->v[i];
        jutsu_cfg_node *map = jutsu_params_tree_config(root, io->inst->name, &idx);
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

static int show_yaml(struct jutsu_cli *cli, const struct jutsu_params_shown *sh,
                     const char *unread)
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

int jutsu_cmd_config_show(struct jutsu_cli *cli)
{
    struct jutsu_params_shown sh = { 0 };
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
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = NULL;
        rc = jutsu_params_config_json(cli->app, &sh, &o);
        if (rc == 0) {
            puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(o);
        }
    } else {
        rc = show_yaml(cli, &sh, why);
    }
    jutsu_params_shown_free(&sh);
    return rc != 0 || read != 0 ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}
