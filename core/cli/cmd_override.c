/*
 * core/cli/cmd_override.c — `jutsu config override set|unset|list`: a
 * strategy's parameters changed without editing the YAML, checked against
 * the plugin's schema, versioned in config_overrides with every change in
 * config_history (in the same transaction), applied by the trading job at
 * its next run (core/trading/params.h).
 */
#include <getopt.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "store/data_api.h"
#include "trading/params.h"
#include "store/store.h"

struct ov_args {
    const char *reason;
    int         history;
};

static int ov_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct ov_args *a = ud;
    switch (c) {
    case 'r': a->reason = arg; return 0;
    case 'H': a->history = 1; return 0;
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option ov_opts[] = {
    { "reason",  required_argument, NULL, 'r' },
    { "history", no_argument,       NULL, 'H' },
    { NULL, 0, NULL, 0 }
};

/* Who made the change, for config_history.changed_by. */
static const char *who(void)
{
    const char *u = getenv("SUDO_USER");
    if (u == NULL || *u == '\0')
        u = getenv("USER");
    if (u == NULL || *u == '\0') {
        struct passwd *pw = getpwuid(getuid());
        u = pw ? pw->pw_name : "cli";
    }
    return u;
}

/* The strategy instance named on the command line. */
static struct jutsu_ctx *strategy_of(struct jutsu_cli *cli, const char *name)
{
    struct jutsu_ctx *c = jutsu_app_find(cli->app, name);
    if (c && jutsu_ctx_plugin(c)->kind == JUTSU_KIND_STRATEGY)
        return c;
    jutsu_cli_error("\"%s\" is not a strategy instance of %s", name, cli->config_path);
    return NULL;
}

/* The parameter's value in the YAML (or its default), as text. */
static const char *yaml_value(const struct jutsu_ctx *inst, const char *param)
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

static void publish_changed(struct jutsu_app *app, const char *strategy, const char *param,
                            const char *old, const char *new_value, const char *by)
{
    if (app->bus == NULL)
        return;
    json_object *p = json_object_new_object();
    json_object_object_add(p, "strategy_id", json_object_new_string(strategy));
    json_object_object_add(p, "parameter", json_object_new_string(param));
    json_object_object_add(p, "old", old ? json_object_new_string(old) : NULL);
    json_object_object_add(p, "new", new_value ? json_object_new_string(new_value) : NULL);
    json_object_object_add(p, "changed_by", json_object_new_string(by));
    jutsu_bus_publish(app->bus, "host", "config.changed", p);
}

/* Sets one: checked together with the other active ones (the result must
 * be a valid config of the plugin), then written with its history. */
static int override_set(struct jutsu_cli *cli, jutsu_dbs *s, struct jutsu_ctx *inst,
                        const char *param, const char *value, const char *reason)
{
    struct jutsu_param *over = NULL;
    size_t n = 0;
    char err[600] = "", canon[128], old[128] = "";
    int rc = jutsu_params_active(s, inst->name, &over, &n);
    if (rc != 0) {
        jutsu_cli_db_error(s);
        return JUTSU_EXIT_FAILURE;
    }
    /* the others as they are, this one new or in place of its old value
     * (borrowed pointers: `over` keeps owning the strings) */
    struct jutsu_param *all = calloc(n + 1, sizeof(*all));
    size_t m = 0;
    for (size_t i = 0; all && i < n; i++) {
        if (strcmp(over[i].name, param) == 0)
            snprintf(old, sizeof(old), "%s", over[i].value);
        else
            all[m++] = over[i];
    }
    jutsu_cfg *cfg = NULL;
    jutsu_cfg_node *root = NULL;
    if (all == NULL) {
        rc = JUTSU_ENOMEM;
        snprintf(err, sizeof(err), "out of memory");
    } else {
        all[m++] = (struct jutsu_param){ param, value };
        rc = jutsu_params_merge(inst, all, m, &cfg, &root, err, sizeof(err));
    }
    free(all);
    jutsu_params_free(over, n);
    if (rc != 0) {
        jutsu_cli_error("%s", err);
        return JUTSU_EXIT_USAGE;
    }
    canonical(root, param, canon, sizeof(canon));
    jutsu_cfg_free(cfg);
    const struct jutsu_cfg_key *key = jutsu_params_key(inst, param);
    struct jutsu_override_row row = {
        .strategy_id = inst->name, .parameter_name = param,
        .original_value = yaml_value(inst, param), .override_value = canon,
        .value_type = jutsu_params_value_type(key), .is_active = 1, .reason = reason,
    };
    const char *by = who();
    if ((rc = jutsu_data_override_set(s, &row, by)) != 0) {
        jutsu_cli_db_error(s);
        return rc == JUTSU_EINVAL || rc == JUTSU_ERANGE ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
    }
    publish_changed(cli->app, inst->name, param, old[0] ? old : row.original_value, canon, by);
    printf("%s.%s = %s (was %s); the trading job applies it at its next run\n", inst->name,
           param, canon, old[0] ? old : row.original_value);
    return JUTSU_EXIT_OK;
}

struct list_out {
    int          format;
    json_object *arr;
    int          n;
};

static int list_active(const void *row, void *arg)
{
    const struct jutsu_override_row *o = row;
    struct list_out *l = arg;
    char when[JUTSU_TIME_BUFSZ];
    jutsu_time_format(o->created_at - o->created_at % JUTSU_USEC_PER_SEC, when);
    l->n++;
    if (l->arr) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "parameter", json_object_new_string(o->parameter_name));
        json_object_object_add(x, "value", json_object_new_string(o->override_value));
        json_object_object_add(x, "original", o->original_value ?
                               json_object_new_string(o->original_value) : NULL);
        json_object_object_add(x, "type", json_object_new_string(o->value_type));
        json_object_object_add(x, "reason", o->reason ? json_object_new_string(o->reason) : NULL);
        json_object_object_add(x, "since", json_object_new_string(when));
        json_object_array_add(l->arr, x);
    } else {
        printf("%-24s %-14s %-14s %-20s %s\n", o->parameter_name, o->override_value,
               o->original_value ? o->original_value : "", when, o->reason ? o->reason : "");
    }
    return 0;
}

static int list_history(const void *row, void *arg)
{
    const struct jutsu_history_row *h = row;
    struct list_out *l = arg;
    char when[JUTSU_TIME_BUFSZ];
    jutsu_time_format(h->ts - h->ts % JUTSU_USEC_PER_SEC, when);
    l->n++;
    if (l->arr) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "time", json_object_new_string(when));
        json_object_object_add(x, "parameter", json_object_new_string(h->parameter_name));
        json_object_object_add(x, "change", json_object_new_string(h->change_type));
        json_object_object_add(x, "old", h->old_value ? json_object_new_string(h->old_value) : NULL);
        json_object_object_add(x, "new", h->new_value ? json_object_new_string(h->new_value) : NULL);
        json_object_object_add(x, "changed_by", h->changed_by ?
                               json_object_new_string(h->changed_by) : NULL);
        json_object_object_add(x, "reason", h->reason ? json_object_new_string(h->reason) : NULL);
        json_object_array_add(l->arr, x);
    } else {
        printf("%-20s %-22s %-8s %-12s -> %-12s %-10s %s\n", when, h->parameter_name,
               h->change_type, h->old_value ? h->old_value : "", h->new_value ? h->new_value : "",
               h->changed_by ? h->changed_by : "", h->reason ? h->reason : "");
    }
    return 0;
}

int jutsu_cmd_config_override(struct jutsu_cli *cli)
{
    struct ov_args a = { 0 };
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_parse(cli, ov_opts, ov_opt, &a);
    if (rc)
        return rc;
    const char *verb = cli->argc > 1 ? cli->argv[1] : "";
    int set = strcmp(verb, "set") == 0, unset = strcmp(verb, "unset") == 0;
    int list = strcmp(verb, "list") == 0;
    if (!set && !unset && !list)
        return jutsu_cli_usage(cli, "say set, unset or list");
    if ((set && cli->argc != 5) || (unset && cli->argc != 4) || (list && cli->argc != 3))
        return jutsu_cli_usage(cli, set ? "set STRATEGY PARAM VALUE" : unset
                               ? "unset STRATEGY PARAM" : "list STRATEGY");
    if ((rc = jutsu_cli_start_storage(cli, 0, &s)) != 0)
        return rc;
    struct jutsu_ctx *inst = strategy_of(cli, cli->argv[2]);
    if (inst == NULL) {
        jutsu_dbs_close(s);
        return JUTSU_EXIT_USAGE;
    }
    if (set) {
        rc = override_set(cli, s, inst, cli->argv[3], cli->argv[4], a.reason);
    } else if (unset) {
        const char *by = who();
        rc = jutsu_data_override_unset(s, inst->name, cli->argv[3], by, a.reason);
        if (rc == 0) {
            publish_changed(cli->app, inst->name, cli->argv[3], NULL,
                            yaml_value(inst, cli->argv[3]), by);
            printf("%s.%s is back to %s; the trading job applies it at its next run\n",
                   inst->name, cli->argv[3], yaml_value(inst, cli->argv[3]));
        } else {
            jutsu_cli_db_error(s);
        }
        rc = rc == 0 ? JUTSU_EXIT_OK : rc == JUTSU_ENOENT ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
    } else {
        struct list_out l = { .format = cli->format };
        if (cli->format == JUTSU_FMT_JSON)
            l.arr = json_object_new_array();
        rc = a.history ? jutsu_data_history_range(s, inst->name, NULL, list_history, &l)
                       : jutsu_data_overrides_active(s, inst->name, list_active, &l);
        if (l.arr) {
            puts(json_object_to_json_string_ext(l.arr, JSON_C_TO_STRING_PRETTY |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(l.arr);
        } else if (rc == 0 && l.n == 0) {
            printf(a.history ? "(no change recorded for %s)\n"
                             : "(no active override: %s runs its YAML parameters)\n", inst->name);
        }
        if (rc)
            jutsu_cli_db_error(s);
        rc = rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
    }
    jutsu_dbs_close(s);
    return rc;
}
