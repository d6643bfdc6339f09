/*
 * core/cli/cmd_config.c — `jutsu config check` and `jutsu config show`.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "jobs/jobs.h"
#include "sched/scheduler.h"

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
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
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

int jutsu_cmd_config_show(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_no_args(cli);
    if (rc != 0)
        return rc;
    if ((rc = jutsu_cli_load_or_report(cli)) != 0)
        return rc;

    jutsu_cfg_node *root = jutsu_cfg_root(cli->app->cfg);
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = NULL;
        if (jutsu_cfg_to_json(root, &o) != 0)
            return JUTSU_EXIT_FAILURE;
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return JUTSU_EXIT_OK;
    }
    printf("# effective configuration of %s (overrides applied, defaults filled in)\n",
           cli->config_path);
    return jutsu_cfg_dump_yaml(root, stdout) == 0 ? JUTSU_EXIT_OK : JUTSU_EXIT_FAILURE;
}
