/*
 * core/cli/cmd_login.c — `jutsu login [INSTANCE]`: the interactive
 * authorisation of a source that needs a person to approve it (the
 * optional source op `login`: an OAuth2 browser flow). `jutsu schwab
 * login` is the same among source-schwab instances, the name the Schwab
 * plugins' messages give.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "cli/cli.h"

/* Whether instance c can log in; `plugin` narrows to one plugin (or NULL). */
static int can_login(const struct jutsu_ctx *c, const char *plugin)
{
    const struct jutsu_source_ops *ops = jutsu_ctx_source(c);
    return JUTSU_OPS_HAS(ops, jutsu_source_ops, login) &&
           (plugin == NULL || strcmp(jutsu_ctx_plugin(c)->name, plugin) == 0);
}

/* Says why no instance was picked: the one named cannot log in, there is
 * no such instance, or none can. */
static void say_none(struct jutsu_cli *cli, const char *name, const char *plugin)
{
    const struct jutsu_ctx *c = name ? jutsu_app_find(cli->app, name) : NULL;
    if (c)
        jutsu_cli_error("instance %s (plugin %s) cannot log in: %s", name,
                        jutsu_ctx_plugin(c)->name,
                        plugin ? "it is not a source-schwab instance"
                               : "its plugin has no login (only a source that needs a "
                                 "person's approval, such as source-schwab, has one)");
    else if (name)
        jutsu_cli_error("%s has no instance named %s", cli->config_path, name);
    else if (plugin)
        jutsu_cli_error("%s has no %s instance", cli->config_path, plugin);
    else
        jutsu_cli_error("%s has no instance that can log in (a source that needs a "
                        "person's approval, such as source-schwab)", cli->config_path);
}

/* The instance to log in: the one named, or the only one that can. */
static struct jutsu_ctx *pick_instance(struct jutsu_cli *cli, const char *plugin)
{
    const char *name = cli->argc == 2 ? cli->argv[1] : NULL;
    struct jutsu_ctx *pick = NULL;
    size_t found = 0;
    for (size_t i = 0; i < cli->app->ninst; i++) {
        struct jutsu_ctx *c = cli->app->inst[i];
        if (!can_login(c, plugin))
            continue;
        if (name ? strcmp(c->name, name) == 0 : found++ == 0)
            pick = c;
    }
    if (pick == NULL) {
        say_none(cli, name, plugin);
        return NULL;
    }
    if (name == NULL && found > 1) {
        jutsu_cli_error("%s has %zu instances that can log in: name one, as in `jutsu login "
                        "%s`", cli->config_path, found, pick->name);
        return NULL;
    }
    return pick;
}

static int login(struct jutsu_cli *cli, const char *plugin)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc)
        return rc;
    if (cli->argc > 2)
        return jutsu_cli_usage(cli, "name at most one instance");
    if ((rc = jutsu_cli_load_or_report(cli)) != 0)
        return rc;
    struct jutsu_ctx *pick = pick_instance(cli, plugin);
    if (pick == NULL)
        return JUTSU_EXIT_CONFIG;
    if (jutsu_app_start_kinds(cli->app, (1u << JUTSU_KIND_STORAGE) | (1u << JUTSU_KIND_SOURCE)))
        return JUTSU_EXIT_FAILURE;
    if (!pick->started) {
        jutsu_cli_error("instance %s cannot log in: it did not start", pick->name);
        return JUTSU_EXIT_FAILURE;
    }
    pick->error[0] = '\0';
    rc = jutsu_ctx_source(pick)->login(pick->state, stdin, stdout);
    if (rc) {
        jutsu_cli_error("%s: %s", pick->name, pick->error[0] ? pick->error : jutsu_strerror(rc));
        return JUTSU_EXIT_FAILURE;
    }
    return JUTSU_EXIT_OK;
}

int jutsu_cmd_login(struct jutsu_cli *cli)
{
    return login(cli, NULL);
}

int jutsu_cmd_schwab_login(struct jutsu_cli *cli)
{
    return login(cli, "source-schwab");
}
