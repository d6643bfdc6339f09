/*
 * core/cli/cmd_override.c — `jutsu config override set|unset|list`: a
 * strategy's parameters changed without editing the YAML, checked against
 * the plugin's schema, versioned in config_overrides with every change in
 * config_history (in the same transaction), applied by the trading job at
 * its next run. Set and unset go through the rules of core/trading/params.h,
 * the same path the REST API's PUT and DELETE /api/config take.
 */
#include <ctype.h>
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

/*
 * getopt reads "-0.5" as the options -0, -. and -5 (and would move it away
 * from its place among the words): `set v3_5b lower_z -0.5` failed with
 * "unknown option". A word that is a negative number is a value here, never
 * an option (none of ours is a digit), so each one goes to the parser
 * without its sign and gets it back after, found by its address.
 */
enum { MAX_SIGNED = 16 };

struct signs {
    char  *hidden[MAX_SIGNED];  /* the words as the parser saw them: sign + 1 */
    size_t n;
};

static int negative_number(const char *w)
{
    char *end;
    if (w[0] != '-' || !(isdigit((unsigned char)w[1]) ||
                         (w[1] == '.' && isdigit((unsigned char)w[2]))))
        return 0;
    (void)strtod(w, &end);  /* its range is the schema's to judge, not the parser's */
    return *end == '\0';
}

static void hide_signs(struct jutsu_cli *cli, struct signs *g)
{
    g->n = 0;
    for (int i = 1; i < cli->argc && g->n < MAX_SIGNED; i++)
        if (negative_number(cli->argv[i]))
            g->hidden[g->n++] = ++cli->argv[i];
}

static const char *with_sign(const struct signs *g, const char *w)
{
    for (size_t i = 0; w && i < g->n; i++)
        if (w == g->hidden[i])
            return w - 1;
    return w;
}

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

/* Prints the refusal: ours, or the database's with its detail and hint;
 * the exit code: a name or value the command line got wrong is a usage
 * error, the rest a failure. */
static int refused(jutsu_dbs *s, int rc, const char *err)
{
    if (err[0])
        jutsu_cli_error("%s", err);
    else
        jutsu_cli_db_error(s);
    return rc == JUTSU_EINVAL || rc == JUTSU_ENOENT ? JUTSU_EXIT_USAGE : JUTSU_EXIT_FAILURE;
}

/* Sets one, through the one path the REST API takes too (params.h). */
static int override_set(struct jutsu_cli *cli, jutsu_dbs *s, const char *strategy,
                        const char *param, const char *value, const char *reason)
{
    struct jutsu_override_change c;
    char err[600];
    int rc = jutsu_params_override_set(cli->app, s, strategy, param, value, reason, who(), &c,
                                       err, sizeof(err));
    if (rc != 0)
        return refused(s, rc, err);
    printf("%s.%s = %s (was %s); the trading job applies it at its next run\n", c.strategy,
           c.parameter, c.value, c.previous);
    return JUTSU_EXIT_OK;
}

static int override_unset(struct jutsu_cli *cli, jutsu_dbs *s, const char *strategy,
                          const char *param, const char *reason)
{
    struct jutsu_override_change c;
    char err[600];
    int rc = jutsu_params_override_unset(cli->app, s, strategy, param, reason, who(), &c, err,
                                         sizeof(err));
    if (rc != 0)
        return refused(s, rc, err);
    printf("%s.%s is back to %s; the trading job applies it at its next run\n", c.strategy,
           c.parameter, c.value);
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
        json_object_object_add(x, "old", h->old_value ? json_object_new_string(h->old_value)
                                                      : NULL);
        json_object_object_add(x, "new", h->new_value ? json_object_new_string(h->new_value)
                                                      : NULL);
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
    struct signs g;
    hide_signs(cli, &g);
    int rc = jutsu_cli_parse(cli, ov_opts, ov_opt, &a);
    for (int i = 1; i < cli->argc; i++)
        cli->argv[i] = (char *)with_sign(&g, cli->argv[i]);
    a.reason = with_sign(&g, a.reason);
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
    char err[600];
    struct jutsu_ctx *inst = jutsu_params_strategy(cli->app, cli->argv[2], err, sizeof(err));
    if (inst == NULL) {
        jutsu_dbs_close(s);
        jutsu_cli_error("%s", err);
        return JUTSU_EXIT_USAGE;
    }
    if (set) {
        rc = override_set(cli, s, inst->name, cli->argv[3], cli->argv[4], a.reason);
    } else if (unset) {
        rc = override_unset(cli, s, inst->name, cli->argv[3], a.reason);
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
