/*
 * core/cli/cmd_login.c — `jutsu schwab login [INSTANCE]`: the browser flow of a
 * source that needs a person to authorise it (the source op `login`).
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "cli/cli.h"

int jutsu_cmd_schwab_login(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc)
        return rc;
    if (cli->argc > 2)
        return jutsu_cli_usage(cli, "name at most one instance");
    if ((rc = jutsu_cli_load_or_report(cli)) != 0)
        return rc;
    struct jutsu_ctx *pick = NULL;
    int found = 0;
    for (size_t i = 0; i < cli->app->ninst; i++) {
        struct jutsu_ctx *c = cli->app->inst[i];
        if (strcmp(c->module->desc->name, "source-schwab") != 0)
            continue;
        if (cli->argc == 2 ? strcmp(c->name, cli->argv[1]) == 0 : found++ == 0)
            pick = c;
    }
    if (pick == NULL || (cli->argc == 1 && found > 1)) {
        jutsu_cli_error(found > 1 ? "%s has several source-schwab instances: name one"
                                  : "%s has no source-schwab instance%s%s", cli->config_path,
                        cli->argc == 2 ? " named " : "", cli->argc == 2 ? cli->argv[1] : "");
        return JUTSU_EXIT_CONFIG;
    }
    if (jutsu_app_start_kinds(cli->app, (1u << JUTSU_KIND_STORAGE) | (1u << JUTSU_KIND_SOURCE)))
        return JUTSU_EXIT_FAILURE;
    const struct jutsu_source_ops *ops = pick->module->desc->ops;
    if (!pick->started || ops->size < sizeof(*ops) || ops->login == NULL) {
        jutsu_cli_error("instance %s cannot log in", pick->name);
        return JUTSU_EXIT_FAILURE;
    }
    pick->error[0] = '\0';
    rc = ops->login(pick->state, stdin, stdout);
    if (rc) {
        jutsu_cli_error("%s: %s", pick->name, pick->error[0] ? pick->error : jutsu_strerror(rc));
        return JUTSU_EXIT_FAILURE;
    }
    return JUTSU_EXIT_OK;
}
